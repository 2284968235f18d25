// Segments, end to end in Chromium against the real system: a marketer builds a segment from
// conditions, previews how many of its members the newsletter may reach by e-mail (and why the
// others may not), and saves it; the DPO reads it without being able to change it.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const MARKETER = { email: 'marketer@zweck.test', password: 'zweck-marketer-demo' };
const DPO = { email: 'dpo@zweck.test', password: 'zweck-dpo-demo' };

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Run this spec through vitest so that e2e/global-setup.ts starts the product, or point it at a running installation (ZWECK_E2E_URL=http://127.0.0.1:4000 after \`pnpm up\`).`,
    );
  }
  return value;
}

/** Unique per run: the other specs share the installation, and it may have seen this spec before. */
const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const ORG = `Segment Spec ${suffix}`;
const SEGMENT = `Spec customers ${suffix}`;

async function mutate(request: APIRequestContext, path: string, input: unknown): Promise<void> {
  const response = await request.post(`/trpc/${path}`, { data: input as Record<string, unknown> });
  if (!response.ok()) throw new Error(`${path} failed: ${await response.text()}`);
}

describe('admin UI: segments', () => {
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

  async function withPage(name: string, body: (page: Page) => Promise<void>): Promise<void> {
    const baseUrl = requireEnv('ZWECK_E2E_URL');
    if (!browser) throw new Error('the browser did not start');
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1360, height: 1000 }, locale: 'en-GB' });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    try {
      await body(page);
    } catch (error) {
      await page.screenshot({ path: `${ARTIFACTS}failed-${name}.png`, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto('/');
    await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  }

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

  it('lets a marketer build a segment, preview whom the newsletter may reach, and save it', async () => {
    await withPage('segment-build', async (page) => {
      await signIn(page, MARKETER);
      // Five people at one organization: two consented in person (no double opt-in needed), one
      // on a web form (not confirmed yet), two never asked.
      const consent = (method: 'in_person' | 'web_form') => ({
        purposeId: 'newsletter',
        channel: 'email',
        method,
        wordingVersion: '2026-11',
        grantedAt: new Date(Date.now() - 3_600_000).toISOString(),
        source: 'segments e2e',
      });
      const people = [consent('in_person'), consent('in_person'), consent('web_form'), undefined, undefined];
      for (const [i, proof] of people.entries()) {
        await mutate(page.request, 'contacts.create', {
          email: `seg-${suffix}-${i}@example.org`,
          lastName: `Spec${i}`,
          organization: ORG,
          ...(proof ? { consent: proof } : {}),
          allowPossibleDuplicate: true,
        });
      }

      await nav(page).getByRole('link', { name: 'Segments' }).click();
      await page.getByRole('heading', { name: 'Segments', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New segment' }).click();
      await page.getByRole('heading', { name: 'New segment', level: 1 }).waitFor();

      await page.getByLabel('Name').fill(SEGMENT);
      await page.getByLabel('Description').fill('Everyone at the spec organization who is still a subscriber.');
      await page.getByLabel('Condition 1 field').selectOption({ label: 'Organization' });
      await page.getByLabel('Condition 1 comparison').selectOption('equals');

      // Saving with the value missing names the input that is wrong.
      await page.getByRole('button', { name: 'Create segment' }).click();
      await expect.poll(() => page.locator('#condition-0-value-error').textContent()).toContain('enter one');
      await page.screenshot({ path: `${ARTIFACTS}segments-00-missing-value.png` });
      await page.getByLabel('Condition 1 value').fill(ORG);

      await page.getByRole('button', { name: 'Add condition' }).click();
      await page.getByLabel('Condition 2 type').selectOption('lifecycle');
      await page.getByRole('group', { name: 'Condition 2 stages' }).getByLabel('Subscriber').check();

      const preview = page.getByRole('region', { name: 'Preview' });
      await preview.getByLabel('Purpose').selectOption({ label: 'Newsletter' });
      await preview.getByLabel('Channel').selectOption('email');
      await preview.getByRole('button', { name: 'Preview' }).click();
      const summary = preview.getByTestId('preview-summary');
      await summary.waitFor();
      expect(await summary.textContent()).toBe('5 contacts · 2 reachable · excluded: 2 no consent, 1 not yet confirmed');
      expect(await preview.getByRole('list', { name: 'Excluded members by reason' }).textContent()).toContain(
        'There is no consent for this purpose on this channel.',
      );
      await page.screenshot({ path: `${ARTIFACTS}segments-01-builder-preview.png`, fullPage: true });

      // A change after the preview marks it as outdated rather than showing stale numbers as current.
      await page.getByRole('group', { name: 'Condition 2 stages' }).getByLabel('Lead').check();
      await preview.getByText('changed since this preview').waitFor();
      await page.getByRole('group', { name: 'Condition 2 stages' }).getByLabel('Lead').uncheck();

      await page.getByRole('button', { name: 'Create segment' }).click();
      await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
      await page.getByText('Segment saved').waitFor();
      await page.getByRole('heading', { name: SEGMENT, level: 1 }).waitFor();
      await page.getByText('5 members now').waitFor();
      expect(await page.getByLabel('Condition 1 value').inputValue()).toBe(ORG);
      await page.screenshot({ path: `${ARTIFACTS}segments-02-saved.png`, fullPage: true });

      await nav(page).getByRole('link', { name: 'Segments' }).click();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: SEGMENT }) });
      await row.waitFor();
      expect(await row.getByRole('cell').nth(1).textContent()).toBe('5');
      await page.screenshot({ path: `${ARTIFACTS}segments-03-list.png`, fullPage: true });
    });
  });

  it('shows the DPO segments and previews, read only', async () => {
    await withPage('segment-dpo', async (page) => {
      await signIn(page, DPO);
      await nav(page).getByRole('link', { name: 'Segments' }).click();
      await page.getByRole('heading', { name: 'Segments', level: 1 }).waitFor();
      expect(await page.getByRole('link', { name: 'New segment' }).count()).toBe(0);
      await page.getByText('Read only: marketers and administrators build segments.').waitFor();
      await page.goto('/segments/new');
      await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    });
  });
});
