export function AdminLayout() {
  return <p>AdminLayout</p>;
}
