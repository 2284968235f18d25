// The journey designer, end to end in Chromium against the real API and database: a marketer
// creates a journey, draws it on the canvas (send, wait, exit; connected by dragging handles),
// is refused at publish because the send step's purpose cannot carry e-mail, fixes the purpose,
// publishes version 1 and sees it. The DPO then reads the journey without being able to edit it.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, DPO, MARKETER, mainNav, region, signIn, trpcMutation, trpcQuery, uniqueSuffix, useBrowser } from './support';

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';

/** Drags from a step's outgoing handle to another step's incoming handle, as a person connects them. */
async function connectSteps(page: Page, from: string, handle: string, to: string): Promise<void> {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source[data-handleid="${handle}"]`);
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  // The canvas refits itself after a step is added: wait until the handles stand still.
  const boxes = async () => [await source.boundingBox(), await target.boundingBox()] as const;
  let [a, b] = await boxes();
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(150);
    const [a2, b2] = await boxes();
    const still = JSON.stringify([a, b]) === JSON.stringify([a2, b2]);
    [a, b] = [a2, b2];
    if (still) break;
  }
  if (!a || !b) throw new Error(`handles of ${from} or ${to} are not on screen`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2 + 20, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.locator(`[data-testid="rf__edge-${from}:${handle}"]`).waitFor({ state: 'attached' });
}

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

describe('admin UI: the journey designer', () => {
  const tag = uniqueSuffix();
  const phonePurpose = `calls_${tag}`;
  const journeyName = `Welcome journey ${tag}`;
  let segmentId = '';
  let templateName = '';
  let journeyUrl = '';

  const withPage = useBrowser({ viewport: { width: 1440, height: 1100 } });

  beforeAll(async () => {
    // What the designer picks from: a segment, a marketing template with its footer, and (from
    // the DPO) a purpose that uses the phone only.
    await withPage('journey-prepare', async (page) => {
      await signIn(page, DPO);
      await trpcMutation(page.request, 'purposes.create', {
        id: phonePurpose,
        name: `Sales calls ${tag}`,
        description: 'Calls from our sales team about offers you asked for.',
        legalBasis: 'consent',
        channels: ['phone'],
        isDirectMarketing: true,
        balancingTest: null,
        requiresDoubleOptIn: false,
        doubleOptInDeadlineHours: 72,
        allowsExistingCustomerException: false,
        retentionMonths: null,
        fields: ['email'],
      });
    });
    await withPage('journey-prepare-marketer', async (page) => {
      await signIn(page, MARKETER);
      ({ id: segmentId } = await trpcMutation<{ id: string }>(page.request, 'segments.create', {
        name: `Journey entrants ${tag}`,
        description: 'Everyone new',
        definition: { version: 1, match: 'all', conditions: [{ type: 'created', withinDays: 30 }] },
      }));
      templateName = `Welcome ${tag}`;
      await trpcMutation(page.request, 'templates.create', {
        name: templateName,
        kind: 'marketing',
        subject: 'Welcome',
        html: `<p>Hello{{#first_name}} {{first_name}}{{/first_name}},</p><p>welcome.</p>${FOOTER_HTML}`,
        text: `Hello{{#first_name}} {{first_name}}{{/first_name}},\nwelcome.\n${FOOTER_TEXT}`,
      });
    });
  });

  it('a marketer builds a journey on the canvas, is refused for a purpose without e-mail, fixes it and publishes version 1', async () => {
    await withPage('journey-design', async (page) => {
      await signIn(page, MARKETER);
      await mainNav(page).getByRole('link', { name: 'Journeys' }).click();
      await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New journey' }).click();
      await page.getByRole('heading', { name: 'New journey', level: 1 }).waitFor();
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(journeyName);
      await page.getByLabel('Purpose of the journey').selectOption('newsletter');
      await page.getByLabel('Contacts enter on').selectOption('segment_entry');
      await page.getByLabel('Segment', { exact: true }).selectOption(segmentId);
      await page.screenshot({ path: `${ARTIFACTS}journey-01-new.png`, fullPage: true });
      await page.getByRole('button', { name: 'Create and open the designer' }).click();

      await page.waitForURL(/\/journeys\/[0-9a-f-]{36}$/);
      journeyUrl = new URL(page.url()).pathname;
      await page.getByRole('heading', { name: journeyName, level: 1 }).waitFor();
      await node(page, 'end').waitFor();

      // A send step, under the purpose that uses the phone only; contacts start there.
      const palette = page.getByRole('toolbar', { name: 'Add a step' });
      await palette.getByRole('button', { name: '+ Send e-mail' }).click();
      await node(page, 'send-1').waitFor();
      const panel = page.getByRole('complementary', { name: 'Selected step' });
      await panel.getByLabel('Label').fill('Welcome mail');
      await panel.getByLabel('Template').selectOption({ label: `${templateName} (marketing)` });
      await panel.getByLabel('Purpose', { exact: true }).selectOption(phonePurpose);
      await panel.getByRole('button', { name: 'Apply' }).click();
      await panel.getByRole('button', { name: 'Start here' }).click();
      await node(page, 'send-1').getByText('Start', { exact: true }).waitFor();

      // A wait of two days.
      await palette.getByRole('button', { name: '+ Wait', exact: true }).click();
      await node(page, 'wait-1').waitFor();
      await panel.getByLabel('Label').fill('Two days later');
      await panel.getByRole('spinbutton').first().fill('2');
      await panel.getByRole('button', { name: 'Apply' }).click();
      await node(page, 'wait-1').getByText('2 days').waitFor();

      // An exit; the starter's own exit step is not needed any more.
      await palette.getByRole('button', { name: '+ Exit' }).click();
      await node(page, 'exit-1').waitFor();

      // Connect on the canvas: send -> wait -> exit.
      await connectSteps(page, 'send-1', 'next', 'wait-1');
      await connectSteps(page, 'wait-1', 'next', 'exit-1');

      // The unconnected starter step is reported; its issue selects it, and it is deleted.
      const issues = region(page, 'Validation');
      const unreachable = issues.getByRole('button', { name: /STEP_UNREACHABLE.*No contact can reach “End”/ });
      await unreachable.waitFor();
      // Once the check has caught up with the last connection, only the starter step is left over.
      await issues.getByRole('button', { name: /No contact can reach “Exit”/ }).waitFor({ state: 'detached' });
      await unreachable.click();
      await panel.getByRole('heading', { name: 'Exit' }).waitFor();
      await panel.getByRole('button', { name: 'Delete step' }).click();
      await node(page, 'end').waitFor({ state: 'detached' });

      // The live check already says what publishing will say.
      await issues.getByText('CHANNEL_NOT_IN_PURPOSE').first().waitFor();
      await issues.getByText('STEP_UNREACHABLE').waitFor({ state: 'detached' });
      await page.screenshot({ path: `${ARTIFACTS}journey-02-designed.png`, fullPage: true });

      await page.getByRole('button', { name: 'Publish' }).click();
      const refusal = page.locator('.journey-refusal');
      await refusal.getByText('Not published').waitFor();
      await refusal.getByText('This purpose does not cover this channel.', { exact: false }).first().waitFor();
      expect(await refusal.textContent()).toContain('Welcome mail');
      await page.screenshot({ path: `${ARTIFACTS}journey-03-refused.png`, fullPage: true });

      // Fix: the newsletter carries e-mail.
      await refusal.getByRole('button', { name: 'Welcome mail' }).click();
      await panel.getByLabel('Purpose', { exact: true }).selectOption('newsletter');
      await panel.getByRole('button', { name: 'Apply' }).click();
      await issues.getByText('No issues: the journey can be published.').waitFor();
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByText('Version 1 published').waitFor();
      const versions = region(page, 'Versions');
      await versions.getByRole('cell', { name: 'Version 1' }).waitFor();
      await page.locator('.page-header').getByText('Active', { exact: true }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}journey-04-published.png`, fullPage: true });

      // What was published is what was drawn.
      const id = journeyUrl.split('/').pop()!;
      const saved = await trpcQuery<{
        draft: { entryStepId: string; steps: { id: string; next?: string | null; purposeId?: string }[] };
        versions: { number: number }[];
      }>(page.request, 'journeys.get', { id });
      expect(saved.versions.map((v) => v.number)).toEqual([1]);
      expect(saved.draft.entryStepId).toBe('send-1');
      expect(saved.draft.steps.map((s) => [s.id, s.next ?? null])).toEqual([
        ['send-1', 'wait-1'],
        ['wait-1', 'exit-1'],
        ['exit-1', null],
      ]);
      expect(saved.draft.steps[0]!.purposeId).toBe('newsletter');

      // The list shows it active, at version 1.
      await page.getByRole('link', { name: 'Journeys', exact: true }).first().click();
      const row = page.getByRole('row').filter({ hasText: journeyName });
      await row.getByText('Active', { exact: true }).waitFor();
      await row.getByText('Version 1', { exact: false }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}journey-05-list.png`, fullPage: true });
    });
  });

  it('the DPO reads the journey and its versions, and cannot change it', async () => {
    await withPage('journey-dpo', async (page) => {
      await signIn(page, DPO);
      await page.goto(journeyUrl);
      await page.getByRole('heading', { name: journeyName, level: 1 }).waitFor();
      await region(page, 'Versions').getByRole('cell', { name: 'Version 1' }).waitFor();
      expect(await page.getByRole('toolbar', { name: 'Add a step' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
      await node(page, 'send-1').click();
      await page.getByRole('complementary', { name: 'Selected step' }).getByLabel('Purpose', { exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Apply' }).count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}journey-06-dpo.png`, fullPage: true });
    });
  });

  it('editing the published journey edits its draft: a wait for a click with its two handles, a scoring step the policy refuses', async () => {
    await withPage('journey-edit-published', async (page) => {
      await signIn(page, MARKETER);
      await page.goto(journeyUrl);
      await page.getByRole('heading', { name: journeyName, level: 1 }).waitFor();
      const palette = page.getByRole('toolbar', { name: 'Add a step' });
      const panel = page.getByRole('complementary', { name: 'Selected step' });

      await palette.getByRole('button', { name: '+ Wait for event' }).click();
      const waitEvent = node(page, 'wait-event-1');
      await waitEvent.waitFor();
      expect(
        await waitEvent.locator('.react-flow__handle.source').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-handleid'))),
      ).toEqual(['onEvent', 'onTimeout']);
      await waitEvent.getByText('timeout', { exact: true }).waitFor();

      // Scoring is profiling: under legitimate interest the policy refuses it even with the best facts.
      await palette.getByRole('button', { name: '+ Change score' }).click();
      await node(page, 'score-1').waitFor();
      await panel.getByLabel('Purpose', { exact: true }).selectOption('customer_relationship');
      await panel.getByRole('button', { name: 'Apply' }).click();

      await connectSteps(page, 'wait-1', 'next', 'wait-event-1');
      await connectSteps(page, 'wait-event-1', 'onEvent', 'exit-1');
      await connectSteps(page, 'wait-event-1', 'onTimeout', 'score-1');
      await connectSteps(page, 'score-1', 'next', 'exit-1');
      expect(await page.locator('[data-testid="rf__edge-wait-event-1:onTimeout"]').textContent()).toContain('timeout');

      const issues = region(page, 'Validation');
      await issues.getByRole('button', { name: /PROFILING_NEEDS_CONSENT/ }).waitFor();
      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.locator('.page-header').getByText('Saved, not published').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}journey-07-edit-published.png`, fullPage: true });

      await page.getByRole('button', { name: 'Publish' }).click();
      await page.locator('.journey-refusal').getByText('Detailed profiling and scoring need consent', { exact: false }).waitFor();

      // Version 1 is what was published before; the edits live in the draft only.
      const id = journeyUrl.split('/').pop()!;
      const versions = await trpcQuery<{ number: number; definition: { steps: { id: string }[] } }[]>(page.request, 'journeys.versions', {
        id,
      });
      expect(versions.map((v) => v.number)).toEqual([1]);
      expect(versions[0]!.definition.steps.map((st) => st.id)).toEqual(['send-1', 'wait-1', 'exit-1']);
    });
  });
});
