export function ProductEditPage() {
  return <p>ProductEditPage</p>;
}
