import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { statusLabels } from '../account/order-status';
import type { OrderStatus } from '../api/types';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { formatDateTime, shortId } from '../ui/dates';
import { SelectField, TextField } from '../ui/field';
import { Price } from '../ui/price';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { StatusPill } from '../ui/status-pill';
import { opsApi } from './ops-api';
import { useRefreshing } from './use-refreshing';

const views = [
  { value: '', label: 'In flight' },
  { value: 'stuck', label: 'Stuck (past their deadline)' },
  ...(Object.keys(statusLabels) as OrderStatus[]).map((status) => ({
    value: status,
    label: `Status: ${statusLabels[status]}`,
  })),
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The sagas in flight (stuck ones flagged), a filter, and a search by order id. */
export function SagasPage() {
  const [params, setParams] = useSearchParams();
  const view = views.find((v) => v.value === (params.get('view') ?? '')) ?? views[0]!;
  const sagas = useRefreshing(
    (signal) =>
      opsApi.listSagas(
        view.value === 'stuck'
          ? { stuck: true, limit: 100 }
          : { status: (view.value || undefined) as OrderStatus | undefined, limit: 100 },
        signal,
      ),
    [view.value],
    5_000,
  );
  const navigate = useNavigate();
  const [orderId, setOrderId] = useState('');
  const [searchError, setSearchError] = useState<string | undefined>();

  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    const id = orderId.trim();
    if (!UUID.test(id)) {
      setSearchError('An order id looks like 0193a1b2-…: 36 characters with dashes.');
      return;
    }
    setSearchError(undefined);
    navigate(`/ops/sagas/${id.toLowerCase()}`);
  };

  const items = sagas.data?.items ?? [];
  return (
    <section>
      <PageTitle title="Saga console">Saga console</PageTitle>
      <p className="muted">
        Every checkout is a saga across the services. A saga is stuck when it is not final past its deadline;
        open one to see its steps, send its last step again, or compensate it.
      </p>
      <search>
        <form className="filters" onSubmit={onSearch} noValidate>
          <TextField
            label="Find an order by id"
            type="search"
            value={orderId}
            error={searchError}
            placeholder="0193…"
            onChange={(e) => setOrderId(e.target.value)}
          />
          <span />
          <Button type="submit" variant="secondary">
            Open saga
          </Button>
        </form>
      </search>
      <div className="filters">
        <SelectField
          label="Show"
          value={view.value}
          options={views.map(({ value, label }) => ({ value, label }))}
          onChange={(e) => setParams(e.target.value ? { view: e.target.value } : {})}
        />
      </div>
      {!sagas.data && sagas.state === 'loading' && <Loading label="Loading sagas…" />}
      {sagas.state === 'error' && <ErrorState error={sagas.error} onRetry={sagas.reload} />}
      {sagas.data && items.length === 0 && (
        <EmptyState title={view.value === 'stuck' ? 'No stuck sagas' : 'No sagas here'}>
          <p>
            {view.value === 'stuck'
              ? 'Every saga in flight is within its deadline.'
              : view.value
                ? 'No order is in this status.'
                : 'No checkout is in progress right now; search by order id for a finished one.'}
          </p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Sagas">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Status</th>
                <th scope="col">Placed</th>
                <th scope="col">Deadline</th>
                <th scope="col" className="numeric">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((saga) => (
                <tr key={saga.orderId} className={saga.stuck ? 'ops-row--stuck' : undefined}>
                  <td>
                    <Link to={`/ops/sagas/${saga.orderId}`} className="mono">
                      {shortId(saga.orderId)}
                    </Link>
                  </td>
                  <td>
                    <StatusPill status={saga.status} />{' '}
                    {saga.stuck && <span className="pill pill--warning">Stuck</span>}
                  </td>
                  <td>{formatDateTime(saga.createdAt)}</td>
                  <td>{formatDateTime(saga.deadlineAt)}</td>
                  <td className="numeric">
                    <Price value={saga.total} className="" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
