import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'bazaar-logs-'));
const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 'info', ...fields });

writeFileSync(
  path.join(dir, 'orders.log'),
  [
    line({
      time: '2026-12-08T10:00:01.000Z',
      service: 'orders',
      orderId: 'o-1',
      trace_id: 't-1',
      msg: 'created',
    }),
    line({ time: '2026-12-08T10:00:04.000Z', service: 'orders', orderId: 'o-2', msg: 'other order' }),
    'a stack line that is not JSON',
    '',
  ].join('\n'),
);
writeFileSync(
  path.join(dir, 'payments.log'),
  [
    line({
      time: '2026-12-08T10:00:02.000Z',
      service: 'payments',
      orderId: 'o-1',
      trace_id: 't-1',
      msg: 'charged',
    }),
    line({ time: '2026-12-08T10:00:03.000Z', service: 'payments', level: 'warn', msg: 'slow provider' }),
    '',
  ].join('\n'),
);

async function logs(...args: string[]): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'scripts/logs.ts'), '--dir', dir, '--no-follow', ...args],
    { cwd: root },
  );
  return stdout.trimEnd().split('\n');
}

describe('npm run logs', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("merges every service's lines in time order", async () => {
    const out = await logs('--json');
    const messages = out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).msg);
    expect(messages).toEqual(['created', 'charged', 'slow provider', 'other order']);
    expect(out).toContain('a stack line that is not JSON');
  });

  it('keeps one order, one trace, one service or a level', async () => {
    const msgs = (out: string[]) => out.map((l) => JSON.parse(l).msg);
    expect(msgs(await logs('--json', '--order', 'o-1'))).toEqual(['created', 'charged']);
    expect(msgs(await logs('--json', '--trace', 't-1'))).toEqual(['created', 'charged']);
    expect(msgs(await logs('--json', '--level', 'warn'))).toEqual(['slow provider']);
    const payments = await logs('--json', '--service', 'payments');
    expect(msgs(payments)).toEqual(['charged', 'slow provider']);
  });

  it('prints lines pretty, each named by its service', async () => {
    const out = await logs('--order', 'o-2');
    // The message on the first line, the other fields (the order id) on the lines under it.
    expect(out[0]).toMatch(/^orders\s+\[\d\d:\d\d:\d\d\.\d{3}\] INFO: other order/);
    expect(out.slice(1).join('\n')).toContain('o-2');
  });

  it('refuses an unknown level', async () => {
    await expect(logs('--level', 'loud')).rejects.toThrow(/--level is one of/);
  });
});
