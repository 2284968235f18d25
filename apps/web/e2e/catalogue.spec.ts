// The DPO's catalogues, end to end in Chromium against the real system: a new wording version
// for the newsletter (the old one stays listed with its consents), a new field, and a purpose on
// legitimate interest that cannot be saved without its balancing test.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DPO, MARKETER, mainNav, region, signIn, uniqueSuffix, useBrowser } from './support';

// The other specs run against the same installation at the same time and look for the shipped
// newsletter texts: the new versions keep those sentences and add one.
const NEW_WORDING = {
  en: 'Yes, send me the monthly newsletter by e-mail. I can withdraw this consent at any time, with a link in every message or in the preference center.',
  de: 'Ja, schicken Sie mir den monatlichen Newsletter per E-Mail. Ich kann diese Einwilligung jederzeit widerrufen, mit einem Link in jeder Nachricht oder in der Präferenzverwaltung.',
};
const OLD_WORDING_EN =
  'Yes, send me the monthly newsletter by e-mail. I can withdraw this consent at any time, with a link in every message.';

const suffix = uniqueSuffix();

describe('admin UI: the purpose and field catalogues', () => {
  const withPage = useBrowser();

  async function openCatalogue(page: Page): Promise<void> {
    await mainNav(page).getByRole('link', { name: 'Catalogue' }).click();
    await page.getByRole('heading', { name: 'Catalogue', level: 1 }).waitFor();
  }

  it('adds a new wording version to the newsletter; the old version stays listed with the consents given under it', async () => {
    await withPage('catalogue-wording', async (page) => {
      await signIn(page, DPO);
      await openCatalogue(page);
      const newsletterRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Newsletter', exact: true }) });
      await newsletterRow.waitFor();
      await page.screenshot({ path: `${ARTIFACTS}20-catalogue-purposes.png`, fullPage: true });

      await newsletterRow.getByRole('link', { name: 'Newsletter', exact: true }).click();
      await page.getByRole('heading', { name: 'Newsletter', level: 1 }).waitFor();
      const history = region(page, 'Wording history');
      const rows = history.getByRole('row');
      await rows.filter({ hasText: OLD_WORDING_EN }).waitFor();
      const versionsBefore = await rows.count();

      // The same text again is not a new version: the server says so beside the text.
      await history.getByLabel('Language').selectOption('en');
      await history.getByRole('button', { name: 'Start from the current text' }).click();
      await history.getByRole('button', { name: 'Save as new version' }).click();
      await history.getByText('This is the text of the current version. A new version needs a changed text.').waitFor();

      await history.getByLabel('Text people agree to').fill(NEW_WORDING.en);
      await history.getByRole('button', { name: 'Save as new version' }).click();
      await history.getByText('New wording version saved').waitFor();
      await history.getByLabel('Language').selectOption('de');
      await history.getByLabel('Text people agree to').fill(NEW_WORDING.de);
      await history.getByRole('button', { name: 'Save as new version' }).click();
      await expect.poll(() => rows.count()).toBe(versionsBefore + 2);

      // Newest first: the new texts on top, marked current; the shipped version still listed below.
      const firstRows = [await rows.nth(1).textContent(), await rows.nth(2).textContent()].join('\n');
      expect(firstRows).toContain('or in the preference center');
      expect(firstRows).toContain('Präferenzverwaltung');
      expect(await rows.nth(1).getByText('Current', { exact: true }).count()).toBe(1);
      const newVersion = (await rows.nth(1).locator('.mono').first().textContent()) ?? '';
      expect(newVersion).toMatch(/^\d{4}-\d{2}(-\d+)?$/);
      expect(newVersion).not.toBe('2026-11');
      const oldRow = rows.filter({ hasText: OLD_WORDING_EN });
      expect(await oldRow.textContent()).toContain('2026-11');
      expect(await oldRow.getByText('Current', { exact: true }).count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}21-catalogue-wording-history.png`, fullPage: true });

      // The public form now asks for consent to the new text, under the new version.
      await page.goto('/subscribe/newsletter');
      await page.getByText('or in the preference center', { exact: false }).waitFor();
      expect(await page.locator('input[name="wordingVersion"]').getAttribute('value')).toBe(newVersion);
    });
  });

  it('creates a field for the newsletter; a taken key is refused beside the key', async () => {
    await withPage('catalogue-field', async (page) => {
      const key = `sector_${suffix}`;
      await signIn(page, DPO);
      await openCatalogue(page);
      await page.getByRole('navigation', { name: 'Catalogue' }).getByRole('link', { name: 'Fields' }).click();
      await page.getByRole('row').filter({ hasText: 'job_title' }).waitFor();
      await page.getByRole('button', { name: 'New field' }).click();

      const editor = region(page, 'New field');
      // Art. 9 categories are not among the choices, and the form says why.
      const categories = await editor.getByLabel('Category').locator('option').allTextContents();
      expect(categories.some((c) => /health|relig|politic/i.test(c))).toBe(false);
      await editor.getByText('Special categories of Art. 9(1) GDPR', { exact: false }).waitFor();

      await editor.getByRole('textbox', { name: 'Key', exact: true }).fill('job_title');
      await editor.getByRole('textbox', { name: 'Label', exact: true }).fill('Sector');
      await editor.getByLabel('Description').fill('The sector the organization works in, to choose relevant content.');
      await editor.getByLabel('Category').selectOption('professional');
      await editor.getByLabel('Type', { exact: true }).selectOption('text');
      await editor.getByRole('checkbox', { name: 'Newsletter' }).check();
      await editor.getByRole('button', { name: 'Create field' }).click();
      await editor.getByText('There is already a field with this key. Choose another one.').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}22-catalogue-field-key-taken.png`, fullPage: true });

      await editor.getByRole('textbox', { name: 'Key', exact: true }).fill(key);
      await editor.getByRole('button', { name: 'Create field' }).click();
      await page.getByText('Field saved').waitFor();
      const row = page.getByRole('row').filter({ hasText: key });
      await row.waitFor();
      expect(await row.textContent()).toContain('Sector');
      expect(await row.textContent()).toContain('Professional');
      expect(await row.getByText('Newsletter', { exact: true }).count()).toBe(1);
      // Seen by the roles working for the newsletter (marketing), and by administrators and the DPO.
      expect(await row.getByLabel(/^Roles that see/).textContent()).toBe('AdministratorsMarketingData protection officer');
      await page.screenshot({ path: `${ARTIFACTS}23-catalogue-fields.png`, fullPage: true });
    });
  });

  it('refuses to save a purpose on legitimate interest without a balancing test, and says so beside the field', async () => {
    await withPage('catalogue-legitimate-interest', async (page) => {
      const id = `partner_events_${suffix}`;
      await signIn(page, DPO);
      await openCatalogue(page);
      await page.getByRole('link', { name: 'New purpose' }).click();
      await page.getByRole('heading', { name: 'New purpose', level: 1 }).waitFor();

      await page.getByRole('textbox', { name: 'ID', exact: true }).fill(id);
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Partner events');
      await page.getByRole('textbox', { name: 'Description', exact: true }).fill('Invitations to events we organise with our partners.');
      await page.getByLabel('Legal basis').selectOption('legitimate_interest');
      await page.getByLabel('Requires double opt-in').uncheck();
      await page.getByRole('button', { name: 'Create purpose' }).click();

      const error = page.locator('#purpose-balancing-test-error');
      await error.waitFor();
      expect(await error.textContent()).toContain(
        'Legitimate interest (Art. 6(1)(f) GDPR) needs a written balancing test of at least 50 characters',
      );
      expect(await page.getByRole('textbox', { name: 'Balancing test', exact: true }).getAttribute('aria-invalid')).toBe('true');
      await page.screenshot({ path: `${ARTIFACTS}24-catalogue-balancing-test-missing.png`, fullPage: true });

      await page
        .getByRole('textbox', { name: 'Balancing test', exact: true })
        .fill(
          'Interest: inviting business partners to joint events. Impact: a few invitations a year, each with an opt-out. Result: the interest prevails.',
        );
      await page.getByRole('button', { name: 'Create purpose' }).click();
      await page.getByRole('heading', { name: 'Partner events', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/catalogue/purposes/${id}`);
      await region(page, 'Wording history').getByText('nobody is asked to agree to a wording', { exact: false }).waitFor();
    });
  });

  it('shows a marketer the catalogue read only', async () => {
    await withPage('catalogue-marketer', async (page) => {
      await signIn(page, MARKETER);
      await openCatalogue(page);
      await page.getByText('Read only: the data protection officer and administrators edit the catalogue.').waitFor();
      expect(await page.getByRole('link', { name: 'New purpose' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Newsletter', exact: true }).click();
      await region(page, 'Wording history').getByRole('row').nth(1).waitFor();
      // Need to know: who works for the purpose, and so sees its fields.
      const staff = page.locator('dl.facts div').filter({ hasText: 'Staff who work for this purpose' });
      expect(await staff.textContent()).toContain('Marketing');
      expect(await page.getByRole('button', { name: 'Save purpose' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Save as new version' }).count()).toBe(0);
      await page.goto('/catalogue/purposes/new');
      await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    });
  });
});
