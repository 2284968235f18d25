// What every end-to-end spec needs: one Chromium per spec file, a fresh browser context per step,
// the demo users, signing in, and tRPC calls with the page's session for the set-up the UI
// itself is not under test for. Not a spec itself (vitest only collects e2e/**/*.spec.ts).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type APIRequestContext, type APIResponse, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { demoTotpSecret, msToNextStep, SESSION_COOKIE, sharedSessionOf, totpCode, trpcMutationWithToken } from './sessions';

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

export interface DemoUser {
  email: string;
  password: string;
}

// The seeded demo users (packages/db seed).
export const MARKETER: DemoUser = { email: 'marketer@zweck.test', password: 'zweck-marketer-demo' };
export const SALES: DemoUser = { email: 'sales@zweck.test', password: 'zweck-sales-demo' };
export const DPO: DemoUser = { email: 'dpo@zweck.test', password: 'zweck-dpo-demo' };
/** Signed in once by the global set-up (second factor); never sign this session out or change the account. */
export const ADMIN: DemoUser = { email: 'admin@zweck.test', password: 'zweck-admin-demo' };

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

/**
 * Signs a user in. The seeded admin and DPO (second factor required) get the session the global
 * set-up opened for them (e2e/sessions.ts): their codes work once per 30 s, and specs run in
 * parallel. Should that session have ended, they sign in through the UI with a code of their
 * demo secret, moving to the next step's code when a parallel sign-in used this one.
 */
export async function signIn(page: Page, user: DemoUser): Promise<void> {
  const contacts = page.getByRole('heading', { name: 'Contacts', level: 1 });
  const shared = sharedSessionOf(user.email);
  if (shared) {
    // Domain and path rather than `url`: Chromium refuses a __Host- cookie given with an http URL
    // over the DevTools protocol; for an IP address or localhost the cookie is the host's alone.
    const { hostname } = new URL(requireEnv('ZWECK_E2E_URL'));
    await page
      .context()
      .addCookies([{ name: SESSION_COOKIE, value: shared, domain: hostname, path: '/', httpOnly: true, secure: true, sameSite: 'Strict' }]);
    await page.goto('/');
    const signInHeading = page.getByRole('heading', { name: 'Sign in', level: 1 });
    await contacts.or(signInHeading).waitFor();
    if (await contacts.isVisible()) return;
    await page.context().clearCookies();
  }
  await page.goto('/');
  await emailInput(page).fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const secret = demoTotpSecret(user.email);
  if (secret) {
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt === 2) await page.waitForTimeout(msToNextStep() + 200);
      await page.getByLabel('Code', { exact: true }).fill(totpCode(secret, attempt % 2));
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('auth.verifySecondFactor')),
        page.getByRole('button', { name: 'Verify' }).click(),
      ]);
      if (answer.ok()) break;
    }
  }
  await contacts.waitFor();
}

/**
 * A user of its own for a spec that changes what it must not change on a seeded user (password,
 * second factor, sessions): created by the shared admin session (`users.create`), with the password
 * set through its invitation link (`users.acceptInvitation`).
 */
export async function createOwnUser(
  label: string,
  role: 'admin' | 'marketer' | 'sales' | 'dpo',
  password = 'an own e2e passphrase',
): Promise<DemoUser & { id: string; displayName: string }> {
  const baseUrl = requireEnv('ZWECK_E2E_URL');
  const adminToken = sharedSessionOf(ADMIN.email);
  if (!adminToken) throw new Error('the global set-up opened no admin session (ZWECK_E2E_SHARED_SESSIONS)');
  const email = uniqueEmail(label);
  const displayName = `E2E ${label} ${uniqueSuffix()}`;
  const created = await trpcMutationWithToken<{ id: string; invitationUrl: string }>(
    baseUrl,
    'users.create',
    { email, displayName, role },
    adminToken,
  );
  const token = new URL(created.invitationUrl).pathname.split('/').pop()!;
  await trpcMutationWithToken(baseUrl, 'users.acceptInvitation', { token, password }, null);
  return { id: created.id, email, password, displayName };
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
