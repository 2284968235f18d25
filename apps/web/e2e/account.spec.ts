// Changing one's own password in Chromium: the rule refuses a common password beside its field,
// a good one is taken, the old one stops working and the new one signs in. Uses the demo admin,
// as whom no other spec signs in (a change ends the user's other sessions), and puts the password
// back at the end so that a long-lived installation keeps its printed demo password.
import { describe, expect, it } from 'vitest';
import { emailInput, signIn, useBrowser, type DemoUser } from './support';

const REP: DemoUser = { email: 'admin@zweck.test', password: 'zweck-admin-demo' };
const NEW_PASSWORD = 'correct horse battery staple';

describe('admin UI: change password', () => {
  const withPage = useBrowser();

  async function changePassword(page: Parameters<Parameters<typeof withPage>[1]>[0], current: string, next: string): Promise<void> {
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Change password', level: 1 }).waitFor();
    await page.getByLabel('Current password').fill(current);
    await page.getByLabel('New password', { exact: true }).fill(next);
    await page.getByLabel('New password again').fill(next);
    await page.getByRole('button', { name: 'Change password' }).click();
  }

  it('refuses a common password, takes a good one, and signs in only with the new one', async () => {
    await withPage('change-password', async (page) => {
      await signIn(page, REP);
      await changePassword(page, REP.password, 'Qwerty123456');
      await expect.poll(() => page.getByText('This password is on a list of common or breached passwords').count()).toBe(1);

      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('New password again').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Password changed').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();

      await emailInput(page).fill(REP.email);
      await page.getByLabel('Password').fill(REP.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The e-mail address or password is not correct.').waitFor();

      await signIn(page, { email: REP.email, password: NEW_PASSWORD });
      // Back to the demo password, which passes the rule too.
      await changePassword(page, NEW_PASSWORD, REP.password);
      await page.getByText('Password changed').waitFor();
    });
  });
});
