/**
 * `npm run bench`: throughput and latency figures, printed, never asserted.
 *   --only=units|http|checkout|floor  one part (default all): units is what one step costs (a statement, a
 *                            transaction, an event, a request), measured alone; --unit-times=5000;
 *                            floor is the saga's messaging alone, no services (see saga-floor.ts)
 *   --modes=embedded,multi   checkout modes (multi needs POSTGRES_URL, RABBITMQ_URL, REDIS_URL)
 *   --duration=10            seconds per HTTP run;  --checkout-duration=20  seconds per checkout run
 *   --shoppers=50,400        concurrent shoppers per checkout run
 *   --warmup=5               seconds of checkout load before measuring
 * BENCH_SERVICE_LOG=/tmp/services.log keeps the services' output (warnings and errors), in either mode.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropNamespaceDatabases, type ServiceName, serviceDirectory } from '@bazaar/platform';
import pg from 'pg';
import { createStockedProduct, ShopClient } from '../e2e/support/shop-client';
import { ProcessPlatform } from '../launcher/processes';
import { cpuByProcess, machineCpu } from './cpu';
import { type LoadResult, loadUrl } from './http-load';
import { runSagaFloor } from './saga-floor';
import { OrderStream } from './sse-client';
import { runUnitCosts } from './unit-costs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
) as Record<string, string>;
const only = args.only;
const httpSeconds = Number(args.duration ?? 10);
const checkoutSeconds = Number(args['checkout-duration'] ?? 20);
const warmupSeconds = Number(args.warmup ?? 5);
const shopperCounts = (args.shoppers ?? '50,400').split(',').map(Number);
const infra = ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL'].every((v) => process.env[v]);
const modes = (args.modes ?? (infra ? 'embedded,multi' : 'embedded')).split(',') as ('embedded' | 'multi')[];
const ADMIN = { email: 'bench-admin@bazaar.local', password: 'correct-horse-battery-9' };

interface Target {
  gatewayUrl: string;
  catalogUrl: string;
  /** Every service's base URL (for its /metrics). */
  serviceUrls: string[];
  /** The run's databases on the server (multi-process mode): `bazaar_<namespace>…`. */
  namespace?: string;
  stop(): Promise<void>;
}

function benchEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LOG_LEVEL: 'warn',
    BAZAAR_ADMIN_EMAIL: ADMIN.email,
    BAZAAR_ADMIN_PASSWORD: ADMIN.password,
    BAZAAR_SEED_DEMO: '1',
    BAZAAR_NAMESPACE: `bench_${randomBytes(3).toString('hex')}_`,
    RATE_LIMIT_MAX: '100000000',
    AUTH_RATE_LIMIT_MAX: '100000000',
    SHIPPING_DELIVERY_DELAY_MS: '1000',
    // A run's queues go a minute after it ends; its databases are dropped by `stop`.
    BAZAAR_QUEUE_EXPIRES_MS: '60000',
  };
}

/** The embedded platform in a child process (so the load generator does not share its event loop). */
async function startEmbedded(): Promise<Target> {
  const env = benchEnv();
  for (const v of ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL']) delete env[v];
  env.BAZAAR_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'bazaar-bench-'));
  env.BAZAAR_PORT_OFFSET = '2100';
  delete env.PORT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-embedded.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log = process.env.BENCH_SERVICE_LOG;
  if (log) child.stdout?.on('data', (chunk: Buffer) => appendFileSync(log, chunk));
  await waitForOutput(child, 'Bazaar is running', 180_000);
  return {
    gatewayUrl: 'http://127.0.0.1:10180',
    catalogUrl: 'http://127.0.0.1:10182',
    serviceUrls: Object.values(serviceDirectory).map((d) => `http://127.0.0.1:${d.port + 2100}`),
    stop: () => stopChild(child),
  };
}

async function startMulti(): Promise<Target> {
  const env = benchEnv();
  const platform = new ProcessPlatform({
    env,
    portOffset: 2100,
    output: process.env.BENCH_SERVICE_LOG
      ? (name, line) => appendFileSync(process.env.BENCH_SERVICE_LOG!, `${name} ${line}\n`)
      : undefined,
  });
  await platform.startAll();
  return {
    gatewayUrl: platform.gatewayUrl,
    catalogUrl: platform.urlOf('catalog'),
    serviceUrls: Object.keys(serviceDirectory).map((name) => platform.urlOf(name as ServiceName)),
    namespace: env.BAZAAR_NAMESPACE,
    stop: async () => {
      await platform.stopAll();
      await dropNamespaceDatabases(process.env.POSTGRES_URL!, env.BAZAAR_NAMESPACE!);
    },
  };
}

async function runHttp() {
  const target = infra ? await startMulti() : await startEmbedded();
  const hello = spawn(process.execPath, ['--import', 'tsx', 'bench/hello-server.ts'], {
    env: { ...process.env, PORT: '10099' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitForOutput(hello, 'ready', 30_000);
  const list = '/api/v1/products?limit=20';
  const runs: [string, string, Record<string, string>?][] = [
    ['bare Fastify hello', 'http://127.0.0.1:10099/'],
    ['catalog direct (20 products)', `${target.catalogUrl}${list}`],
    ['gateway → catalog (20 products)', `${target.gatewayUrl}${list}`],
    // `no-cache` makes the gateway forward every request: the cost of the hop itself.
    ['gateway, every request forwarded', `${target.gatewayUrl}${list}`, { 'cache-control': 'no-cache' }],
  ];
  const results: LoadResult[] = [];
  for (const [name, url, headers] of runs) {
    await loadUrl(name, url, { durationSeconds: 2, headers }); // warm-up: JIT, caches, keep-alive pools
    results.push(await loadUrl(name, url, { durationSeconds: httpSeconds, headers }));
  }
  await stopChild(hello);
  await target.stop();
  const base = results[0]!.requestsPerSecond;
  console.log(
    `\nHTTP, 50 connections, ${httpSeconds} s each (${infra ? 'multi-process, PostgreSQL/Redis' : 'embedded'})`,
  );
  console.table(
    results.map((r) => ({
      run: r.name,
      'req/s': Math.round(r.requestsPerSecond),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      'vs hello': (r.requestsPerSecond / base).toFixed(2),
      errors: r.errors + r.non2xx,
    })),
  );
  return results;
}

async function runCheckout(mode: 'embedded' | 'multi', shoppers: number) {
  const target = mode === 'multi' ? await startMulti() : await startEmbedded();
  try {
    const admin = await ShopClient.login(target.gatewayUrl, ADMIN.email, ADMIN.password);
    const initialStock = 1_000_000;
    const product = await createStockedProduct(admin, {
      price: 1234,
      stock: initialStock,
      name: 'Benchmark mug',
    });
    const clients: ShopClient[] = [];
    for (let i = 0; i < shoppers; i += 20) {
      const batch = Math.min(20, shoppers - i);
      clients.push(
        ...(await Promise.all(Array.from({ length: batch }, () => ShopClient.register(target.gatewayUrl)))),
      );
    }
    const streams = await Promise.all(
      clients.map((c) => OrderStream.open(target.gatewayUrl, c.session!.accessToken)),
    );

    const latencies: number[] = [];
    /** How long the checkout request took (retries included): the part of a latency before the saga. */
    const answered: number[] = [];
    let placed = 0;
    const errorKinds = new Map<string, number>();
    let errors = 0;
    let retries = 0;
    let cancelled = 0;
    const retryable = new Set([409, 429, 502, 503, 504]);
    // Retries follow Retry-After (or back off), within a budget of 30 s per call.
    const withRetries = async <T extends { status: number; body: unknown; headers?: Headers }>(
      attempt: () => Promise<T>,
    ) => {
      const giveUpAt = Date.now() + 30_000;
      for (let n = 1; ; n++) {
        const res = await attempt();
        if (res.status < 300) return res;
        const after = Number(res.headers?.get('retry-after') ?? Number.NaN);
        const waitMs = Number.isFinite(after) ? after * 1000 : Math.min(200 * n, 2_000);
        if (!retryable.has(res.status) || Date.now() + waitMs > giveUpAt) {
          const code = (res.body as { code?: string } | undefined)?.code ?? '';
          throw new Error(`${res.status} ${code}`);
        }
        retries++;
        await new Promise((r) => setTimeout(r, waitMs));
      }
    };
    // Measuring starts once the first seconds have warmed up (JIT, pools, caches) and every shopper is in:
    // has had a checkout answered. Shoppers that start together open their connections together, and a
    // saturated process accepts one new connection per turn of its event loop, so the last of 400 may
    // wait a minute to get in (see the README); that ramp-up is reported apart, not mixed into the
    // steady state's latencies. After a minute the run is measured whoever is in.
    const runStart = Date.now();
    let started = Number.POSITIVE_INFINITY;
    let endAt = Number.POSITIVE_INFINITY;
    let warm = false;
    let allInMs: number | undefined;
    let inAtStart = 0;
    const entered = new Set<number>();
    let cpuBefore: ReturnType<typeof machineCpu>;
    let byProcessBefore = new Map<string, number>();
    let workBefore: Promise<WorkCounts> | undefined;
    const startMeasuring = (force = false) => {
      if (started !== Number.POSITIVE_INFINITY || !warm || (!force && entered.size < clients.length)) return;
      started = Date.now();
      endAt = started + checkoutSeconds * 1000;
      inAtStart = entered.size;
      cpuBefore = machineCpu();
      byProcessBefore = cpuByProcess();
      workBefore = workCounts(target);
    };
    const enter = (i: number) => {
      if (entered.has(i)) return;
      entered.add(i);
      if (entered.size === clients.length) allInMs = Date.now() - runStart;
      startMeasuring();
    };
    const warmedUp = setTimeout(() => {
      warm = true;
      startMeasuring();
    }, warmupSeconds * 1000);
    const rampLimit = setTimeout(() => startMeasuring(true), (warmupSeconds + 60) * 1000);
    await Promise.all(
      clients.map(async (client, i) => {
        while (Date.now() < endAt) {
          try {
            // A shopper retries what the platform answers with 503/409/429, as the API asks; the checkout
            // keeps its Idempotency-Key across attempts, so a retry never places a second order.
            await withRetries(() =>
              client.request('POST', '/api/v1/cart/items', { sku: product.sku, quantity: 1 }),
            );
            const counted = Date.now() >= started;
            const t0 = performance.now();
            const key = randomUUID();
            const res = await withRetries(() => client.checkout('pm_card_visa', key));
            const answeredAt = performance.now();
            enter(i);
            if (counted) placed++;
            const { status, atMs } = await streams[i]!.waitFor(
              res.body.orderId,
              ['COMPLETED', 'CANCELLED'],
              120_000,
            );
            if (!counted) continue;
            if (status === 'COMPLETED') {
              latencies.push(atMs - t0);
              answered.push(answeredAt - t0);
            } else cancelled++;
          } catch (err) {
            errors++;
            // Group by message without ids, so that the kinds of failure can be told apart.
            const kind = String((err as Error).message)
              .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')
              .slice(0, 160);
            errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
          }
        }
      }),
    );
    clearTimeout(warmedUp);
    clearTimeout(rampLimit);
    const elapsed = (Date.now() - started) / 1000;
    const cpuAfter = machineCpu();
    const byProcessAfter = cpuByProcess();
    const workAfter = await workCounts(target);
    for (const s of streams) s.close();

    // Correctness: let stragglers settle (final statuses, and every reservation committed or released),
    // then count what must be zero.
    const settled = new Set(['COMPLETED', 'DELIVERED', 'CANCELLED']);
    const deadline = Date.now() + 90_000;
    let notFinal = placed;
    let sold = 0;
    let stock = await admin.ok('GET', `/api/v1/inventory/${product.sku}`);
    while (Date.now() < deadline) {
      // Every order the platform holds, as an administrator sees them: also those whose checkout answer
      // never reached the shopper.
      type OrderView = { status: string; lines: { sku: string; quantity: number }[] };
      const views: OrderView[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: OrderView[]; nextCursor: string | null } = await admin.ok(
          'GET',
          `/api/v1/orders?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        );
        views.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      notFinal = views.filter((v) => !settled.has(v.status)).length;
      // Units, not orders: a shopper whose checkout failed adds to a cart that still holds the first item.
      sold = views
        .filter((v) => v.status !== 'CANCELLED')
        .flatMap((v) => v.lines)
        .filter((l) => l.sku === product.sku)
        .reduce((sum, l) => sum + l.quantity, 0);
      stock = await admin.ok('GET', `/api/v1/inventory/${product.sku}`);
      if (notFinal === 0 && stock.reserved === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const summary = await admin.ok('GET', '/api/v1/payments/summary');
    // Every unit that left the shelf must belong to an order that was not cancelled, and no more.
    const drift = initialStock - stock.onHand - sold;
    const percentile = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return (p: number) =>
        sorted.length
          ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(0)
          : '-';
    };
    const pct = percentile(latencies);
    const answeredPct = percentile(answered);
    for (const [kind, count] of errorKinds) console.log(`  ${mode}/${shoppers}: ${count} × ${kind}`);
    const perOrder: Record<string, string> = { run: `${mode}/${shoppers}` };
    const spent = [...byProcessAfter].map(
      ([name, ms]) => [name, ms - (byProcessBefore.get(name) ?? 0)] as const,
    );
    for (const [name, ms] of spent.sort((a, b) => b[1] - a[1])) {
      if (latencies.length && ms > 0) perOrder[name] = (ms / latencies.length).toFixed(1);
    }
    cpuBreakdown.push(perOrder);
    if (workBefore && latencies.length) {
      const before = await workBefore;
      const per = (after?: number, at?: number) =>
        after === undefined || at === undefined ? undefined : (after - at) / latencies.length;
      workPerOrder.push({
        run: `${mode}/${shoppers}`,
        published: per(workAfter.published, before.published),
        consumed: per(workAfter.consumed, before.consumed),
        transactions: per(workAfter.transactions, before.transactions),
      });
    }
    return {
      mode,
      shoppers,
      // How long until every shopper had a checkout answered (measuring waits for it).
      'all in after s':
        allInMs === undefined || inAtStart < clients.length
          ? `${inAtStart} in at ${((started - runStart) / 1000).toFixed(0)}`
          : (allInMs / 1000).toFixed(0),
      'completed/s': (latencies.length / elapsed).toFixed(1),
      completed: latencies.length,
      'p50 ms': pct(50),
      'p95 ms': pct(95),
      'p99 ms': pct(99),
      'checkout answered p50/p99 ms': `${answeredPct(50)} / ${answeredPct(99)}`,
      // Every process on the machine (services, databases, broker, this load generator) per order.
      'CPU ms/order':
        cpuBefore && cpuAfter && latencies.length
          ? ((cpuAfter.busyMs - cpuBefore.busyMs) / latencies.length).toFixed(0)
          : '-',
      'CPU busy':
        cpuBefore && cpuAfter
          ? `${((100 * (cpuAfter.busyMs - cpuBefore.busyMs)) / (cpuAfter.totalMs - cpuBefore.totalMs)).toFixed(0)} %`
          : '-',
      errors,
      retried: retries,
      cancelled,
      'units oversold': Math.max(0, -drift) + Math.max(0, -stock.available),
      'units lost': Math.max(0, drift) + stock.reserved,
      'charged twice': summary.ordersChargedTwice,
      'not final': notFinal,
    };
  } finally {
    await target.stop();
  }
}

/** Steps per completed order: events published from outboxes and consumed through inboxes, transactions. */
function printWorkPerOrder() {
  if (workPerOrder.length === 0) return;
  console.log('\nSteps per completed order (events out of outboxes, events into inboxes, transactions)');
  console.table(
    workPerOrder.map((w) => ({
      run: w.run,
      published: w.published?.toFixed(1) ?? '-',
      consumed: w.consumed?.toFixed(1) ?? '-',
      transactions: w.transactions?.toFixed(1) ?? '-',
    })),
  );
}

async function main() {
  if (!only || only === 'units') {
    await runUnitCosts({
      postgresUrl: process.env.POSTGRES_URL,
      rabbitmqUrl: process.env.RABBITMQ_URL,
      times: Number(args['unit-times'] ?? 5000),
    });
  }
  if (!only || only === 'http') await runHttp();
  if (!process.env.POSTGRES_URL || !process.env.RABBITMQ_URL) {
    if (only === 'floor') console.log('the saga floor needs POSTGRES_URL and RABBITMQ_URL');
  } else if (!only || only === 'floor') {
    const rows = [];
    for (const concurrency of shopperCounts) {
      rows.push(
        await runSagaFloor({
          postgresUrl: process.env.POSTGRES_URL!,
          rabbitmqUrl: process.env.RABBITMQ_URL!,
          chain: 6,
          side: 8,
          watched: [1, 3, 4],
          stages: 7,
          concurrency,
          warmupSeconds,
          durationSeconds: checkoutSeconds,
        }),
      );
    }
    console.log(
      `\nThe saga's floor: an order as its events alone (outbox, confirm, quorum queue, inbox), ${checkoutSeconds} s per run`,
    );
    console.table(rows);
  }
  if (!only || only === 'checkout') {
    const rows = [];
    for (const mode of modes) {
      if (mode === 'multi' && !infra) {
        console.log('multi-process checkout skipped: set POSTGRES_URL, RABBITMQ_URL and REDIS_URL');
        continue;
      }
      for (const shoppers of shopperCounts) rows.push(await runCheckout(mode, shoppers));
    }
    console.log(`\nCheckout → COMPLETED, ${checkoutSeconds} s per run (pm_card_visa, 1 item per order)`);
    console.table(rows);
    console.log('\nCPU ms per completed order, by process');
    console.table(cpuBreakdown);
    printWorkPerOrder();
  }
  process.exit(0);
}

const cpuBreakdown: Record<string, string>[] = [];

interface WorkCounts {
  published: number;
  consumed: number;
  transactions?: number;
}
const workPerOrder: ({ run: string } & Partial<WorkCounts>)[] = [];

/**
 * How much work the platform has done so far: events published from outboxes and consumed through
 * inboxes (from each service's /metrics), and committed transactions in the run's databases.
 */
async function workCounts(target: Target): Promise<WorkCounts> {
  const sum = (text: string, metric: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const pages = await Promise.all(
    target.serviceUrls.map((url) =>
      fetch(`${url}/metrics`)
        .then((r) => r.text())
        .catch(() => ''),
    ),
  );
  const counts: WorkCounts = {
    published: pages.reduce((n, page) => n + sum(page, 'outbox_published_events_total'), 0),
    consumed: pages.reduce((n, page) => n + sum(page, 'events_consumed_total'), 0),
  };
  if (target.namespace && process.env.POSTGRES_URL) {
    const client = new pg.Client({ connectionString: process.env.POSTGRES_URL });
    await client.connect();
    try {
      // Statistics reach the view when a backend reports them (at most once a second): good over a run.
      const { rows } = await client.query<{ n: string }>(
        'select coalesce(sum(xact_commit), 0) as n from pg_stat_database where starts_with(datname, $1)',
        [`bazaar_${target.namespace}`],
      );
      counts.transactions = Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  }
  return counts;
}

function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}"`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before "${text}"`)));
  });
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

await main();
