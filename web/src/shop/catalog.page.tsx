export function CatalogPage() {
  return <p>CatalogPage</p>;
}
