// The import wizard, end to end in Chromium against the real system: a marketer chooses a CSV
// file with one good row and one without its proof of consent, reads the dry run's exact report,
// imports the valid row only, and opens the contact it created, consent and provenance included.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, MARKETER, SALES, mainNav, signIn, useBrowser } from './support';

describe('admin UI: importing contacts', () => {
  const withPage = useBrowser();

  const cellsOf = async (page: Page) =>
    page
      .locator('.import-table tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
      );

  it('a marketer imports the valid row of a file, after a dry run that names what is wrong with the other', async () => {
    await withPage('import', async (page) => {
      const stamp = `${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
      const good = `e2e-import-good-${stamp}@example.org`;
      const bad = `e2e-import-bad-${stamp}@example.org`;
      const csv =
        'email;first_name;last_name;consent_purposes;consent_method;consent_wording_version;consent_language;consent_given_at;consent_source\n' +
        `${good};Ilse;Import;newsletter;web_form;2026-11;en;2026-10-01T09:30:00+02:00;Newsletter form on our website\n` +
        `${bad};Bodo;Beweislos;newsletter;web_form;;en;2026-10-02T10:00:00+02:00;Newsletter form on our website\n`;

      await signIn(page, MARKETER);
      await mainNav(page).getByRole('link', { name: 'Import' }).click();
      await page.getByRole('heading', { name: 'Import contacts', level: 1 }).waitFor();

      // Step 1: the file, its source; the help names the columns and offers a template.
      await page
        .getByLabel('File to import')
        .setInputFiles({ name: 'fair-list.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
      await page.getByText('fair-list.csv ·').waitFor();
      await page.getByLabel('Where does this file come from?').fill('Trade fair Berlin 2026, list of partner X');
      expect(await page.getByRole('link', { name: 'Download a CSV template' }).getAttribute('download')).toBe('zweck-import-template.csv');
      await page.screenshot({ path: `${ARTIFACTS}import-01-choose.png`, fullPage: true });
      await page.getByRole('button', { name: 'Check the file (dry run)' }).click();

      // Step 2: the exact report.
      await page.getByRole('heading', { name: 'Dry run of fair-list.csv' }).waitFor();
      const summary = page.getByRole('definition');
      expect(await summary.allTextContents()).toEqual(['2', '1', '0', '1']);
      expect(await cellsOf(page)).toEqual([
        ['1', 'Create', 'A new contact.', '1'],
        [
          '2',
          'Reject',
          'MISSING_CONSENT_PROOFconsent_wording_version is missing: which wording the person agreed to is part of the proof of consent (Art. 7(1) GDPR).',
          '0',
        ],
      ]);
      await page.getByRole('button', { name: 'Rejected (1)' }).click();
      expect((await cellsOf(page)).map((cells) => cells[0])).toEqual(['2']);
      await page.screenshot({ path: `${ARTIFACTS}import-02-report.png`, fullPage: true });
      await page.getByRole('button', { name: 'Continue' }).click();

      // Step 3: all or nothing is not possible; only the valid rows.
      await page.getByRole('heading', { name: 'Import fair-list.csv' }).waitFor();
      expect(await page.getByLabel('Import all rows').isDisabled()).toBe(true);
      expect(await page.getByLabel('Import only the valid rows').isChecked()).toBe(true);
      expect(await page.getByText('No welcome mail').isVisible()).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}import-03-choose-mode.png`, fullPage: true });
      await page.getByRole('button', { name: 'Import', exact: true }).click();

      const done = page.getByRole('status').filter({ hasText: 'The import is done' });
      await done.waitFor();
      expect(await done.textContent()).toContain('1 created, 0 merged, 1 rejected (not imported); 1 consent events recorded.');
      await page.screenshot({ path: `${ARTIFACTS}import-04-done.png`, fullPage: true });

      // The created contact: its consent with the proof from the file, and where it came from.
      await page.getByRole('link', { name: 'Open the contact' }).click();
      await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: 'Ilse Import', level: 1 }).waitFor();
      const ledger = page.getByRole('region', { name: 'Consent ledger', exact: true });
      await ledger.getByText('Newsletter form on our website').waitFor();
      const provenance = page.getByRole('region', { name: 'Provenance', exact: true });
      expect(await provenance.getByText(/import:/).count()).toBeGreaterThan(0);
      await page.screenshot({ path: `${ARTIFACTS}import-05-contact.png`, fullPage: true });

      // The rejected row was not imported.
      await page.goto(`/contacts?q=${encodeURIComponent(bad)}`);
      await page.getByText(`No contacts match “${bad}”.`).waitFor();
    });
  });

  it('offers sales no import', async () => {
    await withPage('import-sales', async (page) => {
      await signIn(page, SALES);
      expect(await mainNav(page).getByRole('link', { name: 'Import' }).count()).toBe(0);
      await page.goto('/import');
      await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    });
  });
});
