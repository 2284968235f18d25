// The DPO's reviews (Wiedervorlage), end to end in Chromium against the real system: a new
// review of a purpose shows up in the month calendar and in "Due this week"; a snooze without a
// reason is refused beside the field, with one it moves the due date and lands in the history;
// done closes it, and (recurring) the next one is created by its workflow. The workflow's
// reminder reaches the DPO inbox, which links to the review and is marked read.
import { addDays, addMonths, format, parseISO } from 'date-fns';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DPO, eventually, region, signIn, uniqueSuffix, useBrowser, WORKFLOW_TIMEOUT } from './support';

const suffix = uniqueSuffix();
const TITLE = `Annual review of the newsletter ${suffix}`;
const day = (days: number): string => format(addDays(new Date(), days), 'yyyy-MM-dd');
const readable = (isoDay: string): string => format(new Date(`${isoDay}T12:00:00`), 'd MMM yyyy');

describe('admin UI: reviews (Wiedervorlage)', () => {
  const withPage = useBrowser();

  it('creates a review, finds it in the calendar and the week list, snoozes it with a reason and marks it done', async () => {
    await withPage('privacy-reviews', async (page) => {
      const dueOn = day(2);
      await signIn(page, DPO);
      await page.goto('/privacy/reviews');
      await page.getByRole('heading', { name: 'Reviews', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New review' }).click();
      await page.getByRole('heading', { name: 'New review', level: 1 }).waitFor();

      await page.getByLabel('Subject type').selectOption('purpose');
      await page.getByLabel('Purpose', { exact: true }).selectOption('newsletter');
      await page.getByLabel('Title').fill(TITLE);
      await page.getByLabel('Due on').fill(dueOn);
      await page.getByLabel('Recurrence').selectOption('12');
      await page.getByRole('button', { name: 'Create review' }).click();
      await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
      expect(page.url()).toMatch(/\/privacy\/reviews\/[0-9a-f-]{36}$/);
      const reviewUrl = new URL(page.url()).pathname;
      expect(await page.getByTestId('review-due').textContent()).toBe(readable(dueOn));
      await page.getByRole('list', { name: 'Review history' }).getByText('Created').waitFor();

      // Due in two days with a reminder 14 days ahead: the workflow reminds the DPO at once, in the inbox.
      await page.goto('/privacy/inbox');
      await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
      const notice = page.getByRole('row').filter({ has: page.locator(`a[href="${reviewUrl}"]`) });
      await eventually(
        async () => {
          // Loaded (a table or the empty inbox) before counting; else ask again.
          await page.locator('table, .empty-state').first().waitFor();
          if ((await notice.count()) > 0) return true;
          await page.reload();
          return undefined;
        },
        WORKFLOW_TIMEOUT,
        'the reminder in the inbox',
      );
      expect(await notice.textContent()).toContain('Review due soon');
      await page.screenshot({ path: `${ARTIFACTS}73-dpo-inbox.png`, fullPage: true });
      await notice.getByRole('button', { name: 'Mark read' }).click();
      await notice.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'All' }).click();
      await page
        .getByRole('row')
        .filter({ has: page.locator(`a[href="${reviewUrl}"]`) })
        .getByText('Read by Dana DPO')
        .waitFor();

      // The calendar of the due date's month shows it on its day; "Due this week" lists it.
      await page.goto(`/privacy/reviews?month=${dueOn.slice(0, 7)}`);
      const cell = page.locator(`td[data-day="${dueOn}"]`);
      await cell.getByRole('link', { name: TITLE }).waitFor();
      await region(page, 'Due this week').getByRole('link', { name: TITLE }).waitFor();
      expect(await region(page, 'Overdue').getByRole('link', { name: TITLE }).count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}70-review-calendar.png`, fullPage: true });

      // A snooze needs its reason: refused beside the field, nothing sent.
      await cell.getByRole('link', { name: TITLE }).click();
      await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
      const until = day(20);
      const snooze = page.getByRole('form', { name: 'Snooze the review' });
      await snooze.getByLabel('Until').fill(until);
      await snooze.getByRole('button', { name: 'Snooze' }).click();
      await snooze.getByText('Say why the review waits').waitFor();
      await snooze.getByLabel('Reason').fill('Waiting for the new consent wording from legal');
      await snooze.getByRole('button', { name: 'Snooze' }).click();
      await snooze.getByText(`Snoozed until ${readable(until)}.`).waitFor();
      await page.getByText('Snoozed', { exact: true }).first().waitFor();
      expect(await page.getByTestId('review-due').textContent()).toBe(readable(until));
      const history = page.getByRole('list', { name: 'Review history' });
      await history.getByText('Waiting for the new consent wording from legal').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}71-review-snoozed.png`, fullPage: true });

      // The week list no longer has it (it moved 20 days out); the calendar shows it on the new day.
      await page.goto(`/privacy/reviews?month=${until.slice(0, 7)}`);
      await page.locator(`td[data-day="${until}"]`).getByRole('link', { name: TITLE }).waitFor();
      await region(page, 'Due this week').locator('table, .empty-state').first().waitFor();
      expect(await region(page, 'Due this week').getByRole('link', { name: TITLE }).count()).toBe(0);

      // Done: the review closes, and its workflow creates next year's review.
      await page.goto(reviewUrl);
      await page.getByRole('button', { name: 'Mark done' }).click();
      await page.getByRole('status').filter({ hasText: 'by Dana DPO' }).waitFor();
      await history.getByText('Done', { exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Mark done' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Open the next review' }).waitFor({ timeout: WORKFLOW_TIMEOUT });
      await page.screenshot({ path: `${ARTIFACTS}72-review-done.png`, fullPage: true });
      await page.getByRole('link', { name: 'Open the next review' }).click();
      await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
      const nextDue = format(addMonths(parseISO(dueOn), 12), 'yyyy-MM-dd');
      expect(await page.getByTestId('review-due').textContent()).toBe(readable(nextDue));
    });
  });
});
