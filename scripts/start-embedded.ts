/**
 * `npm start`: the whole platform in one process on embedded stand-ins (one PGlite database under
 * .data/, an in-process bus, in-memory stores), or against real servers when their URLs are set.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startPlatform } from '../launcher/platform';
import { ensureWebBuild } from '../launcher/web-build';

const env: NodeJS.ProcessEnv = { ...process.env };
const dataDir = env.BAZAAR_DATA_DIR ?? '.data';
mkdirSync(dataDir, { recursive: true });
env.BAZAAR_SEED_DEMO ??= '1';

let generatedAdmin: { email: string; password: string } | undefined;
if (!env.BAZAAR_ADMIN_EMAIL || !env.BAZAAR_ADMIN_PASSWORD) {
  // Kept beside the embedded database so the printed password stays valid across restarts.
  const file = path.join(dataDir, 'admin.json');
  generatedAdmin = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : { email: 'admin@bazaar.local', password: randomBytes(12).toString('base64url') };
  writeFileSync(file, JSON.stringify(generatedAdmin), { mode: 0o600 });
  env.BAZAAR_ADMIN_EMAIL = generatedAdmin!.email;
  env.BAZAAR_ADMIN_PASSWORD = generatedAdmin!.password;
}

await ensureWebBuild();
const started = Date.now();
const platform = await startPlatform({
  env,
  ports: 'fixed',
  portOffset: Number(env.BAZAAR_PORT_OFFSET ?? 0),
  dataDir: env.POSTGRES_URL ? undefined : path.join(dataDir, 'pglite'),
});
const base = `http://localhost:${new URL(platform.gatewayUrl).port}`;
const mode = env.POSTGRES_URL
  ? 'PostgreSQL/RabbitMQ/Redis'
  : 'embedded (PGlite, in-process bus, memory stores)';
console.log(`
  Bazaar is running (${mode}) — ready in ${((Date.now() - started) / 1000).toFixed(1)} s

  Shop         ${base}/   (admin pages at ${base}/admin)
  API          ${base}/api/v1
  API docs     ${base}/docs   (OpenAPI: ${base}/openapi.json, events: ${base}/asyncapi.json)
${generatedAdmin ? `  Admin        ${generatedAdmin.email} / ${generatedAdmin.password}\n` : ''}
  Press Ctrl+C to stop.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await platform.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
