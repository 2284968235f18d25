// The second factor in Chromium against the real system (issue 6): a new DPO (a user of its own,
// created by the shared admin session) must set up an authenticator app before anything else,
// reads the key from the page, confirms with a code, sees ten recovery codes once; then signs in
// with a code (a used code is refused), and with a recovery code (a used one is refused). Codes
// are computed from the key the page showed, as the app would; no test waits for a 30 s window.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from './sessions';
import { ARTIFACTS, createOwnUser, emailInput, useBrowser, type DemoUser } from './support';

describe('admin UI: the second factor', () => {
  const withPage = useBrowser();
  let dpo: DemoUser & { displayName: string };
  let secret = '';
  let enrolmentCode = '';
  let recoveryCodes: string[] = [];

  beforeAll(async () => {
    dpo = await createOwnUser('second-factor', 'dpo');
  });

  async function passwordStep(page: Page): Promise<void> {
    await page.goto('/');
    await emailInput(page).fill(dpo.email);
    await page.getByLabel('Password').fill(dpo.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  const contactsHeading = (page: Page) => page.getByRole('heading', { name: 'Contacts', level: 1 });

  async function signOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  }

  it('makes a new DPO set up an authenticator app before anything else, and shows the recovery codes once', async () => {
    await withPage('second-factor-enrol', async (page) => {
      await passwordStep(page);
      await page.getByRole('heading', { name: 'Set up your second factor', level: 1 }).waitFor();
      // The password alone signs nobody in: any page leads back to the sign-in.
      await page.goto('/privacy');
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();

      await passwordStep(page);
      await page.getByRole('button', { name: 'Set up authenticator app' }).click();
      const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
      await qr.waitFor();
      expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
      secret = ((await page.getByLabel('Secret key').textContent()) ?? '').replace(/\s/g, '');
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      await page.screenshot({ path: `${ARTIFACTS}second-factor-enrol.png` });

      // A wrong code does not set it up.
      const wrong = String((Number(totpCode(secret)) + 500_000) % 1_000_000).padStart(6, '0');
      await page.getByLabel('Code from the app').fill(wrong);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('This code is not correct.').waitFor();

      enrolmentCode = totpCode(secret);
      await page.getByLabel('Code from the app').fill(enrolmentCode);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
      recoveryCodes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
      await page.screenshot({ path: `${ARTIFACTS}second-factor-recovery-codes.png` });

      // Not before the user says they saved them.
      await page.getByRole('button', { name: 'Continue to Zweck' }).click();
      await page.getByText('Confirm that you saved the codes').waitFor();
      await page.getByLabel('I have saved my recovery codes').check();
      await page.getByRole('button', { name: 'Continue to Zweck' }).click();
      await contactsHeading(page).waitFor();
      await page.getByText(dpo.displayName).waitFor();

      // The account's security page: set up, required for the role, ten codes left, no way to switch it off.
      await page.getByRole('link', { name: 'Security' }).click();
      await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
      await page.getByText('Set up', { exact: true }).waitFor();
      await page.getByText('10 of 10').waitFor();
      expect(await page.getByRole('button', { name: 'Switch off second factor' }).count()).toBe(0);
      await signOut(page);
    });
  });

  it('signs in with a code from the app, and refuses a code that was used already', async () => {
    expect(secret).not.toBe('');
    await withPage('second-factor-code', async (page) => {
      await passwordStep(page);
      await page.getByRole('heading', { name: 'Enter your code', level: 1 }).waitFor();
      // The code that confirmed the app was accepted once; never again (replay).
      await page.getByLabel('Code', { exact: true }).fill(enrolmentCode);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByText('This code was used already.').waitFor();
      expect(await contactsHeading(page).count()).toBe(0);

      // The next step's code (the server allows one step of clock drift) is a new one.
      const code = totpCode(secret, 1);
      await page.getByLabel('Code', { exact: true }).fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await contactsHeading(page).waitFor();
      await signOut(page);

      // The same code once more, from a fresh sign-in: refused.
      await passwordStep(page);
      await page.getByLabel('Code', { exact: true }).fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByText('This code was used already.').waitFor();
      expect(await contactsHeading(page).count()).toBe(0);
    });
  });

  it('signs in with a recovery code once; the used recovery code is refused', async () => {
    expect(recoveryCodes).toHaveLength(10);
    const [first, second] = recoveryCodes as [string, string];
    await withPage('second-factor-recovery', async (page) => {
      await passwordStep(page);
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await page.getByLabel('Recovery code').fill(first);
      await page.getByRole('button', { name: 'Sign in with recovery code' }).click();
      await contactsHeading(page).waitFor();
      await signOut(page);

      await passwordStep(page);
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await page.getByLabel('Recovery code').fill(first);
      await page.getByRole('button', { name: 'Sign in with recovery code' }).click();
      await page.getByText('This recovery code is not correct, or it was used already.').waitFor();
      expect(await contactsHeading(page).count()).toBe(0);

      // Another one, typed in capitals without the dash, works; two are spent.
      await page.getByLabel('Recovery code').fill(second.replace('-', '').toUpperCase());
      await page.getByRole('button', { name: 'Sign in with recovery code' }).click();
      await contactsHeading(page).waitFor();
      await page.getByRole('link', { name: 'Security' }).click();
      await page.getByText('8 of 10').waitFor();
    });
  });
});
