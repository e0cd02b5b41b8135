import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
/** What the build is made from: a change to any of them makes web/dist stale. */
const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'];

function newestChange(target: string): number {
  if (!existsSync(target)) return 0;
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestChange(path.join(target, entry)));
  return newest;
}

/** Whether web/dist is missing or older than what it is built from. */
export function webBuildIsStale(): boolean {
  const built = path.join(webDir, 'dist/index.html');
  if (!existsSync(built)) return true;
  const sourceChanged = Math.max(...sources.map((name) => newestChange(path.join(webDir, name))));
  return sourceChanged > statSync(built).mtimeMs;
}

/**
 * Builds the web app (`npm run build -w @bazaar/web`) when web/dist is missing or stale, so that a fresh
 * clone's `npm start` serves the storefront. A failed build does not stop the platform: the gateway then
 * answers `/` with a page saying how to build it, and the API works.
 */
export async function ensureWebBuild(log: (line: string) => void = console.log): Promise<boolean> {
  if (!existsSync(path.join(webDir, 'index.html'))) return false;
  if (!webBuildIsStale()) return true;
  log('Building the web app (web/dist is missing or older than web/src)…');
  const started = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('npm', ['run', 'build', '-w', '@bazaar/web', '--silent'], {
      cwd: root,
      // A production build whoever asks: under vitest NODE_ENV is "test", and Vite then bundles React's
      // development build (jsxDEV, source paths, twice the size) into the web/dist that npm start serves.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', () => resolve(-1));
    child.on('exit', (exitCode) => resolve(exitCode ?? -1));
  });
  if (code !== 0) {
    log('The web app did not build (see above); the API still runs, and / says how to build it.');
    return false;
  }
  log(`Web app built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return true;
}
