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

const password = 'a-good-password-1';

describe.skipIf(!browserAvailable())('storefront in a browser (embedded)', () => {
  let web: BrowserPlatform;
  let admin: ShopClient;

  beforeAll(async () => {
    // Delivery waits long enough that COMPLETED (shipped) is what the shopper sees last.
    web = await startBrowserPlatform({ SHIPPING_DELIVERY_DELAY_MS: '600000' });
    admin = await ShopClient.login(web.baseUrl, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await web?.close();
  });

  /** Two products whose names share a word no other product has, so a search finds exactly them. */
  const stockedPair = async () => {
    const word = `Zephyr${randomUUID().slice(0, 6)}`;
    const lamp = await createStockedProduct(admin, { name: `${word} desk lamp`, price: 2450, stock: 5 });
    const mug = await createStockedProduct(admin, { name: `${word} mug`, price: 899, stock: 5 });
    return { word, lamp: { ...lamp, name: `${word} desk lamp` }, mug: { ...mug, name: `${word} mug` } };
  };

  const searchFor = async (page: Page, word: string) => {
    await page.goto('/');
    await page.getByLabel('Search products').fill(word);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
  };

  const addToCart = async (page: Page, name: string) => {
    const add = page.getByRole('button', { name: `Add ${name} to cart` });
    await add.click();
    await page.getByRole('article').filter({ has: add }).getByText('Added to your cart').waitFor();
  };

  const fillAddressAndPay = async (page: Page, card: RegExp) => {
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('Street address').fill('12 Analytical Row');
    await page.getByLabel('City').fill('London');
    await page.getByLabel('Postal code').fill('N1 7AA');
    await page.getByLabel('Country code').fill('gb');
    await page.getByRole('radio', { name: card }).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
  };

  const statusShown = (page: Page, label: string) =>
    page.getByTestId('order-status').getByText(label, { exact: true }).waitFor({ timeout: 30_000 });

  it('finds products by search, signs up at checkout, pays by Visa and sees COMPLETED arrive live', async () => {
    const { word, lamp, mug } = await stockedPair();
    const page = await web.newPage();
    await searchFor(page, word);
    await page.getByRole('heading', { name: `Results for “${word}”` }).waitFor();
    expect(await page.getByRole('list', { name: 'Products' }).getByRole('listitem').count()).toBe(2);
    await addToCart(page, lamp.name);
    await addToCart(page, mug.name);

    await page.getByRole('link', { name: /Cart/ }).click();
    const items = page.getByRole('list', { name: 'Cart items' }).getByRole('listitem');
    await items.nth(1).waitFor();
    expect(await items.count()).toBe(2);
    await page.getByRole('button', { name: 'Check out' }).click();

    // A guest is asked to sign in; creating an account brings them back to the checkout, cart and all.
    await page.waitForURL(/\/signin\?next=%2Fcheckout$/);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Ada');
    await page.getByLabel('Email').fill(`ada-${randomUUID()}@example.com`);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/checkout$/);
    const summary = page.getByRole('complementary', { name: 'Order summary' });
    await summary.getByText(`1 × ${lamp.name}`).waitFor();
    await summary.getByText(`1 × ${mug.name}`).waitFor();

    await fillAddressAndPay(page, /^Visa/);
    // Marks this document: were the page reloaded, the mark would be gone.
    await page.evaluate(() => Object.assign(globalThis, { stillTheSamePage: true }));
    await statusShown(page, 'Completed');
    expect(await page.evaluate(() => (globalThis as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(
      true,
    );
    await page.getByText('Tracking number:').waitFor();
    await page.getByRole('link', { name: /Cart/ }).click();
    await page.getByText('Your cart is empty').waitFor();
    expect(web.pageErrors).toEqual([]);
  });

  it('shows a declined card as a cancelled order with its reason in words', async () => {
    const { lamp } = await stockedPair();
    const shopper = await ShopClient.register(web.baseUrl, 'Bo');
    const page = await web.newPage();
    await signInThroughForm(page, { email: shopper.session!.user.email, password });
    await page.goto(`/products/${lamp.id}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 1 to your cart.').waitFor();
    await page.goto('/checkout');
    await fillAddressAndPay(page, /^Card declined/);
    await statusShown(page, 'Cancelled');
    await page.getByText('Your payment was declined by the card issuer.').waitFor();
  });

  it('keeps a guest cart through sign-in, merged with what the account already held', async () => {
    const { lamp, mug } = await stockedPair();
    const shopper = await ShopClient.register(web.baseUrl, 'Cy');
    await shopper.addToCart(mug.sku, 1);
    const page = await web.newPage({ viewport: 'phone' });
    await page.goto(`/products/${lamp.id}`);
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added 2 to your cart.').waitFor();

    await signInThroughForm(page, { email: shopper.session!.user.email, password });
    await page.goto('/cart');
    const cart = page.getByRole('list', { name: 'Cart items' });
    await cart.getByRole('link', { name: lamp.name }).waitFor();
    await cart.getByRole('link', { name: mug.name }).waitFor();
    expect(await page.getByRole('status', { name: `Quantity of ${lamp.name}` }).textContent()).toBe('2');
    const serverCart = await shopper.ok('GET', '/api/v1/cart');
    expect(
      serverCart.items.map((i: { sku: string; quantity: number }) => [i.sku, i.quantity]).sort(),
    ).toEqual(
      [
        [lamp.sku, 2],
        [mug.sku, 1],
      ].sort(),
    );
  });

  it('renews an expired access token with the refresh token instead of signing the shopper out', async () => {
    const shopper = await ShopClient.register(web.baseUrl, 'Eve');
    const stale = { ...shopper.session!, accessToken: 'expired-or-forged.access.token' };
    const page = await web.newPage();
    await page.goto('/');
    await page.evaluate(`localStorage.setItem('bazaar.session', ${JSON.stringify(JSON.stringify(stale))})`);
    await page.goto('/orders');
    await page.getByText('You have no orders yet').waitFor();
    expect(new URL(page.url()).pathname).toBe('/orders');
    const kept = JSON.parse((await page.evaluate("localStorage.getItem('bazaar.session')")) as string);
    expect(kept.accessToken).not.toBe(stale.accessToken);
    expect(kept.refreshToken).not.toBe(stale.refreshToken);
    expect(kept.user.email).toBe(shopper.session!.user.email);
  });
});
