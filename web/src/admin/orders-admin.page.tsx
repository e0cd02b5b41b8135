import { Link, useSearchParams } from 'react-router';
import { statusLabels } from '../account/order-status';
import { orderApi } from '../api/shop';
import type { OrderStatus } from '../api/types';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { formatDateTime, shortId } from '../ui/dates';
import { SelectField } from '../ui/field';
import { Price } from '../ui/price';
import { ShowMore } from '../ui/show-more';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { StatusPill } from '../ui/status-pill';
import { usePagedList } from '../ui/use-paged-list';

const filters: { value: string; label: string; statuses?: OrderStatus[] }[] = [
  { value: '', label: 'All orders' },
  { value: 'open', label: 'In progress', statuses: ['PENDING', 'STOCK_RESERVED', 'PAID'] },
  ...(Object.keys(statusLabels) as OrderStatus[]).map((status) => ({
    value: status,
    label: statusLabels[status],
    statuses: [status],
  })),
];

export function OrdersAdminPage() {
  const [params, setParams] = useSearchParams();
  const filter = filters.find((f) => f.value === (params.get('status') ?? '')) ?? filters[0]!;
  const orders = usePagedList(
    (cursor, signal) => orderApi.listOrders({ cursor, status: filter.statuses, limit: 25 }, signal),
    [filter.value],
  );

  return (
    <section>
      <PageTitle
        title="All orders"
        actions={
          <Button variant="secondary" onClick={orders.reload}>
            Refresh
          </Button>
        }
      >
        All orders
      </PageTitle>
      <div className="filters">
        <SelectField
          label="Status"
          value={filter.value}
          onChange={(event) => setParams(event.target.value ? { status: event.target.value } : {})}
          options={filters.map(({ value, label }) => ({ value, label }))}
        />
      </div>
      {orders.state === 'loading' && <Loading label="Loading orders…" />}
      {orders.state === 'error' && <ErrorState error={orders.error} onRetry={orders.reload} />}
      {orders.state === 'ready' && orders.items.length === 0 && (
        <EmptyState title={filter.value ? `No orders are ${filter.label.toLowerCase()}` : 'No orders yet'} />
      )}
      {orders.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Orders</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col" className="hide-on-phone">
                  Placed
                </th>
                <th scope="col" className="hide-on-phone">
                  Ship to
                </th>
                <th scope="col">Status</th>
                <th scope="col" className="numeric hide-on-phone">
                  Items
                </th>
                <th scope="col" className="numeric">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {orders.items.map((order) => (
                <tr key={order.id}>
                  <td>
                    <Link to={`/orders/${order.id}`} className="mono">
                      {shortId(order.id)}
                    </Link>
                  </td>
                  <td className="hide-on-phone">{formatDateTime(order.createdAt)}</td>
                  <td className="hide-on-phone">
                    {order.shippingAddress.name}, {order.shippingAddress.city} (
                    {order.shippingAddress.country})
                  </td>
                  <td>
                    <StatusPill status={order.status} />
                    {order.cancelReason && (
                      <div className="muted">{order.cancelReason.toLowerCase().replaceAll('_', ' ')}</div>
                    )}
                  </td>
                  <td className="numeric hide-on-phone">
                    {order.lines.reduce((n, line) => n + line.quantity, 0)}
                  </td>
                  <td className="numeric">
                    <Price value={order.total} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore list={orders} />
    </section>
  );
}
