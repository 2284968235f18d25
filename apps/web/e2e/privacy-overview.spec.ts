// The DPO's overview, in Chromium against the real system: a request entered for a contact shows
// up with its statutory countdown, its link leads to the request, and the consent trend is drawn
// with its figures as a table.
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DPO, MARKETER, mainNav, region, signIn, trpcMutation, uniqueEmail, useBrowser } from './support';

describe('admin UI: the privacy overview', () => {
  const withPage = useBrowser();

  it('shows an open request with its countdown, and the consent trend with its figures', async () => {
    let contactId = '';
    await withPage('privacy-overview-setup', async (page) => {
      await signIn(page, MARKETER);
      // The marketer does not see the DPO's workplace at all.
      expect(await mainNav(page).getByRole('link', { name: 'Privacy' }).count()).toBe(0);
      ({ id: contactId } = await trpcMutation<{ id: string }>(page.request, 'contacts.create', {
        email: uniqueEmail('overview'),
        allowPossibleDuplicate: true,
      }));
    });

    await withPage('privacy-overview', async (page) => {
      await signIn(page, DPO);
      const { id: requestId } = await trpcMutation<{ id: string }>(page.request, 'requests.create', {
        type: 'portability',
        contactId,
        identityMethod: 'known_address',
      });
      await mainNav(page).getByRole('link', { name: 'Privacy' }).click();
      await page.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor();

      await page.getByRole('link', { name: 'Open requests', exact: true }).waitFor();
      const open = region(page, 'Open data-subject requests');
      const row = open.getByRole('row').filter({ has: page.locator(`a[href="/privacy/requests/${requestId}"]`) });
      await row.waitFor();
      // Received just now: a month to go, counted down in days.
      expect(await row.getByRole('cell').first().textContent()).toBe('Portability (Art. 20)');
      expect(await row.getByRole('cell').nth(3).textContent()).toMatch(/^(2[89]|3[01]) days left$/);

      const trend = region(page, 'Consent and withdrawals, per week');
      await trend.locator('svg.recharts-surface').first().waitFor();
      await trend.getByText(/The figures/).click();
      expect(await trend.getByRole('row').count()).toBe(13); // the header and twelve weeks
      await page.screenshot({ path: `${ARTIFACTS}privacy-overview.png`, fullPage: true });

      await row.getByRole('link').click();
      await page.waitForURL(`**/privacy/requests/${requestId}`);
    });
  });
});
