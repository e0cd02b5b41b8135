import { useState } from 'react';
import { PageTitle } from '../app/page-title';
import { formatTime } from '../ui/dates';
import { SelectField } from '../ui/field';
import { ErrorState, Loading } from '../ui/states';
import { type Figures, opsApi } from './ops-api';
import { useRefreshing } from './use-refreshing';

const windows = [15, 60, 180, 1440];
const REFRESH_MS = 5_000;

/** Orders that ended per minute, by final state, and the checkout latency, refreshed every few seconds. */
export function FiguresPage() {
  const [minutes, setMinutes] = useState(60);
  const figures = useRefreshing((signal) => opsApi.figures(minutes, signal), [minutes], REFRESH_MS);
  const data = figures.data;

  return (
    <section>
      <PageTitle title="Live figures">Live figures</PageTitle>
      <p className="muted">
        From the orders service's data: orders reaching COMPLETED or CANCELLED each minute, and the time from
        the order's creation to that final state. Refreshed every {REFRESH_MS / 1000} seconds.
      </p>
      <div className="filters">
        <SelectField
          label="Window"
          value={String(minutes)}
          options={windows.map((m) => ({
            value: String(m),
            label: m < 120 ? `${m} minutes` : `${m / 60} hours`,
          }))}
          onChange={(e) => setMinutes(Number(e.target.value))}
        />
      </div>
      {!data && figures.state === 'loading' && <Loading label="Counting orders…" />}
      {figures.state === 'error' && <ErrorState error={figures.error} onRetry={figures.reload} />}
      {data && (
        <>
          <LatencyCards latency={data.checkoutLatencyMs} />
          <OrdersChart perMinute={data.ordersPerMinute} />
        </>
      )}
    </section>
  );
}

function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function LatencyCards({ latency }: { latency: Figures['checkoutLatencyMs'] }) {
  const cards = [
    { label: 'Orders ended', value: String(latency.count) },
    { label: 'Checkout p50', value: formatMs(latency.p50) },
    { label: 'Checkout p95', value: formatMs(latency.p95) },
    { label: 'Checkout p99', value: formatMs(latency.p99) },
  ];
  return (
    <ul className="ops-cards" aria-label="Checkout latency">
      {cards.map((card) => (
        <li key={card.label} className="card ops-card">
          <span className="ops-card__label">{card.label}</span>
          <span className="ops-card__value">{card.value}</span>
        </li>
      ))}
    </ul>
  );
}

const CHART = { width: 720, height: 200, left: 36, bottom: 22 };

/** Stacked bars per minute: completed below, cancelled above. Plain SVG; the numbers are in a table too. */
function OrdersChart({ perMinute }: { perMinute: Figures['ordersPerMinute'] }) {
  const max = Math.max(1, ...perMinute.map((m) => m.COMPLETED + m.CANCELLED));
  const plotWidth = CHART.width - CHART.left;
  const plotHeight = CHART.height - CHART.bottom;
  const slot = plotWidth / Math.max(1, perMinute.length);
  const y = (n: number) => (n / max) * plotHeight;
  const completed = perMinute.reduce((sum, m) => sum + m.COMPLETED, 0);
  const cancelled = perMinute.reduce((sum, m) => sum + m.CANCELLED, 0);
  const busy = perMinute.filter((m) => m.COMPLETED + m.CANCELLED > 0);

  return (
    <figure className="ops-chart">
      <figcaption>
        Orders per minute: <span className="ops-key ops-key--completed">completed {completed}</span>{' '}
        <span className="ops-key ops-key--cancelled">cancelled {cancelled}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${CHART.width} ${CHART.height}`}
        role="img"
        aria-label={`Orders per minute over the window: ${completed} completed, ${cancelled} cancelled, at most ${max} in a minute`}
      >
        <line x1={CHART.left} y1={plotHeight} x2={CHART.width} y2={plotHeight} className="ops-chart__axis" />
        <text x={CHART.left - 6} y={10} textAnchor="end" className="ops-chart__label">
          {max}
        </text>
        <text x={CHART.left - 6} y={plotHeight} textAnchor="end" className="ops-chart__label">
          0
        </text>
        {perMinute.map((m, i) => {
          const x = CHART.left + i * slot + slot * 0.1;
          const width = Math.max(1, slot * 0.8);
          return (
            <g key={m.minute}>
              <title>{`${formatTime(m.minute)}: ${m.COMPLETED} completed, ${m.CANCELLED} cancelled`}</title>
              <rect
                x={x}
                y={plotHeight - y(m.COMPLETED)}
                width={width}
                height={y(m.COMPLETED)}
                className="ops-bar--completed"
              />
              <rect
                x={x}
                y={plotHeight - y(m.COMPLETED) - y(m.CANCELLED)}
                width={width}
                height={y(m.CANCELLED)}
                className="ops-bar--cancelled"
              />
            </g>
          );
        })}
        {perMinute.length > 0 && (
          <>
            <text x={CHART.left} y={CHART.height - 4} className="ops-chart__label">
              {formatTime(perMinute[0]!.minute)}
            </text>
            <text x={CHART.width} y={CHART.height - 4} textAnchor="end" className="ops-chart__label">
              {formatTime(perMinute.at(-1)!.minute)}
            </text>
          </>
        )}
      </svg>
      {busy.length > 0 ? (
        <details>
          <summary>Minutes with orders ({busy.length})</summary>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Minute</th>
                <th scope="col" className="numeric">
                  Completed
                </th>
                <th scope="col" className="numeric">
                  Cancelled
                </th>
              </tr>
            </thead>
            <tbody>
              {busy.map((m) => (
                <tr key={m.minute}>
                  <td>{formatTime(m.minute)}</td>
                  <td className="numeric">{m.COMPLETED}</td>
                  <td className="numeric">{m.CANCELLED}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : (
        <p className="muted">No order ended in this window.</p>
      )}
    </figure>
  );
}
