import { TabsLayout } from '../ui/tabs';

export function AdminLayout() {
  return (
    <TabsLayout
      label="Admin"
      tabs={[
        { to: '/admin', label: 'Products', end: true },
        { to: '/admin/stock', label: 'Stock' },
        { to: '/admin/orders', label: 'Orders' },
      ]}
    />
  );
}
