/**
 * `npm run start:multi`: every service as its own OS process against PostgreSQL, RabbitMQ and Redis
 * (POSTGRES_URL, RABBITMQ_URL and REDIS_URL must be set), the same topology as the containers.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessPlatform } from '../launcher/processes';
import { ensureWebBuild } from '../launcher/web-build';

const missing = ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL'].filter((v) => !process.env[v]);
if (missing.length > 0) {
  console.error(`start:multi runs against real servers; set ${missing.join(', ')}.
Example:
  POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \\
  RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 REDIS_URL=redis://127.0.0.1:6379 npm run start:multi`);
  process.exit(1);
}

const logDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.data', 'logs');
// A run's logs start empty; a service restarted within the run appends to its file.
rmSync(logDirectory, { recursive: true, force: true });
const platform = new ProcessPlatform({
  env: { BAZAAR_SEED_DEMO: '1', ...process.env },
  output: (name, line) => process.stdout.write(`${name.padEnd(13)} | ${line}\n`),
  // Each service's JSON lines also go to .data/logs/<service>.log, for `npm run logs` (merged, filtered).
  logDirectory,
  // A service that crashes, or gives up starting, is started again (a container's restart policy).
  restartExited: true,
});
const stop = async () => {
  await platform.stopAll();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
await ensureWebBuild();
await platform.startAll();
console.log(
  `\n  Bazaar is running as ${platform.processes.size} processes: ${platform.gatewayUrl} (docs at /docs)\n`,
);
