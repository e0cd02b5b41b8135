import { AppError, consumingServices, type SagaTrailStep, type ServiceName } from '@bazaar/platform';
import type { GatewayConfig } from '../config';

/** How long the console waits for one service before it calls it down. */
export const PROBE_TIMEOUT_MS = 1_500;

export type UpstreamName = Exclude<ServiceName, 'gateway'>;

export interface ServiceHealth {
  name: string;
  status: 'up' | 'down';
  latencyMs: number;
  checks?: Record<string, string>;
  error?: string;
}

export interface UpstreamAnswer {
  status: number;
  contentType: string;
  body: unknown;
}

export interface TimelineStep extends SagaTrailStep {
  service: string;
}

/** The address of every service behind the gateway, from its configuration. */
export function upstreamUrls(config: GatewayConfig): Record<UpstreamName, string> {
  return {
    identity: config.IDENTITY_URL,
    catalog: config.CATALOG_URL,
    inventory: config.INVENTORY_URL,
    cart: config.CART_URL,
    orders: config.ORDERS_URL,
    payments: config.PAYMENTS_URL,
    shipping: config.SHIPPING_URL,
    notifications: config.NOTIFICATIONS_URL,
  };
}

/**
 * The gateway's calls to the services for the operations console. The operator's own bearer token goes
 * along: each service checks that it is an admin's, trusting nothing the gateway says.
 */
export class OperationsClient {
  constructor(
    private readonly urls: Record<UpstreamName, string>,
    private readonly timeoutMs: number,
  ) {}

  /** Every service's readiness, at once. */
  async probeAll(): Promise<ServiceHealth[]> {
    return Promise.all((Object.keys(this.urls) as UpstreamName[]).map((name) => this.probe(name)));
  }

  async call(
    service: UpstreamName,
    path: string,
    init: { method?: string; authorization?: string; body?: unknown } = {},
  ): Promise<UpstreamAnswer> {
    let res: Response;
    try {
      res = await this.send(service, path, init);
    } catch (err) {
      throw new AppError(
        'unavailable',
        'operations.service_unavailable',
        `${service} did not answer (${describeFailure(err)}); try again shortly.`,
      );
    }
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? 'application/json',
      body: text ? JSON.parse(text) : undefined,
    };
  }

  private send(
    service: UpstreamName,
    path: string,
    init: { method?: string; authorization?: string; body?: unknown },
  ): Promise<Response> {
    return fetch(`${this.urls[service]}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.authorization ? { authorization: init.authorization } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  /** Asks one service's /readyz, with the probe timeout: a service that does not answer in time is down. */
  async probe(service: UpstreamName): Promise<ServiceHealth> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const res = await fetch(`${this.urls[service]}/readyz`, {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      const body = (await res.json().catch(() => ({}))) as { checks?: Record<string, string> };
      return {
        name: service,
        status: res.ok ? 'up' : 'down',
        latencyMs: latency(),
        ...(body.checks ? { checks: body.checks } : {}),
      };
    } catch (err) {
      return { name: service, status: 'down', latencyMs: latency(), error: describeFailure(err) };
    }
  }

  /**
   * One order's saga as every consuming service saw it, merged and sorted by time. A service that does not
   * answer is named in `unavailable` rather than failing the whole timeline.
   */
  async sagaTimeline(orderId: string, authorization: string | undefined) {
    const answers = await Promise.all(
      consumingServices.map(async (service) => {
        try {
          const res = await this.call(service, `/internal/saga/${encodeURIComponent(orderId)}`, {
            authorization,
          });
          return { service, res };
        } catch (err) {
          return { service, error: describeFailure(err) };
        }
      }),
    );
    const steps: TimelineStep[] = [];
    const unavailable: string[] = [];
    for (const answer of answers) {
      if (answer.res?.status !== 200) {
        unavailable.push(answer.service);
        continue;
      }
      for (const step of (answer.res.body as { steps: SagaTrailStep[] }).steps) {
        steps.push({ ...step, service: answer.service });
      }
    }
    return { steps: steps.sort(byTimeThenPublishedFirst), unavailable };
  }
}

/** Same instant: the publication of an event comes before its handling. */
function byTimeThenPublishedFirst(a: TimelineStep, b: TimelineStep): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.action !== b.action) return a.action === 'published' ? -1 : 1;
  return a.service.localeCompare(b.service);
}

function describeFailure(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (err instanceof Error ? err.message : 'failed');
}
