// The Art. 14 duty clock, end to end in Chromium against the real system: a marketer imports a
// list, which starts a duty to inform the person; the DPO finds it among the open duties with its
// due date, is refused an exemption without a reason beside the field, records one with its
// reason, and finds it under "Exempt".
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DPO, MARKETER, region, signIn, trpcMutation, uniqueEmail, useBrowser } from './support';

describe('admin UI: the Art. 14 duty clock', () => {
  const withPage = useBrowser();
  const email = uniqueEmail('art14');

  it('an import starts a duty; the DPO records an exemption with its reason', async () => {
    await withPage('art14-import', async (page) => {
      await signIn(page, MARKETER);
      const file = {
        format: 'csv',
        source: 'Partner list, e2e',
        content: `email,first_name,legal_basis\n${email},Erika,legitimate_interest\n`,
      };
      const report = await trpcMutation<{ fileSha256: string; summary: { create: number } }>(page.request, 'import.dryRun', file);
      expect(report.summary.create).toBe(1);
      await trpcMutation(page.request, 'import.commit', { ...file, mode: 'all_or_nothing', expectedSha256: report.fileSha256 });
    });

    await withPage('art14-exempt', async (page) => {
      await signIn(page, DPO);
      await page.goto('/privacy/art14');
      await page.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor();
      expect(
        await page.getByRole('navigation', { name: 'Privacy' }).getByRole('link', { name: 'Art. 14' }).getAttribute('aria-current'),
      ).toBe('page');
      const duties = region(page, 'Art. 14 duties');
      const row = duties.getByRole('row').filter({ hasText: email });
      await row.waitFor();
      expect(await row.textContent()).toContain('import');
      await page.screenshot({ path: `${ARTIFACTS}art14-01-open.png`, fullPage: true });

      await row.getByRole('button', { name: 'Mark exempt' }).click();
      const form = page.getByRole('form', { name: 'Exemption for Erika' });
      await form.getByLabel('Reason (Art. 14(5) GDPR)').selectOption('already_informed');
      await form.getByLabel('Why, and what was done instead').fill('no');
      await form.getByRole('button', { name: 'Record exemption' }).click();
      await form.getByText('Say in a sentence why').waitFor();

      await form.getByLabel('Why, and what was done instead').fill('The partner informed the visitors at registration, with our notice.');
      await form.getByRole('button', { name: 'Record exemption' }).click();
      await row.waitFor({ state: 'detached' });

      await duties.getByLabel('Show duties').selectOption('exempt');
      const exempt = duties.getByRole('row').filter({ hasText: email });
      await exempt.waitFor();
      expect(await exempt.textContent()).toContain('(a) The person already has the information');
      await page.screenshot({ path: `${ARTIFACTS}art14-02-exempt.png`, fullPage: true });
    });
  });
});
