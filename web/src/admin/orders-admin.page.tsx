export function OrdersAdminPage() {
  return <p>OrdersAdminPage</p>;
}
