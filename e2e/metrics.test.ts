import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEvent, sampleEventData } from '@bazaar/contracts';
import { eventually, freePort, metricValue } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../launcher/platform';
import type { ProcessPlatform } from '../launcher/processes';
import { type ProcessPlatformRun, startProcessPlatform } from './support/outages';
import { ADMIN, checkOutToCompleted, publishRaw, startE2ePlatform, testModes } from './support/platforms';
import { ShopClient } from './support/shop-client';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';

/** Whether a Prometheus tool runs here; in CI a missing one fails the suite instead of skipping it. */
function toolAvailable(command: string): boolean {
  const found = spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI) throw new Error(`CI needs ${command} (Debian's prometheus package)`);
  return found;
}

const hasPromtool = toolAvailable(PROMTOOL);
const hasPrometheus = toolAvailable(PROMETHEUS);
const infra = ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL'].every((v) => process.env[v]);
if (!infra && process.env.CI)
  throw new Error('the metrics test needs POSTGRES_URL, RABBITMQ_URL and REDIS_URL in CI');

/** `promtool check metrics` on a /metrics answer: its exit status and what it found wrong. */
function promtoolCheck(exposition: string): { status: number | null; problems: string } {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: run.status, problems: `${run.stdout}${run.stderr}`.trim() };
}

async function scrape(serviceUrl: string): Promise<string> {
  const res = await fetch(`${serviceUrl}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Every service's /metrics passes promtool; the answer names what failed for which service. */
async function expectPromtoolPasses(urls: Record<string, string>) {
  const failures: Record<string, string> = {};
  for (const [service, url] of Object.entries(urls)) {
    const { status, problems } = promtoolCheck(await scrape(url));
    if (status !== 0) failures[service] = problems || `exit status ${status}`;
  }
  expect(failures).toEqual({});
}

describe.skipIf(!hasPromtool).each(testModes())('metrics of every service (%s)', (mode) => {
  let platform: Platform;
  let admin: ShopClient;
  const urlOf = (name: keyof Platform['services']) => platform.services[name]!.url;

  beforeAll(async () => {
    // Public answers kept long enough for a second look to find them in the gateway's cache.
    platform = await startE2ePlatform(mode, { CATALOG_PUBLIC_MAX_AGE_SECONDS: '30' });
    admin = await ShopClient.login(platform.gatewayUrl, ADMIN.email, ADMIN.password);
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
  });

  it('counts a completed order, cache hits and a dead letter, and promtool accepts every /metrics', async () => {
    const { product } = await checkOutToCompleted(admin, await ShopClient.register(platform.gatewayUrl));
    const orders = await scrape(urlOf('orders'));
    expect(metricValue(orders, 'orders_finished_total', { final_state: 'COMPLETED' })).toBe(1);
    expect(metricValue(orders, 'orders_created_total')).toBe(1);
    expect(metricValue(await scrape(urlOf('payments')), 'payments_total', { outcome: 'succeeded' })).toBe(1);

    // An anonymous visitor looks at the product until the gateway answers from its cache; asking for
    // no-cache goes past it to the catalog, which answers from its own.
    const anonymous = new ShopClient(platform.gatewayUrl);
    await eventually(
      async () => {
        await anonymous.request('GET', `/api/v1/products/${product.id}`);
        const gateway = await scrape(urlOf('gateway'));
        return (
          (metricValue(gateway, 'cache_requests_total', { cache: 'responses', result: 'hit' }) ?? 0) >= 1
        );
      },
      { what: 'a hit in the gateway response cache' },
    );
    await fetch(`${platform.gatewayUrl}/api/v1/products/${product.id}`, {
      headers: { 'cache-control': 'no-cache' },
    });
    const catalog = await scrape(urlOf('catalog'));
    expect(
      metricValue(catalog, 'cache_requests_total', { cache: 'answers', result: 'miss' }),
    ).toBeGreaterThan(0);
    expect(metricValue(catalog, 'cache_requests_total', { cache: 'answers', result: 'hit' })).toBeGreaterThan(
      0,
    );
    const cart = await scrape(urlOf('cart'));
    expect(metricValue(cart, 'cache_requests_total', { cache: 'products', result: 'miss' })).toBeGreaterThan(
      0,
    );

    // An event no consumer can read: inventory dead-letters it at once, and its gauge shows it waiting.
    const poison = {
      ...createEvent('OrderCancelled', sampleEventData('OrderCancelled'), {
        source: '/bazaar/e2e',
        correlationId: 'metrics-dead-letter',
      }),
      data: { orderId: 'not-a-uuid' },
    };
    await publishRaw(platform, poison);
    const inventory = await eventually(
      async () => {
        const text = await scrape(urlOf('inventory'));
        const waiting = metricValue(text, 'dead_letters') ?? 0;
        return waiting >= 1 && metricValue(text, 'events_dead_lettered_total') !== undefined
          ? text
          : undefined;
      },
      { what: 'the dead letter in the inventory gauge', timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(metricValue(inventory, 'events_dead_lettered_total', { type: 'OrderCancelled' })).toBe(1);
    expect(
      metricValue(inventory, 'events_consumed_total', { type: 'OrderCancelled', outcome: 'failed' }),
    ).toBe(1);
    expect(metricValue(inventory, 'event_retries_total')).toBeUndefined();

    const urls = Object.fromEntries(Object.entries(platform.services).map(([name, s]) => [name, s.url]));
    expect(Object.keys(urls)).toHaveLength(9);
    await expectPromtoolPasses(urls);
  }, 120_000);
});

/** A real Prometheus scraping `targets` every second, its data in a temporary folder. */
async function startPrometheus(targets: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bazaar-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: bazaar',
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', process.env.E2E_VERBOSE ? 'inherit' : 'ignore'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => (await fetch(`${url}/-/ready`)).ok, {
      what: 'Prometheus ready',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  } catch (err) {
    await stop();
    throw err;
  }

  /** The value of an instant query's single answer, or undefined when it has none. */
  const query = async (promql: string): Promise<number | undefined> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; data: { result: { value: [number, string] }[] } };
    expect(body.status).toBe('success');
    const [first] = body.data.result;
    return first ? Number(first.value[1]) : undefined;
  };
  /** Each target's health and last scrape error, by address. */
  const health = async (): Promise<Record<string, string>> => {
    const res = await fetch(`${url}/api/v1/targets`);
    const body = (await res.json()) as {
      data: { activeTargets: { scrapeUrl: string; health: string; lastError: string }[] };
    };
    return Object.fromEntries(
      body.data.activeTargets.map((t) => [
        t.scrapeUrl,
        t.lastError ? `${t.health}: ${t.lastError}` : t.health,
      ]),
    );
  };
  return { url, query, health, stop };
}

// The local-distributed mode (each service its own OS process) scraped by a real Prometheus.
describe.skipIf(!infra || !hasPrometheus || !hasPromtool)(
  'metrics scraped by Prometheus (multi-process)',
  () => {
    let run: ProcessPlatformRun;
    let platform: ProcessPlatform;
    let prometheus: Awaited<ReturnType<typeof startPrometheus>>;

    beforeAll(async () => {
      run = await startProcessPlatform();
      platform = run.platform;
      const targets = [...platform.processes.values()].map((p) => new URL(p.url).host);
      prometheus = await startPrometheus(targets);
    }, 180_000);
    afterAll(async () => {
      await prometheus?.stop();
      await platform?.stopAll();
      if (run) rmSync(run.dataDir, { recursive: true, force: true });
    });

    it('answers how many orders completed, from every service scraped', async () => {
      await checkOutToCompleted(run.admin, await ShopClient.register(platform.gatewayUrl));
      const completed = await eventually(
        async () => {
          const value = await prometheus.query('sum(orders_finished_total{final_state="COMPLETED"})');
          return value !== undefined && value >= 1 ? value : undefined;
        },
        { what: 'Prometheus counting the completed order', timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(completed).toBeGreaterThanOrEqual(1);
      // Every service was scraped and its answer taken: a malformed exposition would leave it down. (The
      // first scrapes of the nine are spread over the interval; a busy machine may time one out.)
      const targets = await eventually(
        async () => {
          const now = await prometheus.health();
          return Object.values(now).filter((h) => h === 'up').length === 9 ? now : undefined;
        },
        { what: 'nine targets up', timeoutMs: 30_000, intervalMs: 500 },
      ).catch(() => prometheus.health());
      expect(Object.values(targets)).toEqual(Array(9).fill('up'));
      expect(await prometheus.query('count(up == 1)')).toBe(9);
      expect(await prometheus.query('count(count by (service) (process_cpu_seconds_total))')).toBe(9);
      expect(await prometheus.query('sum(orders_created_total)')).toBeGreaterThanOrEqual(1);

      const urls = Object.fromEntries([...platform.processes.values()].map((p) => [p.name, p.url]));
      await expectPromtoolPasses(urls);
    }, 120_000);
  },
);
