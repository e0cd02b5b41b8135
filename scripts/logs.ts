/**
 * `npm run logs`: follows the logs `npm run start:multi` writes (one JSON-lines file a service under
 * .data/logs), merged in time order and pretty-printed.
 *
 *   npm run logs                              every service, the last 20 lines of each, then follow
 *   npm run logs -- --service orders,payments only these services
 *   npm run logs -- --order <orderId>         one order's lines (its events, its requests)
 *   npm run logs -- --trace <traceId>         one trace's lines
 *   npm run logs -- --level warn              warnings and errors only
 *   npm run logs -- --json                    the JSON lines as they are (for jq)
 *   npm run logs -- --no-follow --lines 200   print what is there and stop
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prettyFactory } from 'pino-pretty';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: options } = parseArgs({
  options: {
    dir: { type: 'string', default: path.join(root, '.data', 'logs') },
    service: { type: 'string', multiple: true },
    order: { type: 'string' },
    trace: { type: 'string' },
    level: { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-follow': { type: 'boolean', default: false },
    lines: { type: 'string', default: '20' },
  },
});

const levels: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const services = new Set((options.service ?? []).flatMap((s) => s.split(',')).filter(Boolean));
const minimumLevel = options.level ? levels[options.level] : undefined;
if (options.level && minimumLevel === undefined) fail(`--level is one of ${Object.keys(levels).join(', ')}`);
const backlog = Number(options.lines);
const follow = !options['no-follow'];

interface LogLine {
  service: string;
  raw: string;
  fields?: Record<string, unknown>;
}

/** Whether a line passes the filters; lines that are not JSON (a crash's stack) pass only unfiltered. */
function wanted({ fields }: LogLine): boolean {
  if (!options.order && !options.trace && minimumLevel === undefined) return true;
  if (!fields) return false;
  if (options.order && fields.orderId !== options.order && fields.correlationid !== options.order)
    return false;
  if (options.trace && fields.trace_id !== options.trace) return false;
  const level = levels[String(fields.level)] ?? Number(fields.level);
  return minimumLevel === undefined || level >= minimumLevel;
}

const pretty = prettyFactory({
  colorize: process.stdout.isTTY,
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname,service',
});

function print(line: LogLine): void {
  if (options.json) {
    process.stdout.write(`${line.raw}\n`);
    return;
  }
  const text = line.fields ? pretty(line.fields).trimEnd() : line.raw;
  process.stdout.write(`${line.service.padEnd(13)} ${text}\n`);
}

function parse(service: string, raw: string): LogLine {
  if (!raw.startsWith('{')) return { service, raw };
  try {
    return { service, raw, fields: JSON.parse(raw) as Record<string, unknown> };
  } catch {
    return { service, raw };
  }
}

/** Reads a file from `offset`: its complete lines, and where the next read starts. */
function readFrom(file: string, offset: number): { lines: string[]; next: number } {
  const size = statSync(file).size;
  const start = size < offset ? 0 : offset; // truncated or replaced: from the top
  if (size === start) return { lines: [], next: start };
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  const end = text.lastIndexOf('\n');
  if (end < 0) return { lines: [], next: start }; // half a line: wait for the rest
  return { lines: text.slice(0, end).split('\n'), next: start + Buffer.byteLength(text.slice(0, end + 1)) };
}

function logFiles(): Map<string, string> {
  if (!existsSync(options.dir)) return new Map();
  return new Map(
    readdirSync(options.dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => [path.basename(f, '.log'), path.join(options.dir, f)] as const)
      .filter(([service]) => services.size === 0 || services.has(service)),
  );
}

const timeOf = (line: LogLine) => String(line.fields?.time ?? '');

const offsets = new Map<string, number>();
const files = logFiles();
if (files.size === 0 && !follow)
  fail(`no logs in ${options.dir}: start the platform with npm run start:multi`);
// What is there already: each service's last lines that pass the filters, merged by time.
const earlier: LogLine[] = [];
for (const [service, file] of files) {
  const { lines, next } = readFrom(file, 0);
  offsets.set(service, next);
  earlier.push(
    ...lines
      .map((raw) => parse(service, raw))
      .filter(wanted)
      .slice(backlog > 0 ? -backlog : Number.MAX_SAFE_INTEGER),
  );
}
for (const line of earlier.sort((a, b) => timeOf(a).localeCompare(timeOf(b)))) print(line);

if (follow) {
  if (files.size === 0) console.error(`waiting for logs in ${options.dir} (npm run start:multi writes them)`);
  // Polled: fs.watch misses appends on some file systems, and a quarter second is soon enough to read.
  setInterval(() => {
    const fresh: LogLine[] = [];
    for (const [service, file] of logFiles()) {
      try {
        const { lines, next } = readFrom(file, offsets.get(service) ?? 0);
        offsets.set(service, next);
        fresh.push(...lines.map((raw) => parse(service, raw)).filter(wanted));
      } catch {
        // Removed between listing and reading: the next round lists it no more.
      }
    }
    for (const line of fresh.sort((a, b) => timeOf(a).localeCompare(timeOf(b)))) print(line);
  }, 250);
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
