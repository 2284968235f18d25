// Changing one's own password in Chromium: the rule refuses a common password beside its field,
// a good one is taken, the old one stops working and the new one signs in. Uses a user of its own
// (created by the shared admin session and its invitation link): a change ends the user's other
// sessions, which must never happen to a seeded user other specs sign in as.
import { describe, expect, it } from 'vitest';
import { createOwnUser, emailInput, signIn, useBrowser } from './support';

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
    const user = await createOwnUser('password-change', 'marketer');
    await withPage('change-password', async (page) => {
      await signIn(page, user);
      await changePassword(page, user.password, 'Qwerty123456');
      await expect.poll(() => page.getByText('This password is on a list of common or breached passwords').count()).toBe(1);

      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('New password again').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Password changed').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();

      await emailInput(page).fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The e-mail address or password is not correct.').waitFor();

      await signIn(page, { email: user.email, password: NEW_PASSWORD });
      await page.getByText(user.displayName).waitFor();
    });
  });
});
