// Broadcast campaigns, end to end in Chromium against the real system (API, worker, Temporal,
// PostgreSQL, SMTP sink): four people with different newsletter consent (confirmed; confirmed and
// then unsubscribed; subscribed but never confirmed; none) form a segment; a marketer composes a campaign
// to it, starts it and watches it complete: one mail sent, three skipped with the policy's reasons.
// A second campaign, scheduled for later, is cancelled after a confirmation. The DPO reads both.
import { createMailSinkClient, type MailSinkClient, type StoredMessageSummary } from '@zweck/mail-sink/client';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  DPO,
  MARKETER,
  WORKFLOW_TIMEOUT,
  eventually,
  mainNav,
  region,
  requireEnv,
  signIn,
  trpcMutation,
  useBrowser,
} from './support';

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';

const pad = (n: number): string => String(n).padStart(2, '0');
/** A `datetime-local` value in this machine's time zone, which the browser shares. */
const localValue = (date: Date): string =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;

describe('admin UI: broadcast campaigns', () => {
  let sink: MailSinkClient;
  const tag = `e2e-camp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const address = (who: string): string => `${tag}-${who}@example.org`;
  let segmentId = '';
  let templateId = '';
  const subject = `November news ${tag}`;
  let completedCampaignUrl = '';

  const withPage = useBrowser();

  beforeAll(() => {
    sink = createMailSinkClient(requireEnv('ZWECK_E2E_MAIL_SINK_URL'));
  });

  const mailsTo = async (to: string): Promise<StoredMessageSummary[]> => (await sink.list()).filter((m) => m.to === to);

  /** Subscribes on the hosted form's endpoint, as the person would. */
  async function subscribe(baseUrl: string, email: string): Promise<void> {
    const subscribed = await fetch(`${baseUrl}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, purposeId: 'newsletter', wordingVersion: '2026-11', language: 'en' }),
    });
    expect(subscribed.status).toBe(202);
  }

  /** Subscribes and confirms from the mail, as the person would. */
  async function confirmedSubscriber(baseUrl: string, email: string): Promise<void> {
    await subscribe(baseUrl, email);
    const request = await eventually(
      async () => (await mailsTo(email)).find((m) => m.subject === 'Please confirm: Newsletter'),
      WORKFLOW_TIMEOUT,
      `confirmation request to ${email}`,
    );
    const confirmUrl = /(https?:\/\/\S+\/confirm\/[\w.-]+)/.exec((await sink.get(request.id))?.text ?? '')?.[1];
    expect(confirmUrl).toBeDefined();
    const confirmed = await fetch(confirmUrl!, { method: 'POST' });
    expect(confirmed.status).toBe(200);
  }

  /** One-click unsubscribe (RFC 8058) from the List-Unsubscribe header of the welcome mail. */
  async function unsubscribeFromWelcome(email: string): Promise<void> {
    const welcome = await eventually(
      async () => (await mailsTo(email)).find((m) => m.subject.startsWith('Welcome')),
      WORKFLOW_TIMEOUT,
      `welcome mail to ${email}`,
    );
    const header = (await sink.get(welcome.id))?.headers.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '';
    const url = /<(https?:\/\/[^>]+)>/.exec(header)?.[1];
    expect(url).toBeDefined();
    const response = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
  }

  it('prepares four people, a segment of exactly them, and a marketing template', async () => {
    const baseUrl = requireEnv('ZWECK_E2E_URL');
    await confirmedSubscriber(baseUrl, address('confirmed'));
    await confirmedSubscriber(baseUrl, address('withdrawn'));
    await unsubscribeFromWelcome(address('withdrawn'));
    // Subscribed on the form, never confirmed: the double opt-in is still pending.
    await subscribe(baseUrl, address('unconfirmed'));
    await withPage('campaign-prepare', async (page) => {
      await signIn(page, MARKETER);
      await trpcMutation(page.request, 'contacts.create', { email: address('none'), allowPossibleDuplicate: true });
      ({ id: segmentId } = await trpcMutation<{ id: string }>(page.request, 'segments.create', {
        name: `Campaign test ${tag}`,
        description: 'The four people of the campaign spec',
        definition: { version: 1, match: 'all', conditions: [{ type: 'field', field: 'email', op: 'starts_with', value: `${tag}-` }] },
      }));
      ({ id: templateId } = await trpcMutation<{ id: string }>(page.request, 'templates.create', {
        name: `November news ${tag}`,
        kind: 'marketing',
        subject,
        html: `<p>Hello{{#first_name}} {{first_name}}{{/first_name}},</p><p>here is our news.</p>${FOOTER_HTML}`,
        text: `Hello{{#first_name}} {{first_name}}{{/first_name}},\nhere is our news.\n${FOOTER_TEXT}`,
      }));
    });
  });

  it('a marketer composes a campaign to the segment, starts it and sees it complete with its outcomes', async () => {
    await withPage('campaign-compose-and-run', async (page) => {
      await signIn(page, MARKETER);
      await mainNav(page).getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New campaign' }).click();
      await page.getByRole('heading', { name: 'New campaign', level: 1 }).waitFor();

      // The purposes offered follow the channel; nothing is chosen for the marketer.
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`November newsletter ${tag}`);
      await page.getByLabel('Segment', { exact: true }).selectOption(segmentId);
      await page.getByLabel('Template', { exact: true }).selectOption(templateId);
      await page.getByLabel('Channel', { exact: true }).selectOption('email');
      await page.getByLabel('Purpose', { exact: true }).selectOption('newsletter');
      await page.getByLabel('Messages per minute').fill('6000');
      await page.screenshot({ path: `${ARTIFACTS}campaign-01-composer.png`, fullPage: true });
      await page.getByRole('button', { name: 'Create draft' }).click();

      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
      completedCampaignUrl = new URL(page.url()).pathname;
      await page.getByRole('heading', { name: `November newsletter ${tag}`, level: 1 }).waitFor();
      await page.getByText('Nothing has been sent.', { exact: false }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}campaign-02-draft.png`, fullPage: true });

      await page.getByRole('button', { name: 'Start sending' }).click();
      const header = page.locator('.page-header');
      await header.getByText('Completed', { exact: true }).waitFor({ timeout: WORKFLOW_TIMEOUT });

      const figure = (outcome: string) => page.locator(`.campaign-figure-${outcome} dd`);
      expect(await figure('sent').textContent()).toBe('1');
      expect(await figure('skipped').textContent()).toBe('3');
      expect(await figure('failed').textContent()).toBe('0');
      const skipped = region(page, 'Skipped, by reason');
      for (const title of ['Consent withdrawn', 'Double opt-in not confirmed', 'No consent']) {
        await skipped.getByText(title, { exact: true }).waitFor();
      }
      await skipped.getByText('The person withdrew their consent for this purpose on this channel.', { exact: false }).waitFor();

      const recipients = region(page, 'Recipients');
      expect(await recipients.getByRole('row').count()).toBe(5);
      await recipients
        .getByRole('row')
        .filter({ hasText: address('confirmed') })
        .getByText('Sent', { exact: true })
        .waitFor();
      await page.screenshot({ path: `${ARTIFACTS}campaign-03-completed.png`, fullPage: true });

      await recipients.getByLabel('Outcome').selectOption('skipped');
      await eventually(async () => ((await recipients.getByRole('row').count()) === 4 ? true : undefined), 10_000, 'skipped rows');
      expect(
        await recipients
          .getByRole('row')
          .filter({ hasText: address('confirmed') })
          .count(),
      ).toBe(0);
      await recipients
        .getByRole('row')
        .filter({ hasText: address('unconfirmed') })
        .getByText('Double opt-in not confirmed')
        .waitFor();
      await recipients.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}campaign-04-recipients-skipped.png`, fullPage: true });

      await page.getByRole('link', { name: 'Campaigns', exact: true }).first().click();
      const row = page.getByRole('row').filter({ hasText: `November newsletter ${tag}` });
      await row.getByText('Completed', { exact: true }).waitFor();
      expect(await row.getByRole('img').getAttribute('aria-label')).toBe('1 sent, 3 skipped');
      await page.screenshot({ path: `${ARTIFACTS}campaign-05-list.png`, fullPage: true });
    });

    // Exactly one campaign mail, to the one person whose consent allows it, with the unsubscribe headers.
    const campaignMails = (await sink.list()).filter((m) => m.subject === subject);
    expect(campaignMails.map((m) => m.to)).toEqual([address('confirmed')]);
    const mail = await sink.get(campaignMails[0]!.id);
    const header = (name: string) => mail?.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ?? '';
    expect(header('List-Unsubscribe')).toMatch(/<https?:\/\/[^>]+\/u\/[^>]+>/);
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
  });

  it('a scheduled campaign waits, and is cancelled after a confirmation', async () => {
    await withPage('campaign-schedule-and-cancel', async (page) => {
      await signIn(page, MARKETER);
      await page.goto('/campaigns/new');
      await page.getByRole('heading', { name: 'New campaign', level: 1 }).waitFor();
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`Later ${tag}`);
      await page.getByLabel('Segment', { exact: true }).selectOption(segmentId);
      await page.getByLabel('Template', { exact: true }).selectOption(templateId);
      await page.getByLabel('Purpose', { exact: true }).selectOption('newsletter');
      await page.getByLabel('Later, at a set time').check();
      // A time that has passed is refused beside the field, before anything is sent to the server.
      await page.getByLabel('Send at').fill(localValue(new Date(Date.now() - 3_600_000)));
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByText('Choose a time ahead, or send now').waitFor();
      await page.getByLabel('Send at').fill(localValue(new Date(Date.now() + 2 * 3_600_000)));
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);

      await page.getByRole('button', { name: 'Start (wait for schedule)' }).click();
      const header = page.locator('.page-header');
      await header.getByText('Scheduled', { exact: true }).waitFor({ timeout: WORKFLOW_TIMEOUT });
      await region(page, 'Progress').getByText('Waiting until', { exact: false }).waitFor();

      await page.getByRole('button', { name: 'Cancel campaign' }).click();
      const dialog = page.getByRole('dialog', { name: `Cancel “Later ${tag}”?` });
      await dialog.waitFor();
      await page.screenshot({ path: `${ARTIFACTS}campaign-06-cancel-dialog.png` });
      // "Keep it" leaves it as it was.
      await dialog.getByRole('button', { name: 'Keep it' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Cancel campaign' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Yes, cancel the campaign' }).click();
      await header.getByText('Cancelled', { exact: true }).waitFor({ timeout: WORKFLOW_TIMEOUT });
      expect(await page.getByRole('button', { name: 'Cancel campaign' }).count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}campaign-07-cancelled.png`, fullPage: true });
    });
    // The first campaign's one mail is still the only one.
    expect((await sink.list()).filter((m) => m.subject === subject)).toHaveLength(1);
  });

  it('the DPO follows campaigns but cannot compose or run them', async () => {
    await withPage('campaign-dpo-read-only', async (page) => {
      await signIn(page, DPO);
      await mainNav(page).getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
      await page.getByText('Read only: marketers and administrators compose and run campaigns.').waitFor();
      expect(await page.getByRole('link', { name: 'New campaign' }).count()).toBe(0);
      await page.goto(completedCampaignUrl);
      await region(page, 'Recipients').getByText(address('confirmed')).waitFor();
      expect(await page.getByRole('button', { name: /Start|Pause|Resume|Cancel campaign/ }).count()).toBe(0);
      await page.goto('/campaigns/new');
      await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    });
  });
});
