/** Generates drizzle migrations for every service with a drizzle.config.ts (or the ones named). */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const args = process.argv.slice(2);
const nameIndex = args.indexOf('--name');
const migrationName = nameIndex >= 0 ? args.splice(nameIndex, 2)[1] : undefined;
const named = args;
const services = (named.length > 0 ? named : readdirSync('services')).filter((s) =>
  existsSync(`services/${s}/drizzle.config.ts`),
);
for (const service of services) {
  console.log(`→ ${service}`);
  execFileSync(
    'npx',
    [
      'drizzle-kit',
      'generate',
      '--config',
      `services/${service}/drizzle.config.ts`,
      ...(migrationName ? ['--name', migrationName] : []),
    ],
    {
      stdio: 'inherit',
    },
  );
}
