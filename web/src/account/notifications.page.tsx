import { useState } from 'react';
import { Link } from 'react-router';
import { messageOf } from '../api/problem';
import { notificationApi } from '../api/shop';
import type { Notification } from '../api/types';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { formatDateTime } from '../ui/dates';
import { ShowMore } from '../ui/show-more';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/states';
import { usePagedList } from '../ui/use-paged-list';

const kindLabels: Record<Notification['kind'], string> = {
  WELCOME: 'Welcome',
  ORDER_PLACED: 'Order placed',
  ORDER_PAID: 'Payment',
  ORDER_SHIPPED: 'Shipped',
  ORDER_DELIVERED: 'Delivered',
  ORDER_CANCELLED: 'Cancelled',
};

export function NotificationsPage() {
  const notifications = usePagedList((cursor, signal) => notificationApi.list(cursor, signal), []);

  return (
    <section>
      <PageTitle
        title="Notifications"
        actions={
          <Button variant="secondary" onClick={notifications.reload}>
            Refresh
          </Button>
        }
      >
        Notifications
      </PageTitle>
      <p className="muted">The emails we sent you: a welcome, then one at each step of every order.</p>
      {notifications.state === 'loading' && <Loading label="Loading your notifications…" />}
      {notifications.state === 'error' && (
        <ErrorState error={notifications.error} onRetry={notifications.reload} />
      )}
      {notifications.state === 'ready' && notifications.items.length === 0 && (
        <EmptyState title="No notifications yet">
          <p>They appear here as your orders move along.</p>
        </EmptyState>
      )}
      {notifications.items.length > 0 && (
        <ul className="list" aria-label="Notifications">
          {notifications.items.map((notification) => (
            <li key={notification.id}>
              <NotificationItem notification={notification} />
            </li>
          ))}
        </ul>
      )}
      <ShowMore list={notifications} label="Show older" />
    </section>
  );
}

function NotificationItem({ notification }: { notification: Notification }) {
  const [text, setText] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = async () => {
    if (open) return setOpen(false);
    setOpen(true);
    if (text !== null) return;
    setBusy(true);
    try {
      setText((await notificationApi.get(notification.id)).bodyText);
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="card stack">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <div>
          <span className="pill">{kindLabels[notification.kind]}</span>{' '}
          <strong>{notification.subject}</strong>
          <div className="muted">
            {formatDateTime(notification.createdAt)} · {notification.channel}
            {notification.status !== 'SENT' && ` · ${notification.status.toLowerCase()}`}
            {notification.orderId && (
              <>
                {' · '}
                <Link to={`/orders/${notification.orderId}`}>See the order</Link>
              </>
            )}
          </div>
        </div>
        <Button variant="ghost" className="button--small" aria-expanded={open} busy={busy} onClick={toggle}>
          {open ? 'Hide message' : 'Read message'}
        </Button>
      </div>
      {open && failure && <Notice tone="error">{failure}</Notice>}
      {open && text !== null && (
        <pre style={{ whiteSpace: 'pre-wrap', margin: 0, font: 'inherit' }}>{text}</pre>
      )}
    </article>
  );
}
