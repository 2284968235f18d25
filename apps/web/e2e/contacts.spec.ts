// Contacts with catalogue fields, end to end in Chromium against the real system: an administrator
// adds a contact with phone and organization, then the same person again with the phone written
// differently; the form warns while typing and again on saving; the administrator saves anyway, then
// merges the second record into the first after reading the preview, and the survivor shows the
// merged values with their provenance. A marketer, who works for no purpose that uses the phone or
// the notes, is not offered them on the new-contact form and does not see them on the record.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  ARTIFACTS,
  DPO,
  MARKETER,
  emailInput,
  openNewContactForm,
  region,
  signIn,
  trpcMutation,
  trpcQuery,
  uniqueEmail,
  useBrowser,
} from './support';

/** A Berlin number of its own per run, so that a run against a long-lived installation finds only its own duplicates. */
const berlinDigits = (): string => `${2 + Math.floor(Math.random() * 8)}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;

interface CatalogueField {
  key: string;
  label: string;
  description: string;
  category: string;
  type: string;
  purposes: { id: string }[];
}

describe('admin UI: contacts, duplicates and merge', () => {
  const withPage = useBrowser();

  const contactIdOf = (page: Page): string => new URL(page.url()).pathname.split('/').pop() ?? '';

  it('finds the same person by phone while typing and on saving, then merges the two records into one', async () => {
    // Phone numbers and notes are stored only where a purpose uses them (data minimisation,
    // Art. 5(1)(c)); where the catalogue does not say so yet, the DPO allows them for product updates.
    await withPage('contacts-catalogue', async (page) => {
      await signIn(page, DPO);
      const fields = await trpcQuery<CatalogueField[]>(page.request, 'fields.list');
      for (const key of ['phone', 'notes']) {
        const field = fields.find((f) => f.key === key);
        expect(field).toBeDefined();
        if (!field || field.purposes.length > 0) continue;
        await trpcMutation(page.request, 'fields.update', {
          key: field.key,
          label: field.label,
          description: field.description,
          category: field.category,
          type: field.type,
          purposeIds: ['product_updates'],
        });
      }
    });

    const digits = berlinDigits();
    const first = { email: uniqueEmail('clara'), phone: `+49 30 ${digits.slice(0, 3)} ${digits.slice(3)}` };
    const second = { email: uniqueEmail('klara'), phone: `030 ${digits}` };

    let survivorId = '';
    // An administrator: marketers may not enter a phone number or notes (field-level need-to-know, below).
    await withPage('contacts-duplicates', async (page) => {
      await signIn(page, ADMIN);

      // The first record: phone and organization.
      await openNewContactForm(page);
      await emailInput(page).fill(first.email);
      await page.getByLabel('First name').fill('Clara');
      await page.getByLabel('Last name').fill('Hoffmann');
      await page.getByLabel('Organization', { exact: true }).fill('Spree Analytics GmbH');
      // What the field catalogue refuses comes back beside each field: a number that is none, and Art. 9 data in free text.
      await page.getByLabel('Phone', { exact: true }).fill('12');
      await page.getByLabel('Notes').fill('Was in hospital in May, call again later');
      await page.getByRole('button', { name: 'Save contact' }).click();
      await page.locator('#contact-phone-error').getByText('Not a valid phone number', { exact: false }).waitFor();
      expect(await page.locator('#contact-notes-error').textContent()).toContain('health data ("hospital")');
      await page.screenshot({ path: `${ARTIFACTS}12-contact-field-errors.png`, fullPage: true });
      await page.getByLabel('Phone', { exact: true }).fill(first.phone);
      await page.getByLabel('Notes').fill('Asked about the Q1 pilot.');
      await page.getByRole('button', { name: 'Save contact' }).click();
      await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
      const firstId = contactIdOf(page);
      survivorId = firstId;
      await page.getByRole('heading', { name: 'Clara Hoffmann', level: 1 }).waitFor();
      const firstDetails = region(page, 'Details');
      expect(await firstDetails.getByRole('row', { name: /Organization/ }).textContent()).toContain('Entered by staff');

      // The same person again, the number written differently, with a job title and a city.
      await openNewContactForm(page);
      await emailInput(page).fill(second.email);
      await page.getByLabel('First name').fill('Klara');
      await page.getByLabel('Last name').fill('Hofmann');
      await page.getByLabel('Phone', { exact: true }).fill(second.phone);
      await page.getByLabel('Job title').fill('Head of Data');
      await page.getByLabel('City').fill('Berlin');
      // Before saving: the live check names the first record, with a link and the reason.
      const hint = region(page, 'Possible duplicates');
      await hint.getByRole('link', { name: /Clara Hoffmann/ }).waitFor();
      await hint.getByText('Same phone number').waitFor();
      expect(await hint.getByRole('link', { name: /Clara Hoffmann/ }).getAttribute('href')).toBe(`/contacts/${firstId}`);
      await page.screenshot({ path: `${ARTIFACTS}13-possible-duplicates-while-typing.png`, fullPage: true });

      // On saving: the server asks too; the administrator decides this is another person.
      await page.getByRole('button', { name: 'Save contact' }).click();
      const confirm = page.getByRole('alert').filter({ hasText: 'Is this one of these people?' });
      await confirm.waitFor();
      await confirm.getByRole('link', { name: /Clara Hoffmann/ }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}14-possible-duplicate-on-save.png`, fullPage: true });
      await confirm.getByRole('button', { name: 'Save anyway, this is another person' }).click();
      await page.waitForURL((url) => /\/contacts\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(firstId));
      const secondId = contactIdOf(page);
      await page.getByRole('heading', { name: 'Klara Hofmann', level: 1 }).waitFor();

      // On the second record: the first is a possible duplicate; merge into it after reading the preview.
      const duplicates = region(page, 'Possible duplicates');
      const candidate = duplicates.getByRole('listitem').filter({ hasText: first.email });
      await candidate.getByText('Same phone number').waitFor();
      await candidate.getByRole('button', { name: 'Merge into Clara Hoffmann' }).click();
      const dialog = page.getByRole('dialog', { name: 'Merge this record into Clara Hoffmann?' });
      await dialog.getByText('City and Job title will be taken from this record.').waitFor();
      const plan = (await dialog.locator('.merge-plan').textContent()) ?? '';
      expect(plan).toContain('This record’s e-mail, first name, last name and phone will be discarded');
      expect(plan).toMatch(/\d+ provenance entries/);
      // The modal sits in the viewport; a full-page shot would show the backdrop over part of the page only.
      await page.screenshot({ path: `${ARTIFACTS}15-merge-preview.png` });
      await dialog.getByRole('button', { name: 'Merge records' }).click();

      // The survivor: the first record, with the second's values and the merge as their provenance.
      await page.waitForURL((url) => url.pathname.endsWith(`/contacts/${firstId}`));
      await page.getByRole('heading', { name: 'Clara Hoffmann', level: 1 }).waitFor();
      await page.getByText('City and Job title were taken from the merged record.').waitFor();
      const details = region(page, 'Details');
      const jobTitle = details.getByRole('row', { name: /Job title/ });
      await jobTitle.getByText('Head of Data').waitFor();
      expect(await jobTitle.textContent()).toContain('Merge');
      expect(await jobTitle.textContent()).toContain(`contact:${secondId}`);
      expect(await details.getByRole('row', { name: /City/ }).textContent()).toContain('Merge');
      // The survivor's own values stayed, with their own provenance.
      expect(await details.getByRole('row', { name: /Last name/ }).textContent()).toContain('Entered by staff');
      expect(await details.getByRole('row', { name: /Phone/ }).textContent()).toContain('Entered by staff');
      await region(page, 'Possible duplicates').getByText('No other record looks like this person.').waitFor();
      await region(page, 'Provenance').getByRole('cell', { name: 'Merge', exact: true }).first().waitFor();
      await page.screenshot({ path: `${ARTIFACTS}16-merged-survivor.png`, fullPage: true });

      // Editing: the form says which fields changed, and the change gets its own provenance.
      await details.getByRole('button', { name: 'Edit details' }).click();
      const form = page.getByRole('form', { name: 'Edit details' });
      expect(await form.getByLabel('Job title').inputValue()).toBe('Head of Data');
      await form.getByLabel('City').fill('Potsdam');
      await page.screenshot({ path: `${ARTIFACTS}17-edit-details.png`, fullPage: true });
      await form.getByRole('button', { name: 'Save details' }).click();
      await details.getByText('Changed: City.', { exact: false }).waitFor();
      const city = details.getByRole('row', { name: /City/ });
      await city.getByText('Potsdam').waitFor();
      expect(await city.textContent()).toContain('Entered by staff');

      // The merged record is gone.
      await page.goto(`/contacts/${secondId}`);
      await page.getByRole('heading', { name: 'Contact not found' }).waitFor();
    });

    // Field-level need-to-know: marketers work for no purpose that uses the phone or the notes.
    await withPage('contacts-marketer-need-to-know', async (page) => {
      await signIn(page, MARKETER);
      // The new-contact form does not offer them (the API would refuse them), and says so.
      await openNewContactForm(page);
      const note = page.getByTestId('hidden-fields-note');
      await note.getByText(/fields? (is|are) not shown to your role/).waitFor();
      expect(await note.textContent()).toMatch(/Phone.*Notes/);
      expect(await page.getByLabel('Phone', { exact: true }).count()).toBe(0);
      expect(await page.getByLabel('Notes').count()).toBe(0);
      await page.getByLabel('Organization', { exact: true }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}12b-new-contact-without-withheld-fields.png`, fullPage: true });

      // The record shows them neither, and says so (the DPO and sales see them).
      await trpcMutation(page.request, 'contacts.open', { id: survivorId, reason: 'correction' });
      await page.goto(`/contacts/${survivorId}`);
      await page.getByRole('heading', { name: 'Clara Hoffmann', level: 1 }).waitFor();
      const details = region(page, 'Details');
      expect(await details.getByTestId('hidden-fields-note').textContent()).toMatch(/Phone.*Notes/);
      expect(await details.getByRole('row', { name: /Phone/ }).count()).toBe(0);
      expect(await page.getByText(first.phone).count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}12c-fields-not-shown-to-marketer.png`, fullPage: true });

      // Saving the fields the marketer sees leaves the withheld ones as they were (the DPO checks below).
      await details.getByRole('button', { name: 'Edit details' }).click();
      const form = page.getByRole('form', { name: 'Edit details' });
      expect(await form.getByLabel('Phone', { exact: true }).count()).toBe(0);
      await form.getByLabel('City').fill('Berlin');
      await form.getByRole('button', { name: 'Save details' }).click();
      await details.getByText('Changed: City.', { exact: false }).waitFor();
      const stored = await trpcQuery<{ phone?: string | null }>(page.request, 'contacts.get', { id: survivorId });
      expect(stored.phone).toBeUndefined();
    });

    // The DPO sees every field: the survivor's own phone and notes, with their provenance.
    await withPage('contacts-dpo-sees-all', async (page) => {
      await signIn(page, DPO);
      await page.goto(`/contacts/${survivorId}`);
      const details = region(page, 'Details');
      const phone = details.getByRole('row', { name: /Phone/ });
      await phone.getByText(first.phone).waitFor();
      expect(await phone.textContent()).toContain('Entered by staff');
      await details.getByRole('row', { name: /Notes/ }).getByText('Asked about the Q1 pilot.').waitFor();
      expect(await details.getByText('not shown to your role').count()).toBe(0);
    });
  });
});
