/**
 * `npm run start:multi`: every service as its own OS process against PostgreSQL, RabbitMQ and Redis
 * (POSTGRES_URL, RABBITMQ_URL and REDIS_URL must be set), the same topology as the containers.
 */
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

const platform = new ProcessPlatform({
  env: { BAZAAR_SEED_DEMO: '1', ...process.env },
  output: (name, line) => process.stdout.write(`${name.padEnd(13)} | ${line}\n`),
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
