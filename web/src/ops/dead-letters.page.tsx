import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { messageOf } from '../api/problem';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { formatDateTime } from '../ui/dates';
import { SelectField } from '../ui/field';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/states';
import { ConfirmDialog } from './confirm-dialog';
import { consumingServices, type DeadLetter, opsApi } from './ops-api';
import { useRefreshing } from './use-refreshing';

/** A service's dead-letter queue: what it could not handle and why, and a Replay for the lot. */
export function DeadLettersPage() {
  const { service = consumingServices[0] } = useParams();
  const navigate = useNavigate();
  const letters = useRefreshing((signal) => opsApi.deadLetters(service, signal), [service], 10_000);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: 'success' | 'error'; text: string } | undefined>();

  const replay = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const done = await opsApi.replayDeadLetters(service);
      setOutcome({
        tone: 'success',
        text: `${done.replayed} message${done.replayed === 1 ? '' : 's'} sent back to ${service}.`,
      });
      letters.reload();
    } catch (failure) {
      setOutcome({ tone: 'error', text: messageOf(failure) });
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };

  const items = letters.data?.items ?? [];
  return (
    <section>
      <PageTitle title="Dead letters">Dead letters</PageTitle>
      <p className="muted">
        Events a service could not handle after its retries, or could not read at all. Replay sends them all
        back to it: one it had applied is dropped by its inbox, one that fails again comes back here.
      </p>
      <div className="filters">
        <SelectField
          label="Service"
          value={service}
          options={consumingServices.map((name) => ({ value: name, label: name }))}
          onChange={(e) => navigate(`/ops/dead-letters/${e.target.value}`)}
        />
        <span />
        <Button variant="primary" disabled={items.length === 0} onClick={() => setAsking(true)}>
          Replay
        </Button>
      </div>
      {outcome && <Notice tone={outcome.tone}>{outcome.text}</Notice>}
      {!letters.data && letters.state === 'loading' && <Loading label="Loading dead letters…" />}
      {letters.state === 'error' && <ErrorState error={letters.error} onRetry={letters.reload} />}
      {letters.data && items.length === 0 && (
        <EmptyState title={`No dead letters for ${service}`}>
          <p>Every event {service} received was handled.</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <>
          <p role="status">
            {items.length}
            {letters.data?.more ? '+' : ''} dead letter{items.length === 1 ? '' : 's'} for {service}, oldest
            first.
          </p>
          <ul className="ops-letters" aria-label={`Dead letters of ${service}`}>
            {items.map((letter) => (
              <DeadLetterItem key={`${letter.id}-${letter.failedAt}`} letter={letter} />
            ))}
          </ul>
        </>
      )}
      <ConfirmDialog
        open={asking}
        title={`Replay ${service}'s dead letters?`}
        confirmLabel="Replay"
        busy={busy}
        onConfirm={replay}
        onCancel={() => setAsking(false)}
      >
        <p>
          All {letters.data?.more ? 'kept' : items.length} dead letters go back to {service}'s queue,
          unchanged.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function DeadLetterItem({ letter }: { letter: DeadLetter }) {
  const { data, ...attributes } = (letter.message ?? {}) as { data?: unknown } & Record<string, unknown>;
  return (
    <li className="ops-letter">
      <details>
        <summary>
          <strong>{letter.type}</strong> <span className="mono muted">{letter.id}</span>
          <span className="ops-letter__when">
            {letter.failedAt ? formatDateTime(letter.failedAt) : 'time unknown'}
          </span>
        </summary>
        <dl className="ops-facts">
          <div>
            <dt>Error</dt>
            <dd className="ops-error-text">{letter.reason}</dd>
          </div>
          <div>
            <dt>Attempts</dt>
            <dd>{letter.attempts ?? 'not counted'}</dd>
          </div>
        </dl>
        <h3>Headers</h3>
        <pre className="ops-code">
          {JSON.stringify({ ...attributes, ...(letter.headers ? { broker: letter.headers } : {}) }, null, 2)}
        </pre>
        <h3>Body</h3>
        <pre className="ops-code">{JSON.stringify(data ?? letter.message, null, 2)}</pre>
      </details>
    </li>
  );
}
