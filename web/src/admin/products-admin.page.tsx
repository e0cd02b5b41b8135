export function ProductsAdminPage() {
  return <p>ProductsAdminPage</p>;
}
