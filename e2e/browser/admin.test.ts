import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserPlatform,
  browserAvailable,
  signInThroughForm,
  startBrowserPlatform,
} from '../support/browser';
import { ADMIN } from '../support/platforms';
import { createStockedProduct, ShopClient } from '../support/shop-client';

describe.skipIf(!browserAvailable())('admin pages in a browser (embedded)', () => {
  let web: BrowserPlatform;
  let admin: ShopClient;
  let page: Page;

  beforeAll(async () => {
    web = await startBrowserPlatform();
    admin = await ShopClient.login(web.baseUrl, ADMIN.email, ADMIN.password);
    page = await web.newPage();
    await signInThroughForm(page, ADMIN, '/admin');
  });
  afterAll(async () => {
    await web?.close();
  });

  it('changes stock inline, and the storefront shows the product sold out', async () => {
    const name = `Kestrel${randomUUID().slice(0, 6)} kettle`;
    const kettle = await createStockedProduct(admin, { name, stock: 4 });
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Stock' }).click();
    await page.getByLabel('Search products').fill(name);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const onHand = page.getByLabel(`On hand for ${name}`);
    await onHand.waitFor();
    expect(await onHand.inputValue()).toBe('4');

    await onHand.fill('-1');
    await page.getByRole('button', { name: `Save stock of ${name}` }).click();
    await page.getByText('A whole number, 0 or more.').waitFor();
    await onHand.fill('0');
    await page.getByRole('button', { name: `Save stock of ${name}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${name}: Saved` })
      .waitFor();
    expect(await admin.ok('GET', `/api/v1/inventory/${kettle.sku}`)).toMatchObject({
      onHand: 0,
      available: 0,
    });

    // The catalog hears of the change as an event, and public pages may be kept two seconds.
    const shopper = await web.newPage({ viewport: 'phone' });
    await shopper.goto(`/products/${kettle.id}`);
    await shopper.getByRole('heading', { name }).waitFor();
    const deadline = Date.now() + 20_000;
    while (!(await shopper.getByText('Out of stock').isVisible())) {
      if (Date.now() > deadline) throw new Error('the storefront never showed the product sold out');
      await shopper.waitForTimeout(500);
      await shopper.reload();
    }
    expect(await shopper.getByRole('button', { name: 'Add to cart' }).isDisabled()).toBe(true);
  });

  it('creates a product with field errors first, then lists it', async () => {
    await page.goto('/admin/products/new');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.getByText('Upper-case letters, digits and dashes').waitFor();
    await page.getByText('Give the product a name.').waitFor();
    await page.getByText('Enter a price such as 12.50.').waitFor();

    const sku = `WEB-${randomUUID().slice(0, 8).toUpperCase()}`;
    const name = `Osprey${randomUUID().slice(0, 6)} teapot`;
    await page.getByLabel('SKU').fill(sku);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Category').selectOption('kitchen');
    await page.getByLabel('Price').fill('19.90');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.waitForURL(/\/admin$/);
    await page.getByText(`Saved ${name}.`).waitFor();
    const created = (await admin.ok('GET', `/api/v1/products?q=${encodeURIComponent(name)}`)).items[0];
    expect(created).toMatchObject({
      sku,
      name,
      category: 'kitchen',
      price: { amount: 1990, currency: 'EUR' },
    });
  });

  it('lists every order and filters them by status', async () => {
    const product = await createStockedProduct(admin, { stock: 5 });
    const shopper = await ShopClient.register(web.baseUrl, 'Dee');
    await shopper.addToCart(product.sku, 1);
    const { orderId } = (await shopper.checkout('pm_card_chargeDeclined')).body;
    const cancelled = async () =>
      (await shopper.ok('GET', `/api/v1/orders/${orderId}`)).status === 'CANCELLED';
    const deadline = Date.now() + 20_000;
    while (!(await cancelled())) {
      if (Date.now() > deadline) throw new Error('the declined order was never cancelled');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    await page.goto('/admin/orders');
    await page.getByLabel('Status').selectOption('CANCELLED');
    await page.waitForURL(/status=CANCELLED/);
    const row = page.getByRole('row').filter({ hasText: orderId.slice(-12).toUpperCase() });
    await row.waitFor();
    await row.getByText('payment declined').waitFor();
    await page.getByLabel('Status').selectOption('COMPLETED');
    await page.getByText('No orders are completed').waitFor();
  });
});
