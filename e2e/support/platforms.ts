import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, RabbitMqBus } from '@bazaar/platform';
import { testEnv, testModes } from '@bazaar/platform/testing';
import { expect } from 'vitest';
import { type Platform, startPlatform } from '../../launcher/platform';
import { createStockedProduct, type ShopClient } from './shop-client';

export const ADMIN = { email: 'admin@bazaar.test', password: 'correct-horse-battery-9' };

/** The environment of an end-to-end platform: fast simulated carrier, quiet logs, a test admin. */
export function e2eEnv(mode: 'embedded' | 'server', extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = testEnv(mode, {
    BAZAAR_ADMIN_EMAIL: ADMIN.email,
    BAZAAR_ADMIN_PASSWORD: ADMIN.password,
    BAZAAR_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bazaar-e2e-')),
    BAZAAR_SEED_DEMO: '0',
    SHIPPING_DELIVERY_DELAY_MS: '300',
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    PG_POOL_MAX: '5',
    ...extra,
  });
  return env;
}

/** A one-process platform for a test file; stopping it also removes its data folder. */
export async function startE2ePlatform(mode: 'embedded' | 'server', extra: Record<string, string> = {}) {
  const env = e2eEnv(mode, extra);
  const platform = (await startPlatform({ env, ports: 'random' })) as Platform;
  const stop = platform.stop;
  platform.stop = async () => {
    try {
      await stop.call(platform);
    } finally {
      rmSync(env.BAZAAR_DATA_DIR!, { recursive: true, force: true });
    }
  };
  return platform;
}

/** The environment of `npm start`'s script in a test: each service on its directory port moved by `portOffset`. */
export function embeddedScriptEnv(portOffset: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = e2eEnv('embedded', { BAZAAR_PORT_OFFSET: String(portOffset), ...extra });
  delete env.PORT;
  delete env.GRPC_PORT;
  return env;
}

/**
 * `npm start`'s own script (scripts/start-embedded.ts) as a child process, resolved once it says it is
 * running; `preload` modules are imported first, after tsx (the telemetry module).
 */
export async function startEmbeddedScript(
  env: NodeJS.ProcessEnv,
  preload: string[] = [],
): Promise<ChildProcess> {
  const imports = ['tsx', ...preload].flatMap((module) => ['--import', module]);
  const child = spawn(process.execPath, [...imports, 'scripts/start-embedded.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Bazaar is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the platform exited with ${code}`)));
    // The caller never gets a platform that did not start, so it could not stop it: this does.
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the platform did not start within 150 s'));
    }, 150_000);
  }).finally(() => clearTimeout(timer));
  return child;
}

/** Puts a message on the platform's bus as it is, past the outbox and its validation (a broken producer). */
export async function publishRaw(platform: Platform, message: unknown): Promise<void> {
  if (platform.bus) {
    await platform.bus.publish(message as never);
    return;
  }
  const bus = await RabbitMqBus.connect(platform.env.RABBITMQ_URL!, createLogger('e2e', 'silent'), {
    namespace: platform.env.BAZAAR_NAMESPACE,
  });
  try {
    await bus.publish(message as never);
  } finally {
    await bus.close();
  }
}

/** `shopper` buys one unit of a new product with a card that succeeds; resolves once the order is COMPLETED. */
export async function checkOutToCompleted(admin: ShopClient, shopper: ShopClient) {
  const product = await createStockedProduct(admin, { price: 1500, stock: 5 });
  await shopper.addToCart(product.sku, 1);
  const res = await shopper.checkout('pm_card_visa', randomUUID());
  expect(res.status).toBe(202);
  const orderId: string = res.body.orderId;
  await shopper.waitForOrder(orderId, (o) => ['COMPLETED', 'DELIVERED'].includes(o.status));
  return { product, orderId };
}

export { testModes };
