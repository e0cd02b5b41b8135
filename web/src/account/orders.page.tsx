import { Link } from 'react-router';
import { orderApi } from '../api/shop';
import type { Order } from '../api/types';
import { PageTitle } from '../app/page-title';
import { formatDateTime, shortId } from '../ui/dates';
import { Price } from '../ui/price';
import { ShowMore } from '../ui/show-more';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { StatusPill } from '../ui/status-pill';
import { usePagedList } from '../ui/use-paged-list';

export function OrdersPage() {
  const orders = usePagedList((cursor, signal) => orderApi.listOrders({ mine: true, cursor }, signal), []);

  return (
    <section>
      <PageTitle title="Your orders">Your orders</PageTitle>
      {orders.state === 'loading' && <Loading label="Loading your orders…" />}
      {orders.state === 'error' && <ErrorState error={orders.error} onRetry={orders.reload} />}
      {orders.state === 'ready' && orders.items.length === 0 && (
        <EmptyState title="You have no orders yet">
          <Link to="/" className="button button--primary">
            Start shopping
          </Link>
        </EmptyState>
      )}
      {orders.items.length > 0 && (
        <ul className="list" aria-label="Orders">
          {orders.items.map((order) => (
            <li key={order.id}>
              <OrderSummary order={order} />
            </li>
          ))}
        </ul>
      )}
      <ShowMore list={orders} label="Show older orders" />
    </section>
  );
}

function OrderSummary({ order }: { order: Order }) {
  const items = order.lines.reduce((n, line) => n + line.quantity, 0);
  return (
    <div className="card row" style={{ justifyContent: 'space-between' }}>
      <div>
        <Link to={`/orders/${order.id}`}>
          <strong>Order {shortId(order.id)}</strong>
        </Link>
        <div className="muted">
          {formatDateTime(order.createdAt)} · {items} {items === 1 ? 'item' : 'items'}
        </div>
      </div>
      <div className="row">
        <StatusPill status={order.status} />
        <Price value={order.total} />
      </div>
    </div>
  );
}
