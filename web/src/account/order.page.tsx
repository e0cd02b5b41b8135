import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { followOrderStatus } from '../api/live-orders';
import { messageOf } from '../api/problem';
import { orderApi } from '../api/shop';
import type { Order } from '../api/types';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { formatDateTime, shortId } from '../ui/dates';
import { Price } from '../ui/price';
import { ErrorState, Loading, Notice } from '../ui/states';
import { StatusPill } from '../ui/status-pill';
import { useResource } from '../ui/use-resource';
import { cancellable, cancelReasonText, isFinal, timelineSteps } from './order-status';

export function OrderPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const justPlaced = (location.state as { placed?: boolean } | null)?.placed === true;
  const order = useResource((signal) => orderApi.getOrder(id, signal), [id]);
  const [live, setLive] = useState(false);
  const { reload } = order;
  const finished = order.data ? isFinal(order.data.status) : false;

  // The gateway pushes each status change; reading the order again gives the whole history with it.
  useEffect(() => {
    if (finished) return;
    return followOrderStatus({
      onStatus: (event) => {
        if (event.orderId === id) reload();
      },
      onResync: reload,
      onConnectionChange: setLive,
    });
  }, [id, reload, finished]);

  if (order.state === 'error' && !order.data) return <ErrorState error={order.error} onRetry={reload} />;
  if (!order.data) return <Loading label="Loading the order…" />;
  const current = order.data;

  return (
    <section>
      <PageTitle
        title={`Order ${shortId(current.id)}`}
        actions={
          !finished && (
            <span className={live ? 'live-indicator live-indicator--on' : 'live-indicator'}>
              {live ? 'Live updates on' : 'Connecting for live updates…'}
            </span>
          )
        }
      >
        Order {shortId(current.id)}
      </PageTitle>
      {justPlaced && current.status === 'PENDING' && (
        <Notice tone="success">
          Thank you! Your order is placed; this page follows it as it moves along.
        </Notice>
      )}
      <div className="two-columns" style={{ marginTop: 'var(--space-4)' }}>
        <div className="stack">
          <div className="card stack">
            <div className="row" style={{ justifyContent: 'space-between' }}>
              <h2 style={{ margin: 0 }}>Status</h2>
              <span aria-live="polite" data-testid="order-status">
                <StatusPill status={current.status} />
              </span>
            </div>
            {current.status === 'CANCELLED' && (
              <Notice tone="error">
                <strong>Cancelled. </strong>
                {current.cancelReason ? cancelReasonText[current.cancelReason] : 'This order was cancelled.'}
              </Notice>
            )}
            <Timeline order={current} />
            {current.shipment && (
              <p>
                Tracking number: <span className="mono">{current.shipment.trackingNumber}</span>
              </p>
            )}
            {cancellable(current.status) && <CancelOrder orderId={current.id} onCancelled={reload} />}
          </div>
        </div>
        <aside className="card stack" aria-label="Order details">
          <h2>Items</h2>
          {current.lines.map((line) => (
            <div key={line.sku} className="summary-row">
              <span>
                {line.quantity} × <Link to={`/products/${line.productId}`}>{line.name}</Link>
              </span>
              <Price value={line.lineTotal} />
            </div>
          ))}
          <div className="summary-row summary-row--total">
            <span>Total</span>
            <Price value={current.total} />
          </div>
          <h3>Shipping to</h3>
          <address style={{ fontStyle: 'normal' }}>
            {current.shippingAddress.name}
            <br />
            {current.shippingAddress.line1}
            {current.shippingAddress.line2 && (
              <>
                <br />
                {current.shippingAddress.line2}
              </>
            )}
            <br />
            {current.shippingAddress.postalCode} {current.shippingAddress.city},{' '}
            {current.shippingAddress.country}
          </address>
          <p className="muted">Placed {formatDateTime(current.createdAt)}</p>
        </aside>
      </div>
    </section>
  );
}

function Timeline({ order }: { order: Order }) {
  const reachedAt = new Map(order.history.map((entry) => [entry.status, entry.at]));
  const cancelledAt = reachedAt.get('CANCELLED');
  // A cancelled order shows the steps it reached, then the cancellation; the rest never comes.
  const steps = cancelledAt ? timelineSteps.filter((step) => reachedAt.has(step.status)) : timelineSteps;
  const currentIndex = steps.findIndex((step) => step.status === order.status);

  return (
    <ol className="timeline" aria-label="Order progress">
      {steps.map((step, index) => {
        const at = reachedAt.get(step.status);
        const done = at !== undefined || (currentIndex >= 0 && index <= currentIndex);
        const isCurrent = index === currentIndex && !isFinal(order.status);
        const modifier = isCurrent ? 'current' : done ? 'done' : 'pending';
        return (
          <li key={step.status} className={`timeline__step timeline__step--${modifier}`}>
            <span className="timeline__dot" aria-hidden="true" />
            <span className="timeline__label">{step.label}</span>
            <span className="visually-hidden">{done ? ' (done)' : ' (to come)'}</span>
            <span className="timeline__time">{at ? formatDateTime(at) : done ? '' : step.detail}</span>
          </li>
        );
      })}
      {cancelledAt && (
        <li className="timeline__step timeline__step--cancelled">
          <span className="timeline__dot" aria-hidden="true" />
          <span className="timeline__label">Cancelled</span>
          <span className="timeline__time">{formatDateTime(cancelledAt)}</span>
        </li>
      )}
    </ol>
  );
}

function CancelOrder({ orderId, onCancelled }: { orderId: string; onCancelled: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const cancel = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await orderApi.cancelOrder(orderId);
      onCancelled();
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <div className="stack">
      {failure && <Notice tone="error">{failure}</Notice>}
      {confirming ? (
        <div className="row">
          <span>Cancel this order? Any payment is refunded.</span>
          <Button variant="danger" busy={busy} onClick={cancel}>
            Yes, cancel the order
          </Button>
          <Button variant="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </Button>
        </div>
      ) : (
        <div>
          <Button variant="secondary" onClick={() => setConfirming(true)}>
            Cancel order
          </Button>
        </div>
      )}
    </div>
  );
}
