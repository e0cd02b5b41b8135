import { createEvent, sampleEventData } from '@bazaar/contracts';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserPlatform,
  browserAvailable,
  signInThroughForm,
  startBrowserPlatform,
} from '../support/browser';
import { ADMIN, publishRaw } from '../support/platforms';
import { createStockedProduct, ShopClient } from '../support/shop-client';

// Tracing on in this process, so that events carry trace ids for the timeline to show.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());

describe.skipIf(!browserAvailable())('operations pages in a browser (embedded)', () => {
  let web: BrowserPlatform;
  let admin: ShopClient;
  let page: Page;

  beforeAll(async () => {
    web = await startBrowserPlatform();
    admin = await ShopClient.login(web.baseUrl, ADMIN.email, ADMIN.password);
    page = await web.newPage();
    await signInThroughForm(page, ADMIN, '/ops');
  });
  afterAll(async () => {
    await web?.close();
  });

  it('shows every service up on the health page', async () => {
    await page.getByTestId('platform-status').getByText('All services are up.').waitFor();
    for (const name of ['gateway', 'orders', 'payments', 'shipping']) {
      await page.getByRole('rowheader', { name, exact: true }).waitFor();
    }
  });

  it("shows a completed order's timeline in the saga console", async () => {
    const product = await createStockedProduct(admin, { stock: 3, price: 1200 });
    const shopper = await ShopClient.register(web.baseUrl);
    await shopper.addToCart(product.sku, 1);
    const { body } = await shopper.checkout('pm_card_visa');
    const orderId = body.orderId as string;
    await shopper.waitForOrder(orderId, (o) => ['COMPLETED', 'DELIVERED'].includes(o.status));

    await page.getByRole('navigation', { name: 'Operations' }).getByRole('link', { name: 'Sagas' }).click();
    await page.getByLabel('Find an order by id').fill(orderId);
    await page.getByRole('button', { name: 'Open saga' }).click();
    await page.waitForURL(new RegExp(`/ops/sagas/${orderId}$`));
    const steps = page.getByRole('table', { name: 'Saga steps' });
    const row = (service: string, action: string, event: string) =>
      steps
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: service, exact: true }) })
        .filter({ has: page.getByRole('cell', { name: action, exact: true }) })
        .filter({ hasText: event });
    await row('cart', 'published', 'CartCheckedOut').waitFor();
    await row('inventory', 'handled', 'OrderCreated').waitFor();
    await row('shipping', 'published', 'ShippingCreated').waitFor({ timeout: 20_000 });
    // Rows are in time order: the reservation is handled before the payment is published.
    const texts = await steps.getByRole('row').allInnerTexts();
    const at = (needle: RegExp) => texts.findIndex((t) => needle.test(t));
    expect(at(/inventory\s+handled\s+OrderCreated/)).toBeLessThan(
      at(/payments\s+published\s+PaymentSucceeded/),
    );
    expect(await row('inventory', 'handled', 'OrderCreated').textContent()).toMatch(/[0-9a-f]{32}/);
    // A completed order cannot be compensated.
    expect(await page.getByRole('button', { name: 'Force compensation' }).isDisabled()).toBe(true);
  });

  it('lists a dead letter with its detail and replays it once it can be handled', async () => {
    // Shipping cannot ship an order whose address it never heard of: after its retries (about 20 s)
    // the payment lands in its dead-letter queue.
    const orderId = uuidv7();
    const correlation = { source: '/bazaar/e2e', correlationId: orderId };
    const paid = createEvent(
      'PaymentSucceeded',
      { ...sampleEventData('PaymentSucceeded'), orderId },
      correlation,
    );
    await publishRaw(web.platform, paid);
    await expect
      .poll(
        async () =>
          (await admin.ok('GET', '/api/v1/admin/dead-letters/shipping')).items.some(
            (l: { id: string }) => l.id === paid.id,
          ),
        { timeout: 45_000, interval: 1_000 },
      )
      .toBe(true);

    await page
      .getByRole('navigation', { name: 'Operations' })
      .getByRole('link', { name: 'Dead letters' })
      .click();
    await page.getByLabel('Service').selectOption('shipping');
    await page.waitForURL(/\/ops\/dead-letters\/shipping$/);
    const letters = page.getByRole('list', { name: 'Dead letters of shipping' });
    const letter = letters.getByRole('listitem').filter({ hasText: paid.id });
    await letter.waitFor();
    await letter.locator('summary').click();
    await letter.getByText(`no address for order ${orderId} yet`).waitFor();
    // Tried once and then at each retry before it was put aside.
    const attempts = await letter.getByRole('definition').nth(1).textContent();
    expect(Number(attempts)).toBeGreaterThan(1);
    expect(await letter.locator('pre').first().textContent()).toContain(`"correlationid": "${orderId}"`);

    // The address arrives (the order is created after all); replayed now, the payment is handled.
    const created = createEvent('OrderCreated', { ...sampleEventData('OrderCreated'), orderId }, correlation);
    await publishRaw(web.platform, created);
    const shippingSaw = async (action: string, event: string) => {
      const res = await fetch(`${web.platform.services.shipping!.url}/internal/saga/${orderId}`, {
        headers: { authorization: `Bearer ${admin.session!.accessToken}` },
      });
      const { steps } = (await res.json()) as { steps: { action: string; event: string }[] };
      return steps.some((s) => s.action === action && s.event === event);
    };
    await expect.poll(() => shippingSaw('handled', 'OrderCreated'), { timeout: 10_000 }).toBe(true);
    await page.getByRole('button', { name: 'Replay' }).click();
    const dialog = page.getByRole('dialog', { name: "Replay shipping's dead letters?" });
    await dialog.getByRole('button', { name: 'Replay' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /sent back to shipping/ })
      .waitFor();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
          return letters.getByRole('listitem').filter({ hasText: paid.id }).count();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(0);
    expect(await shippingSaw('published', 'ShippingCreated')).toBe(true);
    expect(web.pageErrors).toEqual([]);
  });
});
