import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { ErrorState, Loading } from '../ui/states';
import { opsApi, type ServiceHealth } from './ops-api';
import { useRefreshing } from './use-refreshing';

const REFRESH_MS = 5_000;

/** Every service's readiness, as the gateway sees it, asked again every few seconds. */
export function HealthPage() {
  const health = useRefreshing((signal) => opsApi.health(signal), [], REFRESH_MS);
  const data = health.data;

  return (
    <section>
      <PageTitle
        title="Service health"
        actions={
          <Button variant="secondary" onClick={health.reload}>
            Refresh
          </Button>
        }
      >
        Service health
      </PageTitle>
      <p className="muted">
        The gateway asks each service's readiness probe (database, event bus, store) with a short timeout.
        Refreshed every {REFRESH_MS / 1000} seconds.
      </p>
      {!data && health.state === 'loading' && <Loading label="Asking the services…" />}
      {health.state === 'error' && <ErrorState error={health.error} onRetry={health.reload} />}
      {data && (
        <>
          <p
            className={`ops-banner ops-banner--${data.status}`}
            role="status"
            aria-live="polite"
            data-testid="platform-status"
          >
            {data.status === 'ok'
              ? 'All services are up.'
              : `Degraded: ${data.services
                  .filter((s) => s.status === 'down')
                  .map((s) => s.name)
                  .join(', ')} down.`}
          </p>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Readiness of each service</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="numeric">
                    Answered in
                  </th>
                  <th scope="col">Checks</th>
                </tr>
              </thead>
              <tbody>
                {data.services.map((service) => (
                  <HealthRow key={service.name} service={service} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function HealthRow({ service }: { service: ServiceHealth }) {
  const checks = Object.entries(service.checks ?? {});
  return (
    <tr>
      <th scope="row">{service.name}</th>
      <td>
        <span className={`pill pill--${service.status === 'up' ? 'done' : 'cancelled'}`}>
          {service.status === 'up' ? 'Up' : 'Down'}
        </span>
      </td>
      <td className="numeric">{service.latencyMs} ms</td>
      <td>
        {service.error && <span className="ops-error-text">{service.error}</span>}
        {checks.length > 0 && (
          <ul className="ops-checks">
            {checks.map(([name, result]) => (
              <li key={name} className={result === 'ok' ? '' : 'ops-error-text'}>
                {name}: {result}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
