// Segments, end to end in Chromium against the real system: a marketer builds a segment from
// conditions, previews how many of its members the newsletter may reach by e-mail (and why the
// others may not), and saves it; the DPO reads it without being able to change it.
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DPO, MARKETER, mainNav, signIn, trpcMutation, uniqueSuffix, useBrowser } from './support';

const suffix = uniqueSuffix();
const ORG = `Segment Spec ${suffix}`;
const SEGMENT = `Spec customers ${suffix}`;

describe('admin UI: segments', () => {
  const withPage = useBrowser();

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
        await trpcMutation(page.request, 'contacts.create', {
          email: `seg-${suffix}-${i}@example.org`,
          lastName: `Spec${i}`,
          organization: ORG,
          ...(proof ? { consent: proof } : {}),
          allowPossibleDuplicate: true,
        });
      }

      await mainNav(page).getByRole('link', { name: 'Segments' }).click();
      await page.getByRole('heading', { name: 'Segments', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New segment' }).click();
      await page.getByRole('heading', { name: 'New segment', level: 1 }).waitFor();

      await page.getByLabel('Name').fill(SEGMENT);
      await page.getByLabel('Description').fill('Everyone at the spec organization who is still a subscriber.');
      // The field picker offers only the fields a marketer sees (need-to-know): no phone, whose counts would reveal numbers.
      const picker = page.getByLabel('Condition 1 field');
      await picker.locator('option', { hasText: 'Organization' }).waitFor({ state: 'attached' });
      expect(await picker.locator('option', { hasText: /^Phone$/ }).count()).toBe(0);
      await picker.selectOption({ label: 'Organization' });
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

      await mainNav(page).getByRole('link', { name: 'Segments' }).click();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: SEGMENT }) });
      await row.waitFor();
      expect(await row.getByRole('cell').nth(1).textContent()).toBe('5');
      await page.screenshot({ path: `${ARTIFACTS}segments-03-list.png`, fullPage: true });
    });
  });

  it('shows the DPO segments and previews, read only', async () => {
    await withPage('segment-dpo', async (page) => {
      await signIn(page, DPO);
      await mainNav(page).getByRole('link', { name: 'Segments' }).click();
      await page.getByRole('heading', { name: 'Segments', level: 1 }).waitFor();
      expect(await page.getByRole('link', { name: 'New segment' }).count()).toBe(0);
      await page.getByText('Read only: marketers and administrators build segments.').waitFor();
      await page.goto('/segments/new');
      await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    });
  });
});
