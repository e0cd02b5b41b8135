/** CPU time read from Linux's /proc: per kind of process, and for the whole machine. */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU milliseconds each kind of process has used so far (Linux /proc/<pid>/stat; processes that have
 * exited are not counted, which is why runs measure between two readings of live processes).
 */
export function cpuByProcess(): Map<string, number> {
  const totals = new Map<string, number>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return totals;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
      if (ms === 0) continue;
      const name = kindOf(Number(pid), comm, readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      if (name) totals.set(name, (totals.get(name) ?? 0) + ms);
    } catch {
      // the process ended while being read
    }
  }
  return totals;
}

/** What a process is, for the tables: a service, a piece of infrastructure, or this benchmark. */
function kindOf(pid: number, comm: string, cmdline: string): string | undefined {
  if (pid === process.pid) return 'load generator';
  const service = cmdline.match(/services\/([a-z]+)\/src\/main\.ts/)?.[1];
  if (service) return service;
  if (cmdline.includes('start-embedded')) return 'embedded platform';
  if (cmdline.includes('bench/hello-server')) return 'hello server';
  const infrastructure: Record<string, string> = {
    postgres: 'postgres',
    'beam.smp': 'rabbitmq',
    'redis-server': 'redis',
  };
  return infrastructure[comm];
}

/** Milliseconds of CPU the whole machine has spent busy and in all (Linux /proc/stat), or undefined. */
export function machineCpu(): { busyMs: number; totalMs: number } | undefined {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    const tick = 10; // USER_HZ is 100 on Linux: one tick is 10 ms
    return { busyMs: busy * tick, totalMs: (busy + idle! + iowait!) * tick };
  } catch {
    return undefined;
  }
}
