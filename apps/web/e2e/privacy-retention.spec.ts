// The retention editor, in Chromium against the real system (API, worker, Temporal, PostgreSQL):
// a policy with a bad period is refused beside the field, fixed, saved and listed with its preview;
// checked now, it proposes a run of the contact past its deadline, which the DPO approves and the
// worker carries out (the contact is erased in every store).
import { describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  DPO,
  MARKETER,
  region,
  signIn,
  trpcMutation,
  trpcQuery,
  uniqueEmail,
  uniqueSuffix,
  useBrowser,
  WORKFLOW_TIMEOUT,
} from './support';

describe('admin UI: the retention editor', () => {
  const withPage = useBrowser();

  it('refuses a bad period, saves the fixed policy, lists it, and approves its run', async () => {
    let contactId = '';
    const fourYearsAgo = new Date(Date.now() - 4 * 365 * 86_400_000).toISOString();
    await withPage('privacy-retention-setup', async (page) => {
      await signIn(page, MARKETER);
      ({ id: contactId } = await trpcMutation<{ id: string }>(page.request, 'contacts.create', {
        email: uniqueEmail('retention'),
        allowPossibleDuplicate: true,
      }));
      // The contract ended four years ago: the system that holds contracts says so through the events API.
      await trpcMutation(page.request, 'events.emit', { contactId, name: 'contract_ended', occurredAt: fourYearsAgo });
    });

    const name = `Former customers ${uniqueSuffix()}`;
    await withPage('privacy-retention', async (page) => {
      await signIn(page, DPO);
      await page.goto('/privacy/retention');
      await page.getByRole('heading', { name: 'Retention', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New policy' }).click();
      await page.getByRole('heading', { name: 'New retention policy', level: 1 }).waitFor();

      const form = page.getByRole('form', { name: 'Retention policy' });
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
      await form.getByRole('combobox', { name: 'Purpose', exact: true }).selectOption('sales_follow_up');
      await form.getByRole('textbox', { name: 'Period', exact: true }).fill('36 months');
      await form.getByRole('combobox', { name: 'Counted from' }).selectOption('contract_end');
      await form.getByRole('combobox', { name: 'At the deadline' }).selectOption('delete');
      await form.getByRole('button', { name: 'Create policy' }).click();
      // Refused beside the field, before anything is sent.
      const period = form.getByRole('textbox', { name: 'Period', exact: true });
      await form.getByText(/an ISO 8601 duration of years, months, weeks or days/).waitFor();
      expect(await period.getAttribute('aria-invalid')).toBe('true');
      expect(page.url()).toMatch(/\/privacy\/retention\/new$/);

      await period.fill('P36M');
      // The preview counts the contact whose contract ended four years ago.
      const preview = form.getByRole('region', { name: 'Next deadlines' });
      await preview.getByText('Past the deadline now').waitFor();
      await page.waitForFunction(
        () => {
          const dd = [...document.querySelectorAll('[aria-label="Next deadlines"] div')].find((d) =>
            d.textContent?.startsWith('Past the deadline now'),
          );
          return Number(dd?.querySelector('dd')?.textContent ?? '0') >= 1;
        },
        undefined,
        { timeout: 20_000 },
      );
      await form.getByRole('button', { name: 'Create policy' }).click();
      await page.getByText('Policy saved').waitFor();
      const policyId = page.url().split('/').pop() ?? '';
      expect(policyId).toMatch(/^[0-9a-f-]{36}$/);

      // Listed.
      await page.getByRole('link', { name: 'Retention', exact: true }).first().click();
      const policies = region(page, 'Policies');
      const row = policies.getByRole('row').filter({ hasText: name });
      await row.waitFor();
      expect(await row.textContent()).toMatch(/36 months after the end of the contract.*Delete.*with approval/);

      // Checked now: a run of the one contact waits for approval.
      await row.getByRole('link', { name }).click();
      await page.getByRole('button', { name: 'Check now' }).click();
      await page.getByText('Check started').waitFor();
      const run = await (async () => {
        const deadline = Date.now() + WORKFLOW_TIMEOUT;
        while (Date.now() < deadline) {
          const runs = await trpcQuery<Array<{ id: string; status: string }>>(page.request, 'retention.listRuns', { policyId });
          if (runs[0]) return runs[0];
          await page.waitForTimeout(500);
        }
        throw new Error('no run within the timeout');
      })();
      expect(run.status).toBe('pending_approval');

      await page.goto('/privacy/retention');
      const runRow = region(page, 'Runs').getByRole('row').filter({ hasText: name });
      await runRow.getByText('Waiting for approval').waitFor();
      await runRow.getByRole('link').click();
      await page.waitForURL(`**/privacy/retention/runs/${run.id}`);
      const items = region(page, 'Contacts');
      await items.getByRole('row').filter({ hasText: contactId }).waitFor();
      // The one contact past its deadline, and nobody else.
      expect(await items.getByRole('row').count()).toBe(2);
      await page.getByRole('button', { name: 'Approve run' }).click();
      await page.getByText('Done', { exact: true }).waitFor({ timeout: WORKFLOW_TIMEOUT });
      await items.getByRole('row').filter({ hasText: contactId }).getByText('Deleted').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}privacy-retention-run.png`, fullPage: true });
    });
  });
});
