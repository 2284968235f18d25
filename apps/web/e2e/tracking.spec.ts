// Open and click tracking, end to end in Chromium against the real system: two confirmed
// subscribers, one of whom also agrees to open and click measurement in the preference center. A
// marketer composes a tracked campaign; only that person's mail carries a pixel and tracked links.
// Opening and clicking show up in the campaign's results (opened, clicked) on its page and in the list.
import { createMailSinkClient, type MailSinkClient, type StoredMessageSummary } from '@zweck/mail-sink/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, MARKETER, WORKFLOW_TIMEOUT, eventually, region, requireEnv, signIn, trpcMutation, useBrowser } from './support';

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';
const OFFER = 'https://shop.example.com/winter-offer';

describe('admin UI: a tracked campaign', () => {
  let sink: MailSinkClient;
  const tag = `e2e-track-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const address = (who: string): string => `${tag}-${who}@example.org`;
  const subject = `Winter offer ${tag}`;
  let segmentId = '';
  let templateId = '';

  const withPage = useBrowser();

  beforeAll(() => {
    sink = createMailSinkClient(requireEnv('ZWECK_E2E_MAIL_SINK_URL'));
  });

  const mailTo = (to: string, which: (m: StoredMessageSummary) => boolean, what: string) =>
    eventually(async () => (await sink.list()).find((m) => m.to === to && which(m)), WORKFLOW_TIMEOUT, what);

  /** Subscribes on the hosted form and confirms from the mail; returns the preference-center URL of the welcome mail. */
  async function confirmedSubscriber(baseUrl: string, email: string): Promise<string> {
    const subscribed = await fetch(`${baseUrl}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, purposeId: 'newsletter', wordingVersion: '2026-11', language: 'en' }),
    });
    expect(subscribed.status).toBe(202);
    const request = await mailTo(email, (m) => m.subject === 'Please confirm: Newsletter', `confirmation request to ${email}`);
    const confirmUrl = /(https?:\/\/\S+\/confirm\/[\w.-]+)/.exec((await sink.get(request.id))?.text ?? '')?.[1];
    expect((await fetch(confirmUrl!, { method: 'POST' })).status).toBe(200);
    const welcome = await mailTo(email, (m) => m.subject.startsWith('Welcome'), `welcome mail to ${email}`);
    const preferences = /(https?:\/\/\S+\/preferences\/[\w.-]+)/.exec((await sink.get(welcome.id))?.text ?? '')?.[1];
    expect(preferences).toBeDefined();
    return preferences!;
  }

  it('prepares two subscribers, one of whom agrees to open and click measurement, a segment and a template', async () => {
    const baseUrl = requireEnv('ZWECK_E2E_URL');
    const preferences = await confirmedSubscriber(baseUrl, address('tracked'));
    await confirmedSubscriber(baseUrl, address('plain'));
    // The person's own choice in the preference center, with the wording shown there.
    const saved = await fetch(preferences, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'on=newsletter&on=email_tracking',
    });
    expect(saved.status).toBe(200);
    await withPage('tracking-prepare', async (page) => {
      await signIn(page, MARKETER);
      ({ id: segmentId } = await trpcMutation<{ id: string }>(page.request, 'segments.create', {
        name: `Tracking test ${tag}`,
        description: 'The two people of the tracking spec',
        definition: { version: 1, match: 'all', conditions: [{ type: 'field', field: 'email', op: 'starts_with', value: `${tag}-` }] },
      }));
      ({ id: templateId } = await trpcMutation<{ id: string }>(page.request, 'templates.create', {
        name: subject,
        kind: 'marketing',
        subject,
        html: `<html><body><p>Hello,</p><p><a href="${OFFER}">See the winter offer</a></p>${FOOTER_HTML}</body></html>`,
        text: `Hello,\nthe winter offer: ${OFFER}\n${FOOTER_TEXT}`,
      }));
    });
  });

  it('a marketer runs it with tracking; only the consenting person is tracked; opens and clicks show as results', async () => {
    await withPage('tracking-run', async (page) => {
      await signIn(page, MARKETER);
      await page.goto('/campaigns/new');
      await page.getByRole('heading', { name: 'New campaign', level: 1 }).waitFor();
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`Winter offer ${tag}`);
      await page.getByLabel('Segment', { exact: true }).selectOption(segmentId);
      await page.getByLabel('Template', { exact: true }).selectOption(templateId);
      await page.getByLabel('Purpose', { exact: true }).selectOption('newsletter');
      await page.getByLabel('Track opens and clicks').check();
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
      await page.getByText('Tracked, where the recipient consented').waitFor();
      await page.getByRole('button', { name: 'Start sending' }).click();
      await page.locator('.page-header').getByText('Completed', { exact: true }).waitFor({ timeout: WORKFLOW_TIMEOUT });

      // The consenting person's mail has the pixel and a tracked link; the other's has neither.
      const tracked = await sink.get((await mailTo(address('tracked'), (m) => m.subject === subject, 'the tracked mail')).id);
      const plain = await sink.get((await mailTo(address('plain'), (m) => m.subject === subject, 'the plain mail')).id);
      expect(plain?.html).toContain(`href="${OFFER}"`);
      expect(plain?.html).not.toContain('/t/o/');
      expect(tracked?.html).not.toContain(`href="${OFFER}"`);
      const pixel = /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(tracked?.html ?? '')?.[1];
      const click = /href="([^"]+\/t\/c\/[^"]+)"/.exec(tracked?.html ?? '')?.[1];
      expect(pixel).toBeDefined();
      expect(click).toBeDefined();

      // The person opens the mail and clicks the link (the links name the public URL; the API serves them here).
      const local = (url: string) => new URL(new URL(url).pathname, requireEnv('ZWECK_E2E_URL')).toString();
      expect((await fetch(local(pixel!))).headers.get('content-type')).toBe('image/gif');
      const redirect = await fetch(local(click!), { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe(OFFER);

      await page.reload();
      const results = region(page, 'Results');
      await results.getByText('Opened 1', { exact: false }).waitFor();
      await results.getByText('Clicked 1', { exact: false }).waitFor();
      expect(await results.getByRole('img', { name: /^Opened: 1 of 2 delivered/ }).count()).toBe(1);
      await results.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}tracking-01-results.png`, fullPage: true });

      await page.getByRole('link', { name: 'Campaigns', exact: true }).first().click();
      const row = page.getByRole('row').filter({ hasText: `Winter offer ${tag}` });
      await row.getByText('Opened 1', { exact: false }).waitFor();
      await row.getByText('Clicked 1', { exact: false }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}tracking-02-list.png`, fullPage: true });
    });
  });
});
