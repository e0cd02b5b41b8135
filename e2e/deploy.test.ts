/**
 * The deployment files hold together: the image runs what `npm run build` makes, every bundled service
 * starts from dist/ against the real servers, the Compose file and the Kubernetes manifests are valid and
 * point at things that exist, Prometheus takes the config and the alerts fire, and the dashboard queries
 * only metrics the services export.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dropNamespaceDatabases } from '@bazaar/platform';
import { freePort, testEnv, testModes } from '@bazaar/platform/testing';
import { Redis } from 'ioredis';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { assertExternalsInstalledInProduction, listServices } from '../scripts/build';
import { buildKustomization, containersOf, type KubeObject, podSpecOf } from './support/kustomize';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const deploy = path.join(root, 'deploy');
const run = promisify(execFile);
const services = listServices();

/** A Debian tool the suite runs (.ci/run installs them): missing, its checks are skipped here and fail in CI. */
function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI) throw new Error(`CI needs ${tool} (apt-get install ${tool})`);
    return false;
  }
}

/** The metrics the services export (packages/platform/src/metrics.ts, the orders service's saga metrics). */
const exportedMetrics = [
  'http_request_duration_seconds',
  'events_consumed_total',
  'event_handling_duration_seconds',
  'event_retries_total',
  'events_dead_lettered_total',
  'dead_letters',
  'outbox_lag_seconds',
  'outbox_backlog',
  'outbox_published_events_total',
  'saga_duration_seconds',
  'orders_finished_total',
  'orders_created_total',
  'sagas_stuck',
  'cache_requests_total',
];
const histograms = [
  'http_request_duration_seconds',
  'event_handling_duration_seconds',
  'saga_duration_seconds',
];

let building: Promise<unknown> | undefined;
/** `npm run build`, once for the file (the bundles are what several suites look at). */
const buildOnce = () => {
  building ??= run('npm', ['run', 'build'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  return building;
};

describe('the image runs what npm run build makes', () => {
  beforeAll(buildOnce, 300_000);

  it('the build stage runs npm run build; the runtime stage copies what it made and starts a bundle', () => {
    const stages = parseDockerfile(readFileSync(path.join(deploy, 'Dockerfile'), 'utf8'));
    const build = stages.find((s) => s.name === 'build');
    expect(build?.instructions.some((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args))).toBe(true);

    const runtime = stages.at(-1)!;
    const fromBuild = runtime.instructions.filter((i) => i.op === 'COPY' && i.args.includes('--from=build'));
    expect(fromBuild.length).toBeGreaterThan(0);
    for (const copy of fromBuild) {
      for (const source of copySources(copy.args)) {
        // The build stage works in /app, a copy of the repository.
        expect(existsSync(path.join(root, path.relative('/app', source))), source).toBe(true);
      }
    }
    for (const copy of runtime.instructions.filter((i) => i.op === 'COPY' && !i.args.includes('--from='))) {
      for (const source of copySources(copy.args))
        expect(existsSync(path.join(root, source)), source).toBe(true);
    }
    const entrypoint = runtime.instructions.find((i) => i.op === 'ENTRYPOINT');
    expect(JSON.parse(entrypoint!.args)).toEqual(['sh', '/app/docker-entrypoint.sh']);
    expect(runtime.instructions.some((i) => i.op === 'USER' && i.args !== 'root')).toBe(true);
    expect(runtime.instructions.some((i) => i.op === 'HEALTHCHECK' && i.args.includes('/readyz'))).toBe(true);

    // What the entry point starts: a bundle per service, the telemetry bootstrap, migrations beside them.
    expect(existsSync(path.join(root, 'dist/telemetry.js'))).toBe(true);
    for (const name of services) {
      expect(existsSync(path.join(root, `dist/services/${name}/src/main.js`)), name).toBe(true);
      if (existsSync(path.join(root, `services/${name}/migrations`))) {
        expect(readdirSync(path.join(root, `dist/services/${name}/migrations`))).toEqual(
          readdirSync(path.join(root, `services/${name}/migrations`)),
        );
      }
    }
    if (existsSync(path.join(root, 'web/index.html'))) {
      expect(existsSync(path.join(root, 'dist/web/dist/index.html'))).toBe(true);
    }
  });

  it('the build refuses a bundle that imports a package only development installs', () => {
    const importing = (...paths: string[]) => ({
      inputs: {},
      outputs: {
        'dist/services/x/src/main.js': {
          imports: paths.map((p) => ({ path: p, kind: 'import-statement' as const, external: true })),
          exports: [],
          inputs: {},
          bytes: 0,
        },
      },
    });
    expect(() =>
      assertExternalsInstalledInProduction(importing('node:fs', 'pg', 'fastify/types', '@opentelemetry/api')),
    ).not.toThrow();
    expect(() => assertExternalsInstalledInProduction(importing('pg', 'kubernetes-models/v1'))).toThrow(
      /kubernetes-models/,
    );
  });

  it('the entry point refuses to start without a service name, and names the services', async () => {
    const image = imageLayout();
    try {
      const failed = await run('sh', [path.join(image, 'docker-entrypoint.sh')], {
        env: { PATH: process.env.PATH },
      })
        .then(() => undefined)
        .catch((err: { code: number; stderr: string }) => err);
      expect(failed?.code).toBe(64);
      for (const name of services) expect(failed?.stderr).toContain(name);
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!testModes().includes('server'))(
  'every bundled service, started as the image starts it',
  () => {
    const env = testEnv('server', { LOG_LEVEL: 'warn', NODE_ENV: 'production' });
    const namespace = env.BAZAAR_NAMESPACE!;
    const started: RunningBundle[] = [];
    let image = '';

    beforeAll(async () => {
      await buildOnce();
      image = imageLayout();
      // Spans go nowhere (a closed port): the bootstrap still loads and instruments the external packages.
      env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
      const identity = await startBundle(image, 'identity', env);
      started.push(identity);
      env.IDENTITY_URL = identity.url;
      started.push(
        ...(await Promise.all(
          services.filter((s) => s !== 'identity').map((s) => startBundle(image, s, env)),
        )),
      );
    }, 180_000);

    afterAll(async () => {
      await Promise.all(started.map((s) => s.stop()));
      if (image) rmSync(image, { recursive: true, force: true });
      await dropNamespaceDatabases(process.env.POSTGRES_URL!, namespace);
      await deleteRedisKeys(namespace);
    }, 60_000);

    it('answers /readyz, each with its database migrated from dist/', async () => {
      expect(started.map((s) => s.name).sort()).toEqual([...services].sort());
      for (const service of started) {
        const response = await fetch(`${service.url}/readyz`);
        expect(response.status, `${service.name}: ${service.output()}`).toBe(200);
        expect(await response.json()).toMatchObject({ status: 'ready' });
      }
      for (const name of services) {
        const folder = path.join(root, `services/${name}/migrations`);
        if (!existsSync(folder)) continue;
        const committed = readdirSync(folder).filter((f) => f.endsWith('.sql')).length;
        expect(await appliedMigrations(name, namespace), name).toBe(committed);
      }
    });

    it.skipIf(!existsSync(path.join(root, 'web/index.html')))(
      'the gateway serves the storefront from dist/',
      async () => {
        const gateway = started.find((s) => s.name === 'gateway')!;
        const response = await fetch(`${gateway.url}/`, { headers: { accept: 'text/html' } });
        expect(response.status).toBe(200);
        expect(await response.text()).toBe(readFileSync(path.join(root, 'dist/web/dist/index.html'), 'utf8'));
      },
    );
  },
);

describe('docker-compose file', () => {
  const composeFile = path.join(deploy, 'docker-compose.yml');

  it.skipIf(!hasTool('docker-compose'))('is valid, and builds and runs what exists', async () => {
    const { stdout } = await run('docker-compose', ['-f', composeFile, 'config'], { cwd: deploy });
    const compose = parseYaml(stdout) as {
      services: Record<string, ComposeService>;
    };
    const bazaar = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(bazaar.map(([name]) => name).sort()).toEqual([...services].sort());
    for (const [name, service] of bazaar) {
      expect(existsSync(path.join(service.build!.context, service.build!.dockerfile)), name).toBe(true);
      expect(service.command, name).toEqual([name]);
      for (const variable of ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
        expect(service.environment?.[variable], `${name} ${variable}`).toBeTruthy();
      }
    }
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = compose.services[dependency];
        expect(target, `${name} depends on ${dependency}`).toBeDefined();
        // Healthy means a health check: the infrastructure's own, or the image's HEALTHCHECK.
        if (condition === 'service_healthy') expect(target!.healthcheck ?? target!.build).toBeTruthy();
      }
    }
    expect(
      compose.services.gateway?.ports?.map((p) => (typeof p === 'string' ? p : String(p.target))),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/8080/)]));
    expect(compose.services.notifications?.environment?.SMTP_URL).toContain('mailpit');

    // Every bind-mounted file or folder is in the repository.
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source;
        if (source.startsWith('/')) expect(existsSync(source), source).toBe(true);
      }
    }
  });

  it('PostgreSQL gets a database per service, and Prometheus scrapes every service', () => {
    const init = readFileSync(path.join(deploy, 'postgres/init-databases.sql'), 'utf8');
    for (const name of services) {
      if (existsSync(path.join(root, `services/${name}/migrations`))) {
        expect(init).toContain(`create database bazaar_${name};`);
      }
    }
    const prometheus = parseYaml(readFileSync(path.join(deploy, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs
      .find((c) => c.job_name === 'bazaar')!
      .static_configs.flatMap((c) => c.targets);
    expect(targets.sort()).toEqual(services.map((s) => `${s}:8080`).sort());
  });
});

describe.runIf(hasTool('kubectl'))('Kubernetes manifests (kubectl kustomize)', () => {
  const base = buildKustomization(path.join(deploy, 'k8s/base'));
  const overlay = buildKustomization(path.join(deploy, 'k8s/overlays/example'));

  it.each([
    ['base', base],
    ['example overlay', overlay],
  ])('%s: every object validates against the Kubernetes schema and references what exists', (_, objects) => {
    for (const object of objects) validateObject(object);
    assertReferencesResolve(objects);
  });

  it('runs every service with probes, resources, a disruption budget; autoscales gateway, catalog, orders', () => {
    const deployments = base.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...services].sort());
    for (const deployment of deployments) {
      const [container] = podSpecOf(deployment)!.containers;
      expect(container!.args).toEqual([deployment.metadata.name]);
      expect(container!.readinessProbe).toMatchObject({ httpGet: { path: '/readyz' } });
      expect(container!.livenessProbe).toMatchObject({ httpGet: { path: '/healthz' } });
      expect(container!.resources).toMatchObject({ requests: { cpu: expect.anything() }, limits: {} });
    }
    const budgets = base.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name);
    expect(budgets.sort()).toEqual([...services].sort());
    const autoscaled = base
      .filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .map((o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);
    expect(autoscaled.sort()).toEqual(['catalog', 'gateway', 'orders']);
  });

  it('the overlay sets the namespace, the image and the managed servers', () => {
    for (const object of overlay.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe('bazaar');
    }
    for (const container of containersOf(overlay))
      expect(container.image).toBe('ghcr.io/example/bazaar:1.0.0');
    const secret = overlay.find((o) => o.kind === 'Secret')!.stringData as Record<string, string>;
    expect(secret.RABBITMQ_URL).toMatch(/^amqps:/);
    expect(secret.REDIS_URL).toMatch(/^rediss:/);
    expect(secret.POSTGRES_URL).toContain('sslmode=verify-full');
    const gatewayScaler = overlay.find(
      (o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'gateway',
    );
    expect(gatewayScaler?.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 12,
      scaleTargetRef: { name: 'gateway' },
    });
  });
});

describe('Prometheus', () => {
  const promtool = hasTool('promtool');
  const folder = path.join(deploy, 'prometheus');

  it.skipIf(!promtool)('takes the config and the alert rules', async () => {
    await run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: folder });
    await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: folder });
  });

  it.skipIf(!promtool)(
    'fires the alerts on what they watch, and only then (promtool test rules)',
    async () => {
      const tests = readFileSync(path.join(folder, 'alerts.test.yml'), 'utf8');
      for (const alert of ['DeadLettersPresent', 'SagasStuck'])
        expect(tests).toContain(`alertname: ${alert}`);
      const { stdout } = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: folder });
      expect(stdout).toContain('SUCCESS');
    },
  );

  it('alerts on the metrics the services export', () => {
    const rules = parseYaml(readFileSync(path.join(folder, 'alerts.yml'), 'utf8')) as {
      groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
    };
    const recorded = new Set(
      rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))),
    );
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      for (const name of metricNamesIn(rule.expr)) {
        if (!recorded.has(name))
          expect(exportedMetrics, rule.alert ?? rule.record).toContain(baseMetric(name));
      }
    }
  });
});

describe('GitHub Actions', () => {
  it('runs what .ci/run runs, against the three servers, and builds the image', () => {
    const ciRun = readFileSync(path.join(root, '.ci/run'), 'utf8');
    const workflow = parseYaml(readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8')) as {
      env: Record<string, string>;
      jobs: Record<string, WorkflowJob>;
    };
    const commands = (job: WorkflowJob | undefined) => (job?.steps ?? []).map((s) => s.run ?? '').join('\n');
    const { test, restarts, image } = workflow.jobs;
    for (const script of ['npm test', 'npm run test:restarts']) expect(ciRun).toContain(script);
    expect(commands(test)).toMatch(/^npm test$/m);
    expect(Object.keys(test?.services ?? {}).sort()).toEqual(['postgres', 'rabbitmq', 'redis']);
    for (const variable of ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL'])
      expect(test?.env?.[variable]).toBeTruthy();
    // Tests needing the servers fail rather than skip when CI is set.
    expect(workflow.env.CI).toBe('true');
    expect(commands(restarts)).toMatch(/^npm run test:restarts$/m);
    const build = image?.steps.find((s) => s.uses?.startsWith('docker/build-push-action'));
    expect(build?.with?.file).toBe('deploy/Dockerfile');
  });
});

interface WorkflowJob {
  env?: Record<string, string>;
  services?: Record<string, unknown>;
  steps: { run?: string; uses?: string; with?: Record<string, string> }[];
}

describe('Grafana', () => {
  it('the dashboard queries only metrics the services export, through the provisioned datasource', () => {
    const dashboard = JSON.parse(
      readFileSync(path.join(deploy, 'grafana/dashboards/bazaar.json'), 'utf8'),
    ) as {
      panels: { title: string; type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
    };
    const datasource = parseYaml(
      readFileSync(path.join(deploy, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: { uid: string }[] };
    const queried = new Set<string>();
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid, panel.title).toBe(datasource.datasources[0]!.uid);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets!) {
        const names = metricNamesIn(expr);
        expect(names.length, expr).toBeGreaterThan(0);
        for (const name of names) {
          expect(exportedMetrics, `${panel.title}: ${expr}`).toContain(baseMetric(name));
          queried.add(baseMetric(name));
        }
      }
    }
    // Everything exported has a panel.
    expect([...queried].sort()).toEqual([...exportedMetrics].sort());
  });

  it('every metric the dashboard and alerts rely on is defined in the services', () => {
    const sources = sourceFiles(['packages', 'services']).map((file) => readFileSync(file, 'utf8'));
    for (const metric of exportedMetrics) {
      expect(
        sources.some((source) => source.includes(`name: '${metric}'`)),
        metric,
      ).toBe(true);
    }
  });
});

// ---- the Dockerfile

interface DockerInstruction {
  op: string;
  args: string;
}

interface DockerStage {
  name?: string;
  instructions: DockerInstruction[];
}

/** Stages and their instructions, continuation lines joined and comments left out. */
function parseDockerfile(text: string): DockerStage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op!.toUpperCase() === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op!.toUpperCase(), args });
    }
  }
  return stages;
}

/** `COPY --from=build --chown=x /app/dist ./dist` → [`/app/dist`]: every word but options and the last. */
function copySources(args: string): string[] {
  const words = args.split(/\s+/).filter((word) => !word.startsWith('--'));
  return words.slice(0, -1);
}

// ---- bundled services

interface RunningBundle {
  name: string;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** A folder laid out as the image's /app: the entry point beside dist/ and node_modules/. */
function imageLayout(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'bazaar-image-'));
  execFileSync('cp', [path.join(deploy, 'docker-entrypoint.sh'), folder]);
  symlinkSync(path.join(root, 'dist'), path.join(folder, 'dist'));
  symlinkSync(path.join(root, 'node_modules'), path.join(folder, 'node_modules'));
  return folder;
}

async function startBundle(image: string, name: string, env: NodeJS.ProcessEnv): Promise<RunningBundle> {
  const port = await freePort();
  const child = spawn('sh', [path.join(image, 'docker-entrypoint.sh'), name], {
    env: { ...env, PORT: String(port), GRPC_PORT: '0', BAZAAR_DATA_DIR: path.join(image, `.data-${name}`) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url, child, name, () => output);
  return {
    name,
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForReady(url: string, child: ChildProcess, name: string, output: () => string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${output()}`);
    const ready = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} was not ready within 120 s:\n${output()}`);
}

/** Migrations the service's database records as applied (drizzle's log, `drizzle.<service>_migrations`). */
async function appliedMigrations(service: string, namespace: string): Promise<number> {
  const url = new URL(process.env.POSTGRES_URL!);
  url.pathname = `/bazaar_${namespace}${service}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(`select count(*)::int as n from drizzle."${service}_migrations"`);
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

/** The keys the services wrote to Redis under the run's namespace (carts, caches, counters). */
async function deleteRedisKeys(namespace: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL!);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

// ---- Kubernetes

// biome-ignore lint/suspicious/noExplicitAny: each model takes its own typed object.
const models: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Namespace': Namespace,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
};

function validateObject(object: KubeObject): void {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind} (${object.metadata.name})`);
  new Model(object).validate();
}

interface ContainerPort {
  name?: string;
  containerPort: number;
}

type Probe = { httpGet?: { port: string | number } } | undefined;

/** Services select pods, probes and Services name ports, autoscalers and budgets target Deployments. */
function assertReferencesResolve(objects: KubeObject[]): void {
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const deployments = byKind('Deployment');
  const podLabels = (d: KubeObject) =>
    (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels ?? {};
  const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([key, value]) => labels[key] === value);
  const portsOf = (d: KubeObject) =>
    podSpecOf(d)!.containers.flatMap((c) => (c.ports as ContainerPort[] | undefined) ?? []);
  const hasPort = (d: KubeObject, port: string | number) =>
    portsOf(d).some((p) => p.name === port || p.containerPort === port);

  for (const deployment of deployments) {
    const selector = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector;
    expect(selects(selector.matchLabels, podLabels(deployment)), deployment.metadata.name).toBe(true);
    for (const container of podSpecOf(deployment)!.containers) {
      for (const probe of [
        container.readinessProbe,
        container.livenessProbe,
        container.startupProbe,
      ] as Probe[]) {
        if (probe?.httpGet) expect(hasPort(deployment, probe.httpGet.port), container.name).toBe(true);
      }
      const sources = (container.envFrom ?? []) as {
        configMapRef?: { name: string };
        secretRef?: { name: string };
      }[];
      for (const source of sources) {
        if (source.configMapRef)
          expect(byKind('ConfigMap').map((c) => c.metadata.name)).toContain(source.configMapRef.name);
        if (source.secretRef)
          expect(byKind('Secret').map((c) => c.metadata.name)).toContain(source.secretRef.name);
      }
    }
  }
  for (const service of byKind('Service')) {
    const spec = service.spec as {
      selector: Record<string, string>;
      ports: { targetPort: string | number }[];
    };
    const matched = deployments.filter((d) => selects(spec.selector, podLabels(d)));
    expect(matched.length, `Service ${service.metadata.name} selects no Deployment's pods`).toBeGreaterThan(
      0,
    );
    for (const { targetPort } of spec.ports) {
      for (const deployment of matched)
        expect(hasPort(deployment, targetPort), service.metadata.name).toBe(true);
    }
  }
  for (const scaler of byKind('HorizontalPodAutoscaler')) {
    const target = (scaler.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
    expect(target.kind).toBe('Deployment');
    expect(deployments.map((d) => d.metadata.name)).toContain(target.name);
  }
  for (const budget of byKind('PodDisruptionBudget')) {
    const selector = (budget.spec as { selector: { matchLabels: Record<string, string> } }).selector
      .matchLabels;
    expect(
      deployments.some((d) => selects(selector, podLabels(d))),
      budget.metadata.name,
    ).toBe(true);
  }
  for (const ingress of byKind('Ingress')) {
    const rules = (
      ingress.spec as { rules: { http: { paths: { backend: { service: IngressBackend } }[] } }[] }
    ).rules;
    for (const { backend } of rules.flatMap((r) => r.http.paths)) {
      const service = byKind('Service').find((s) => s.metadata.name === backend.service.name);
      expect(service, backend.service.name).toBeDefined();
      const ports = (service!.spec as { ports: { name?: string; port: number }[] }).ports;
      expect(
        ports.some((p) => p.name === backend.service.port.name || p.port === backend.service.port.number),
      ).toBe(true);
    }
  }
}

interface IngressBackend {
  name: string;
  port: { name?: string; number?: number };
}

// ---- PromQL

interface ComposeService {
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
  ports?: ({ target: number } | string)[];
  volumes?: (string | { source: string })[];
}

const promqlKeywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring']);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords or labels. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\w+/g, '');
  const names = new Set<string>();
  for (const [, name, call] of bare.matchAll(/([a-zA-Z_:][\w:]*)\s*(\()?/g)) {
    if (!call && !promqlKeywords.has(name!)) names.add(name!);
  }
  return [...names];
}

/** `http_request_duration_seconds_bucket` → `http_request_duration_seconds`: a histogram's series. */
function baseMetric(name: string): string {
  const histogram = histograms.find(
    (h) => name.startsWith(h) && /^(_bucket|_count|_sum)?$/.test(name.slice(h.length)),
  );
  return histogram ?? name;
}

function sourceFiles(folders: string[]): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'gen') continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(full);
    }
  };
  for (const folder of folders) walk(path.join(root, folder));
  return files;
}
