import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServiceName, serviceDirectory } from '@bazaar/platform';
import { services } from './services';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const telemetryModule = path.join(root, 'packages', 'platform', 'src', 'telemetry', 'register.ts');

export interface ServiceProcess {
  name: ServiceName;
  url: string;
  child: ChildProcess;
}

export interface ProcessPlatformOptions {
  env: NodeJS.ProcessEnv;
  /** Added to every directory port, so a test platform can run beside a developer's. */
  portOffset?: number;
  /** Where each process's output goes. */
  output?: (name: ServiceName, line: string) => void;
  /**
   * A folder where each service's output is also appended, one file a service (`<service>.log`, JSON
   * lines), for `npm run logs` to follow them together.
   */
  logDirectory?: string;
  /**
   * Starts a service again when its process ends by itself (a crash, a start given up), as a container's
   * restart policy would: after 1 s, doubling to 30 s while it keeps failing. kill() and stopAll() are
   * not crashes.
   */
  restartExited?: boolean;
}

const RESTART_FIRST_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 30_000;
/** A process that stayed up this long is healthy again: its next crash restarts it after the first delay. */
const RESTART_HEALTHY_AFTER_MS = 60_000;

/**
 * Runs each service as its own OS process (the local-distributed mode), against the servers named by
 * POSTGRES_URL, RABBITMQ_URL and REDIS_URL in `env`. Processes can be killed and restarted one by one.
 */
export class ProcessPlatform {
  /** Every child still running, so that a crashing parent never leaves services behind. */
  private static readonly live = new Set<ChildProcess>();
  static {
    process.once('exit', () => {
      for (const child of ProcessPlatform.live) child.kill('SIGKILL');
    });
  }

  readonly processes = new Map<ServiceName, ServiceProcess>();
  private readonly env: NodeJS.ProcessEnv;
  /** Processes ended on purpose (kill, stopAll): their exit is no crash. */
  private readonly ended = new WeakSet<ChildProcess>();
  private readonly restartDelay = new Map<ServiceName, number>();
  private stopping = false;

  constructor(private readonly options: ProcessPlatformOptions) {
    const offset = options.portOffset ?? 0;
    this.env = { ...options.env };
    for (const [name] of services) {
      const d = serviceDirectory[name];
      this.env[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${d.port + offset}`;
      if ('grpcPort' in d)
        this.env[`${name.toUpperCase()}_GRPC_URL`] = `http://127.0.0.1:${d.grpcPort + offset}`;
    }
  }

  get gatewayUrl(): string {
    return this.urlOf('gateway');
  }

  urlOf(name: ServiceName): string {
    return String(this.env[`${name.toUpperCase()}_URL`]);
  }

  async startAll(): Promise<void> {
    for (const [name] of services) await this.start(name);
  }

  async start(name: ServiceName): Promise<void> {
    const d = serviceDirectory[name];
    const offset = this.options.portOffset ?? 0;
    const env = {
      ...this.env,
      OTEL_SERVICE_NAME: name,
      PORT: String(d.port + offset),
      ...('grpcPort' in d ? { GRPC_PORT: String(d.grpcPort + offset) } : {}),
    };
    // BAZAAR_CPU_PROFILE=orders,payments writes those services' CPU profiles under .data/profiles on exit.
    const profiled = (this.env.BAZAAR_CPU_PROFILE ?? '').split(',').includes(name);
    const profiling = profiled
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, '.data', 'profiles')}`]
      : [];
    // Node itself with tsx's loader, not the tsx CLI: a signal must reach the service, not a wrapper.
    const child = spawn(
      process.execPath,
      // The telemetry module (nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set) comes after tsx, which
      // compiles it, and before the service, whose pg, ioredis, amqplib and http it patches.
      [
        ...profiling,
        '--import',
        'tsx',
        '--import',
        telemetryModule,
        path.join(root, 'services', name, 'src', 'main.ts'),
      ],
      {
        env,
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = this.withLogFile(name, child, this.options.output);
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        if (output) for (const line of lines) output(name, line);
      });
    }
    const url = this.urlOf(name);
    this.processes.set(name, { name, url, child });
    ProcessPlatform.live.add(child);
    const startedAt = Date.now();
    child.once('exit', (code, signal) => {
      ProcessPlatform.live.delete(child);
      if (this.options.restartExited && !this.ended.has(child) && !this.stopping) {
        this.restartAfterCrash(name, Date.now() - startedAt, code ?? signal);
      }
    });
    await waitUntilReady(url, child, name);
  }

  /** `output`, and the service's log file when there is a log directory (closed with the process's output). */
  private withLogFile(name: ServiceName, child: ChildProcess, output: ProcessPlatformOptions['output']) {
    const directory = this.options.logDirectory;
    if (!directory) return output;
    mkdirSync(directory, { recursive: true });
    const file = createWriteStream(path.join(directory, `${name}.log`), { flags: 'a' });
    child.once('close', () => file.end());
    return (service: ServiceName, line: string) => {
      file.write(`${line}\n`);
      output?.(service, line);
    };
  }

  private restartAfterCrash(name: ServiceName, ranMs: number, how: number | string | null): void {
    const previous = ranMs >= RESTART_HEALTHY_AFTER_MS ? 0 : (this.restartDelay.get(name) ?? 0);
    const delay = previous === 0 ? RESTART_FIRST_DELAY_MS : Math.min(previous * 2, RESTART_MAX_DELAY_MS);
    this.restartDelay.set(name, delay);
    this.options.output?.(name, `exited (${how}) after ${ranMs} ms; starting it again in ${delay} ms`);
    setTimeout(() => {
      if (this.stopping) return;
      // A start that fails ends in another exit, which schedules the next try.
      this.start(name).catch((err: Error) => this.options.output?.(name, `start failed: ${err.message}`));
    }, delay);
  }

  /** SIGKILL: no shutdown hooks, in-flight work simply stops, like a crashed container. */
  async kill(name: ServiceName): Promise<void> {
    const p = this.processes.get(name);
    if (!p) return;
    const exited = new Promise((resolve) => p.child.once('exit', resolve));
    this.ended.add(p.child);
    p.child.kill('SIGKILL');
    await exited;
    this.processes.delete(name);
  }

  /**
   * SIGSTOP, then SIGCONT after `ms`: the process stands still (a long GC pause, a frozen VM, a stalled
   * container) with its sockets and open transactions as they were, then carries on.
   */
  async freeze(names: readonly ServiceName[], ms: number): Promise<void> {
    const children = names.map((name) => this.processes.get(name)?.child).filter((c) => c !== undefined);
    for (const child of children) child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, ms));
    for (const child of children) child.kill('SIGCONT');
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    const all = [...this.processes.values()].reverse();
    await Promise.all(
      all.map(async (p) => {
        if (p.child.exitCode !== null) return;
        const exited = new Promise((resolve) => p.child.once('exit', resolve));
        this.ended.add(p.child);
        p.child.kill('SIGTERM');
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.processes.clear();
  }
}

async function waitUntilReady(url: string, child: ChildProcess, name: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `${res.status} ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      // not listening yet
      last = String((err as Error).cause ?? err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs} ms (last: ${last})`);
}
