import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Platform } from '../../launcher/platform';
import { ensureWebBuild } from '../../launcher/web-build';
import { startE2ePlatform } from './platforms';

/** Debian's Chromium: the tests never download a browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Whether browser tests can run here. Without Chromium they are skipped on a developer's machine, but in
 * CI a missing browser is a failure, not a quiet skip.
 */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI) throw new Error(`CI needs Chromium for the browser tests; none at ${chromiumPath}`);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** Builds web/dist when it is missing or stale; the tests must see the app as it is now. */
export async function buildWebApp(): Promise<void> {
  if (!(await ensureWebBuild(() => {})))
    throw new Error('the web app did not build (npm run build -w @bazaar/web)');
}

/**
 * Signs in through the app's own form and waits for the page it lands on: `next` when given (the page that
 * asked for a sign-in), else the shop's front page.
 */
export async function signInThroughForm(
  page: Page,
  credentials: { email: string; password: string },
  next?: string,
): Promise<void> {
  await page.goto(next ? `/signin?next=${encodeURIComponent(next)}` : '/signin');
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === (next ?? '/'));
}

export interface BrowserPlatform {
  platform: Platform;
  browser: Browser;
  baseUrl: string;
  /** A fresh browser profile (own storage: own session and guest cart) with one page. */
  newPage(options?: { viewport?: keyof typeof viewports }): Promise<Page>;
  /** Errors the pages threw (uncaught exceptions): a test may assert there were none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** An embedded platform serving the current web build, and one Chromium for the whole test file. */
export async function startBrowserPlatform(extraEnv: Record<string, string> = {}): Promise<BrowserPlatform> {
  await buildWebApp();
  const platform = await startE2ePlatform('embedded', extraEnv);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await platform.stop();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  return {
    platform,
    browser,
    baseUrl: platform.gatewayUrl,
    pageErrors,
    async newPage({ viewport = 'desktop' } = {}) {
      const context = await browser.newContext({
        baseURL: platform.gatewayUrl,
        viewport: viewports[viewport],
      });
      contexts.push(context);
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return page;
    },
    async close() {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser.close().catch(() => {});
      await platform.stop();
      // The e2e environment gives each platform a data folder of its own (mail, admin file): leave none.
      const dataDir = platform.env.BAZAAR_DATA_DIR;
      if (dataDir?.startsWith(tmpdir())) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
