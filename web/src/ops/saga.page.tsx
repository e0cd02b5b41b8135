import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { messageOf } from '../api/problem';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { formatDateTime, formatTime, shortId } from '../ui/dates';
import { TextField } from '../ui/field';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/states';
import { StatusPill } from '../ui/status-pill';
import { ConfirmDialog } from './confirm-dialog';
import { opsApi, type SagaStep, type SagaTimeline } from './ops-api';
import { useRefreshing } from './use-refreshing';

const finalStatuses = ['DELIVERED', 'CANCELLED'];
const cancellable = ['PENDING', 'STOCK_RESERVED', 'PAID'];

type Action = 'retry' | 'compensate';

/** One order's saga: its state, every step each service took, and the operator's two actions. */
export function SagaPage() {
  const { orderId = '' } = useParams();
  const saga = useRefreshing((signal) => opsApi.saga(orderId, signal), [orderId], 5_000);
  const [asking, setAsking] = useState<Action | undefined>();
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<{ tone: 'success' | 'error'; text: string } | undefined>();

  const run = async (action: Action) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      if (action === 'retry') {
        const done = await opsApi.retry(orderId);
        setOutcome({
          tone: 'success',
          text: `Sent again: ${done.republished.length} event${done.republished.length === 1 ? '' : 's'} (same ids).`,
        });
      } else {
        const done = await opsApi.compensate(orderId, reason.trim() || undefined);
        setOutcome({
          tone: 'success',
          text: `Cancelled (was ${done.previousStatus}); stock release and refund are on their way.`,
        });
      }
      saga.reload();
    } catch (failure) {
      setOutcome({ tone: 'error', text: messageOf(failure) });
    } finally {
      setBusy(false);
      setAsking(undefined);
    }
  };

  const data = saga.data;
  return (
    <section>
      <PageTitle title={`Saga ${shortId(orderId)}`}>
        Saga <span className="mono">{shortId(orderId)}</span>
      </PageTitle>
      <p>
        <Link to="/ops/sagas">← All sagas</Link>
      </p>
      {!data && saga.state === 'loading' && <Loading label="Asking every service for this saga…" />}
      {saga.state === 'error' && !data && <ErrorState error={saga.error} onRetry={saga.reload} />}
      {data && (
        <>
          <SagaHeader saga={data} />
          {outcome && <Notice tone={outcome.tone}>{outcome.text}</Notice>}
          <div className="ops-actions">
            <Button
              variant="secondary"
              disabled={finalStatuses.includes(data.status)}
              onClick={() => setAsking('retry')}
            >
              Retry step
            </Button>
            <Button
              variant="danger"
              disabled={!cancellable.includes(data.status)}
              onClick={() => setAsking('compensate')}
            >
              Force compensation
            </Button>
          </div>
          {data.unavailable.length > 0 && (
            <Notice tone="error">
              {data.unavailable.join(', ')} did not answer: their steps are missing below.
            </Notice>
          )}
          <StepTable steps={data.steps} />
          {data.operatorActions.length > 0 && (
            <>
              <h2>Operator actions</h2>
              <ul className="list">
                {data.operatorActions.map((a) => (
                  <li key={`${a.at}-${a.action}`}>
                    {formatDateTime(a.at)}: {a.action === 'retry' ? 'retried the last step' : 'compensated'}
                    {a.reason ? ` (${a.reason})` : ''} by <span className="mono">{shortId(a.actor)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      <ConfirmDialog
        open={asking === 'retry'}
        title="Send the last step again?"
        confirmLabel="Retry step"
        busy={busy}
        onConfirm={() => run('retry')}
        onCancel={() => setAsking(undefined)}
      >
        <p>
          The events the orders service last published for this order go out again with the same ids. Services
          that already handled them ignore them; one that lost them handles them now.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === 'compensate'}
        title="Cancel this order and compensate?"
        confirmLabel="Force compensation"
        tone="danger"
        busy={busy}
        onConfirm={() => run('compensate')}
        onCancel={() => setAsking(undefined)}
      >
        <p>
          The order is cancelled as its deadline would cancel it: reserved stock is released and any payment
          refunded. The customer is told. This cannot be undone.
        </p>
        <TextField
          label="Reason (kept in the order's audit)"
          value={reason}
          maxLength={500}
          onChange={(e) => setReason(e.target.value)}
        />
      </ConfirmDialog>
    </section>
  );
}

function SagaHeader({ saga }: { saga: SagaTimeline }) {
  return (
    <dl className="ops-facts">
      <div>
        <dt>Status</dt>
        <dd>
          <StatusPill status={saga.status} />{' '}
          {saga.stuck && <span className="pill pill--warning">Stuck past its deadline</span>}
          {saga.cancelReason && <span className="muted"> {saga.cancelReason}</span>}
        </dd>
      </div>
      <div>
        <dt>Placed</dt>
        <dd>{formatDateTime(saga.createdAt)}</dd>
      </div>
      <div>
        <dt>Deadline</dt>
        <dd>{formatDateTime(saga.deadlineAt)}</dd>
      </div>
      <div>
        <dt>Order id</dt>
        <dd className="mono">{saga.orderId}</dd>
      </div>
    </dl>
  );
}

function StepTable({ steps }: { steps: SagaStep[] }) {
  if (steps.length === 0) {
    return (
      <EmptyState title="No steps kept for this order">
        <p>
          Published events are kept a day after publication and handled ones since the saga console was
          installed: an older saga shows only what is left.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table ops-steps" aria-label="Saga steps">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Service</th>
            <th scope="col">Step</th>
            <th scope="col">Event</th>
            <th scope="col">Trace id</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => (
            <tr key={`${step.service}-${step.action}-${step.eventId}`} className={`ops-step--${step.action}`}>
              <td>
                <time dateTime={step.at}>{formatTime(step.at)}</time>
              </td>
              <td>{step.service}</td>
              <td>
                {step.action === 'published' ? 'published' : 'handled'}
                {step.pending && <span className="pill pill--warning"> not sent yet</span>}
              </td>
              <td>
                <span>{step.event}</span> <span className="mono muted">{shortId(step.eventId)}</span>
              </td>
              <td className="mono">{step.traceId ?? <span className="muted">none</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
