/**
 * `npm run screenshots`: starts an embedded platform with the demo catalog, places a few orders, and
 * writes a PNG of each main page at desktop (1280×800) and phone (390×844) width to docs/screenshots/.
 * Add a page by adding an entry to `screenshotPages` (the Operations pages add theirs the same way).
 *
 *   npm run screenshots                 every page
 *   npm run screenshots -- shop cart    only the pages with these names
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { buildWebApp, launchBrowser, viewports } from '../e2e/support/browser';
import { type Session, ShopClient } from '../e2e/support/shop-client';
import { startPlatform } from '../launcher/platform';

type Viewer = 'guest' | 'shopper' | 'admin';

/** What the pages can point at: ids made while the demo data was set up. */
export interface ScreenshotData {
  productId: string;
  completedOrderId: string;
  cancelledOrderId: string;
}

export interface ScreenshotPage {
  /** The file name: docs/screenshots/<name>-desktop.png and <name>-phone.png. */
  name: string;
  path: string | ((data: ScreenshotData) => string);
  as: Viewer;
  /** Waits for what the page must show before the picture is taken. */
  ready?: (page: Page) => Promise<unknown>;
}

export const screenshotPages: ScreenshotPage[] = [
  { name: 'shop', path: '/', as: 'guest', ready: (p) => p.getByRole('list', { name: 'Products' }).waitFor() },
  {
    name: 'search',
    path: '/?q=coffee',
    as: 'guest',
    ready: (p) => p.getByRole('list', { name: 'Products' }).waitFor(),
  },
  {
    name: 'product',
    path: (d) => `/products/${d.productId}`,
    as: 'guest',
    ready: (p) => p.getByText('SKU').waitFor(),
  },
  { name: 'sign-in', path: '/signin', as: 'guest' },
  { name: 'sign-up', path: '/signup', as: 'guest' },
  {
    name: 'cart',
    path: '/cart',
    as: 'shopper',
    ready: (p) => p.getByRole('list', { name: 'Cart items' }).waitFor(),
  },
  {
    name: 'checkout',
    path: '/checkout',
    as: 'shopper',
    ready: (p) => p.getByText('Order summary').waitFor(),
  },
  {
    name: 'order-completed',
    path: (d) => `/orders/${d.completedOrderId}`,
    as: 'shopper',
    ready: (p) => p.getByText('Tracking number:').waitFor(),
  },
  {
    name: 'order-cancelled',
    path: (d) => `/orders/${d.cancelledOrderId}`,
    as: 'shopper',
    ready: (p) => p.getByText('Your payment was declined').waitFor(),
  },
  {
    name: 'orders',
    path: '/orders',
    as: 'shopper',
    ready: (p) => p.getByRole('list', { name: 'Orders' }).waitFor(),
  },
  {
    name: 'notifications',
    path: '/notifications',
    as: 'shopper',
    ready: (p) => p.getByRole('list', { name: 'Notifications' }).waitFor(),
  },
  { name: 'admin-products', path: '/admin', as: 'admin', ready: (p) => p.getByRole('table').waitFor() },
  {
    name: 'admin-product-edit',
    path: (d) => `/admin/products/${d.productId}`,
    as: 'admin',
    ready: (p) => p.getByRole('button', { name: 'Save changes' }).waitFor(),
  },
  { name: 'admin-stock', path: '/admin/stock', as: 'admin', ready: (p) => p.getByRole('table').waitFor() },
  { name: 'admin-orders', path: '/admin/orders', as: 'admin', ready: (p) => p.getByRole('table').waitFor() },
  // Operations (web/src/ops): health, the saga console and one saga, dead letters, live figures.
  { name: 'ops-health', path: '/ops', as: 'admin', ready: (p) => p.getByTestId('platform-status').waitFor() },
  {
    name: 'ops-sagas',
    path: '/ops/sagas',
    as: 'admin',
    ready: (p) => p.locator('.state--empty, table').first().waitFor(),
  },
  {
    name: 'ops-saga',
    path: (d) => `/ops/sagas/${d.completedOrderId}`,
    as: 'admin',
    ready: (p) => p.getByRole('table', { name: 'Saga steps' }).waitFor(),
  },
  {
    name: 'ops-dead-letters',
    path: '/ops/dead-letters/inventory',
    as: 'admin',
    ready: (p) => p.locator('.state--empty, .ops-letters').first().waitFor(),
  },
  {
    name: 'ops-figures',
    path: '/ops/figures',
    as: 'admin',
    ready: (p) => p.locator('.ops-chart svg').waitFor(),
  },
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'docs/screenshots');
const admin = { email: 'admin@bazaar.local', password: 'shop-window-pictures-7' };

/** A shopper with a filled cart, a completed order and a declined one; the admin's session. */
async function prepareData(baseUrl: string) {
  const adminClient = await ShopClient.login(baseUrl, admin.email, admin.password);
  const products = (await adminClient.ok('GET', '/api/v1/products?limit=6')).items as {
    id: string;
    sku: string;
  }[];
  const [first, second, third] = products as [
    (typeof products)[0],
    (typeof products)[0],
    (typeof products)[0],
  ];
  const shopper = await ShopClient.register(baseUrl, 'Ada Lovelace');

  const place = async (paymentMethod: string, lines: [string, number][]) => {
    for (const [sku, quantity] of lines) await shopper.addToCart(sku, quantity);
    const { orderId } = (await shopper.checkout(paymentMethod)).body as { orderId: string };
    return orderId;
  };
  const completedOrderId = await place('pm_card_visa', [
    [first.sku, 2],
    [second.sku, 1],
  ]);
  const cancelledOrderId = await place('pm_card_chargeDeclined', [[third.sku, 1]]);
  await Promise.all([
    shopper.waitForOrder(completedOrderId, (order) => order.status === 'COMPLETED'),
    shopper.waitForOrder(cancelledOrderId, (order) => order.status === 'CANCELLED'),
  ]);
  // Left in the cart for the cart and checkout pictures.
  await shopper.addToCart(second.sku, 1);
  await shopper.addToCart(third.sku, 3);

  const data: ScreenshotData = { productId: first.id, completedOrderId, cancelledOrderId };
  const sessions: Record<Viewer, Session | undefined> = {
    guest: undefined,
    shopper: shopper.session,
    admin: adminClient.session,
  };
  return { data, sessions };
}

async function main() {
  const only = new Set(process.argv.slice(2));
  const pages = screenshotPages.filter((p) => only.size === 0 || only.has(p.name));
  if (pages.length === 0) throw new Error(`no page is named ${[...only].join(', ')}`);

  await buildWebApp();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bazaar-screenshots-'));
  // Always embedded, whatever servers this shell points at: the pictures show the demo data alone.
  const env = { ...process.env };
  for (const server of ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL']) delete env[server];
  const platform = await startPlatform({
    env: {
      ...env,
      BAZAAR_SEED_DEMO: '1',
      BAZAAR_ADMIN_EMAIL: admin.email,
      BAZAAR_ADMIN_PASSWORD: admin.password,
      BAZAAR_DATA_DIR: dataDir,
      // Shipped but not yet delivered: the completed order's timeline shows what is still to come.
      SHIPPING_DELIVERY_DELAY_MS: '3600000',
      LOG_LEVEL: 'warn',
    },
    ports: 'random',
  });
  const browser = await launchBrowser();
  try {
    const { data, sessions } = await prepareData(platform.gatewayUrl);
    mkdirSync(outDir, { recursive: true });
    for (const [viewportName, viewport] of Object.entries(viewports)) {
      const contexts = new Map<Viewer, BrowserContext>();
      for (const viewer of ['guest', 'shopper', 'admin'] as const) {
        const context = await browser.newContext({
          baseURL: platform.gatewayUrl,
          viewport,
          deviceScaleFactor: 1,
        });
        const session = sessions[viewer];
        // Runs in the page, before the app reads its session.
        const storeSession = `localStorage.setItem('bazaar.session', ${JSON.stringify(JSON.stringify(session))})`;
        if (session) await context.addInitScript({ content: storeSession });
        contexts.set(viewer, context);
      }
      for (const entry of pages) {
        const page = await contexts.get(entry.as)!.newPage();
        await page.goto(typeof entry.path === 'function' ? entry.path(data) : entry.path);
        await entry.ready?.(page);
        await page.waitForLoadState('networkidle').catch(() => {});
        // Images (product pictures) and fonts settle before the picture is taken.
        await page.evaluate('document.fonts.ready');
        const file = path.join(outDir, `${entry.name}-${viewportName}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(`  ${path.relative(root, file)}`);
        await page.close();
      }
      await Promise.all([...contexts.values()].map((c) => c.close()));
    }
  } finally {
    await browser.close();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
