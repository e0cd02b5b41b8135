export function StockAdminPage() {
  return <p>StockAdminPage</p>;
}
