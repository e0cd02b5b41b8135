/**
 * `npm run build`: what the containers run, in dist/.
 *
 *   dist/services/<name>/src/main.js   each service bundled with our workspace code (@bazaar/*)
 *   dist/services/<name>/migrations/   its committed migrations (found with migrationsBeside(import.meta.url))
 *   dist/telemetry.js                  the OpenTelemetry bootstrap, loaded with `node --import`
 *   dist/web/dist/                     the storefront's Vite build, served by the gateway
 *
 * dist/ mirrors the repository's layout, so a path a service computes from its own module (`../migrations`
 * beside src/) resolves the same from the bundle. npm packages stay external, loaded from node_modules:
 * OpenTelemetry's instrumentations patch them as they load, which they cannot do to bundled copies.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const telemetryEntry = path.join(root, 'packages/platform/src/telemetry/register.ts');

/** The services with a main.ts, by folder name. */
export function listServices(): string[] {
  return readdirSync(path.join(root, 'services')).filter((name) =>
    existsSync(path.join(root, 'services', name, 'src/main.ts')),
  );
}

/** Bundles our own workspace packages and leaves every npm package to node_modules. */
const externalNpmPackages: Plugin = {
  name: 'external-npm-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@bazaar/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

async function bundle(entryPoints: Record<string, string>): Promise<Metafile> {
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    outdir: dist,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [externalNpmPackages],
  });
  return result.metafile;
}

/** The package a bare import names: `pg` for `pg/lib/x`, `@scope/name` for `@scope/name/sub`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The packages `npm ci --omit=dev` installs: the lockfile marks the ones only development needs `dev`. */
function productionPackages(): Set<string> {
  const lockfile = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const names = new Set<string>();
  for (const [location, entry] of Object.entries(lockfile.packages)) {
    if (!location.startsWith('node_modules/') || entry.dev || entry.devOptional) continue;
    names.add(location.slice('node_modules/'.length));
  }
  return names;
}

/**
 * A bundle that imports a package only development installs would start here and fail in the image, which
 * installs production dependencies only: name it now instead.
 */
export function assertExternalsInstalledInProduction(metafile: Metafile): void {
  const builtins = new Set(builtinModules);
  const installed = productionPackages();
  const missing = new Map<string, string>();
  for (const [output, { imports }] of Object.entries(metafile.outputs)) {
    for (const imported of imports) {
      if (!imported.external || imported.path.startsWith('node:')) continue;
      const name = packageOf(imported.path);
      if (!builtins.has(name) && !installed.has(name)) missing.set(name, output);
    }
  }
  if (missing.size > 0) {
    const list = [...missing].map(([name, output]) => `  ${name} (imported by ${output})`).join('\n');
    throw new Error(`the bundles import packages a production install leaves out:\n${list}`);
  }
}

/**
 * The storefront, when web/ has one yet. Only a missing web/index.html is tolerated (the app is still being
 * written); a Vite build that fails fails the build.
 */
function buildWeb(): void {
  if (!existsSync(path.join(root, 'web/index.html'))) {
    console.warn('web/ has no index.html yet: the storefront is left out of dist/');
    return;
  }
  execFileSync('npm', ['run', 'build', '-w', '@bazaar/web'], { cwd: root, stdio: 'inherit' });
  cpSync(path.join(root, 'web/dist'), path.join(dist, 'web/dist'), { recursive: true });
}

function copyMigrations(services: string[]): void {
  for (const name of services) {
    const migrations = path.join(root, 'services', name, 'migrations');
    if (existsSync(migrations)) {
      cpSync(migrations, path.join(dist, 'services', name, 'migrations'), { recursive: true });
    }
  }
}

export async function buildDist({ web = true } = {}): Promise<void> {
  const started = Date.now();
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  // The bundles are ES modules whatever package.json sits above dist/ (the image copies dist/ alone).
  writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);

  if (web) buildWeb();
  const services = listServices();
  const entryPoints: Record<string, string> = {};
  for (const name of services) entryPoints[`services/${name}/src/main`] = `services/${name}/src/main.ts`;
  // The entrypoint loads it before every service (docker-entrypoint.sh): the image needs it.
  entryPoints.telemetry = path.relative(root, telemetryEntry);
  const metafile = await bundle(entryPoints);
  assertExternalsInstalledInProduction(metafile);
  copyMigrations(services);
  console.log(`dist/: ${services.length} services bundled in ${Date.now() - started} ms`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDist();
}
