// Data-subject requests, end to end in Chromium against the real system (API serving the built UI,
// worker, Temporal, PostgreSQL): the DPO enters a restriction request received by letter, opens it,
// sees its countdown, is refused an extension beyond two months and then extends it with a reason,
// restricts the contact and completes the request, which leaves the open queue.
import { describe, expect, it } from 'vitest';
import { DPO, MARKETER, WORKFLOW_TIMEOUT, region, signIn, trpcMutation, trpcQuery, uniqueSuffix, useBrowser } from './support';

describe('admin UI: the request queue and the request page', () => {
  const tag = uniqueSuffix();
  const lastName = `Req${tag}`;
  let contactId = '';
  const withPage = useBrowser();

  it(
    'the DPO creates a request as staff, opens it, extends it with a reason, restricts the contact and completes it',
    async () => {
      await withPage('requests-setup', async (page) => {
        await signIn(page, MARKETER);
        ({ id: contactId } = await trpcMutation<{ id: string }>(page.request, 'contacts.create', {
          email: `e2e-request-${tag}@example.org`,
          firstName: 'Ada',
          lastName,
          allowPossibleDuplicate: true,
        }));
      });

      await withPage('requests-queue', async (page) => {
        await signIn(page, DPO);
        await page.goto('/privacy/requests');
        await page.getByRole('heading', { name: 'Data-subject requests', level: 1 }).waitFor();
        await page.getByRole('button', { name: 'New request' }).click();
        const form = page.getByRole('form', { name: 'New request' });
        await form.getByLabel('Find the contact').fill(lastName);
        const contact = form.getByLabel('Contact', { exact: true });
        await expect
          .poll(async () => contact.locator('option').allTextContents(), { timeout: 10_000 })
          .toContainEqual(expect.stringContaining(lastName));
        await contact.selectOption(contactId);
        await form.getByLabel('Type').selectOption('restriction');
        await form.getByLabel('Identity checked by').selectOption('in_person');
        await form.getByRole('button', { name: 'Save request' }).click();

        // The request page: its type, the countdown of a fresh request, the identity check.
        await page.waitForURL(/\/privacy\/requests\/[0-9a-f-]{36}$/);
        const requestId = page.url().split('/').at(-1)!;
        await page.getByRole('heading', { name: /Restriction \(Art\. 18\)/, level: 1 }).waitFor();
        expect(await page.getByTestId('request-countdown').textContent()).toMatch(/^(2[7-9]|3[01]) days left$/);
        expect(await region(page, 'Details').textContent()).toContain('In person');

        // More than two months past the original due date is refused, by the field, with the reason.
        const extend = region(page, 'Extend the period');
        const until = extend.getByLabel('New due date');
        const latest = await until.inputValue();
        const dayAfter = new Date(Date.parse(`${latest}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        await until.fill(dayAfter);
        await extend.getByLabel('Reason').fill('We need to collect paper records from the branch office.');
        await extend.getByRole('button', { name: 'Extend' }).click();
        await expect.poll(async () => extend.textContent(), { timeout: 10_000 }).toContain('at most two months');
        // The latest allowed day is accepted.
        await until.fill(latest);
        await extend.getByRole('button', { name: 'Extend' }).click();
        await expect
          .poll(async () => region(page, 'Details').textContent(), { timeout: 10_000 })
          .toContain('We need to collect paper records from the branch office.');
        const detail = await trpcQuery<{ extendedDueAt: string | null; latestExtension: string }>(page.request, 'requests.get', {
          id: requestId,
        });
        expect(detail.extendedDueAt).toBe(detail.latestExtension);

        // The type's action: restriction at once.
        const action = region(page, 'Restriction (Art. 18)');
        await action.getByRole('button', { name: 'Restrict the contact' }).click();
        await expect.poll(async () => action.textContent(), { timeout: WORKFLOW_TIMEOUT }).toContain('The contact is restricted.');
        const contactAfter = await trpcQuery<{ status: string }>(page.request, 'contacts.get', { id: contactId });
        expect(contactAfter.status).toBe('restricted');
        await expect.poll(async () => region(page, 'Timeline').textContent(), { timeout: 10_000 }).toContain('Action taken');

        // Complete it with a closing note: the request leaves the open queue.
        const status = region(page, 'Status');
        await status.getByLabel('New status').selectOption('completed');
        await status.getByLabel('Closing note').fill('Restricted; the person was told by letter.');
        await status.getByRole('button', { name: 'Set status' }).click();
        await expect
          .poll(async () => (await page.locator('.notice').allTextContents()).join(' '), { timeout: 10_000 })
          .toContain('Restricted; the person was told by letter.');

        await page.goto('/privacy/requests');
        const queue = region(page, 'Queue');
        await queue.getByRole('table').or(queue.getByText('No requests match')).first().waitFor();
        expect(await queue.getByRole('link', { name: `DSR-${requestId.slice(0, 8).toUpperCase()}` }).count()).toBe(0);
        await queue.getByLabel('Status').selectOption('closed');
        await queue.getByRole('link', { name: `DSR-${requestId.slice(0, 8).toUpperCase()}` }).waitFor();
        expect(
          await queue
            .getByRole('row')
            .filter({ hasText: `DSR-${requestId.slice(0, 8).toUpperCase()}` })
            .textContent(),
        ).toContain('Completed');
      });
    },
    WORKFLOW_TIMEOUT * 3,
  );
});
