// What every end-to-end spec needs: one Chromium per spec file, a fresh browser context per step,
// the demo users, signing in, and tRPC calls with the page's session for the set-up the UI
// itself is not under test for. Not a spec itself (vitest only collects e2e/**/*.spec.ts).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type APIRequestContext, type APIResponse, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

export interface DemoUser {
  email: string;
  password: string;
}

// The seeded demo users (packages/db seed).
export const MARKETER: DemoUser = { email: 'marketer@zweck.test', password: 'zweck-marketer-demo' };
export const SALES: DemoUser = { email: 'sales@zweck.test', password: 'zweck-sales-demo' };
export const DPO: DemoUser = { email: 'dpo@zweck.test', password: 'zweck-dpo-demo' };

/** Workflows run on a real Temporal: give them time, but not forever. */
export const WORKFLOW_TIMEOUT = 90_000;

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. The end-to-end specs drive the whole product (API serving the built UI, worker, Temporal, SMTP sink). ` +
        'Run them through vitest so that e2e/global-setup.ts starts everything, or point them at a running installation, e.g. ' +
        'ZWECK_E2E_URL=http://127.0.0.1:4000 ZWECK_E2E_MAIL_SINK_URL=http://127.0.0.1:8025 after `pnpm up`.',
    );
  }
  return value;
}

/**
 * Unique per run: the specs share one installation and run at the same time, and a long-lived
 * installation may have seen a spec before.
 */
export const uniqueSuffix = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
export const uniqueEmail = (label: string): string => `e2e-${label}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.org`;

export type WithPage = (name: string, body: (page: Page) => Promise<void>) => Promise<void>;

/**
 * Launches Chromium before the tests of the enclosing `describe` and closes it after them; returns
 * `withPage`, which runs a step in a fresh browser context (no cookies) and keeps a screenshot of
 * where it stood if the step fails.
 */
export function useBrowser(options: { viewport?: { width: number; height: number } } = {}): WithPage {
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  return async (name, body) => {
    // Every test fails (none is skipped) when there is no system to test.
    const baseUrl = requireEnv('ZWECK_E2E_URL');
    if (!browser) throw new Error('the browser did not start');
    const context = await browser.newContext({
      baseURL: baseUrl,
      viewport: options.viewport ?? { width: 1360, height: 1000 },
      locale: 'en-GB',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    // The API's Content-Security-Policy (issue 6) must not break the admin: any violation fails the step.
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    try {
      await body(page);
      if (cspViolations.length > 0) throw new Error(`Content-Security-Policy violations: ${cspViolations.join(' | ')}`);
    } catch (error) {
      await page.screenshot({ path: `${ARTIFACTS}failed-${name}.png`, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  };
}

export const emailInput = (page: Page) => page.getByRole('textbox', { name: 'E-mail', exact: true });
export const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
export const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });

export async function signIn(page: Page, user: DemoUser): Promise<void> {
  await page.goto('/');
  await emailInput(page).fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
}

export async function openNewContactForm(page: Page): Promise<void> {
  await mainNav(page).getByRole('link', { name: 'New contact' }).click();
  await page.getByRole('heading', { name: 'New contact', level: 1 }).waitFor();
}

async function trpcResult<T>(path: string, response: APIResponse): Promise<T> {
  const body = (await response.json()) as { result?: { data: T }; error?: unknown };
  if (!response.ok() || !body.result) throw new Error(`${path} failed: ${JSON.stringify(body.error ?? body)}`);
  return body.result.data;
}

/** A tRPC query over HTTP with the page's session cookie (no transformer: the input is plain JSON). */
export async function trpcQuery<T>(request: APIRequestContext, path: string, input?: unknown): Promise<T> {
  const url = input === undefined ? `/trpc/${path}` : `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  return trpcResult<T>(path, await request.get(url));
}

/** A tRPC mutation over HTTP with the page's session cookie (no transformer: the body is the input itself). */
export async function trpcMutation<T = unknown>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  // Playwright sends `data` as application/json; the header is the API's CSRF check.
  return trpcResult<T>(
    path,
    await request.post(`/trpc/${path}`, { data: input as Record<string, unknown>, headers: { 'x-zweck-csrf': '1' } }),
  );
}

/** Polls `find` until it returns something, for at most `timeoutMs`. */
export async function eventually<T>(find: () => Promise<T | undefined>, timeoutMs: number, what = 'eventually'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: nothing within ${timeoutMs / 1000}s`);
}
