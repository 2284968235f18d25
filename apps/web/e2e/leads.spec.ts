// Leads, end to end in Chromium against the real system (API, worker, Temporal, PostgreSQL, SMTP
// sink): a marketer makes the demo sales user a rep and hands a contact to sales; the handoff
// workflow assigns the lead and mails the rep; the rep opens the inbox, opens the lead, reads what
// they may do with it (e-mail on legitimate interest, no call without consent) and accepts it.
import { createMailSinkClient } from '@zweck/mail-sink/client';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  MARKETER,
  SALES,
  WORKFLOW_TIMEOUT,
  eventually,
  mainNav,
  region,
  requireEnv,
  signIn,
  trpcMutation,
  trpcQuery,
  uniqueSuffix,
  useBrowser,
} from './support';

describe('admin UI: the lead inbox and the lead page', () => {
  const tag = uniqueSuffix();
  const lastName = `Lead${tag}`;
  let salesUserId = '';
  let contactId = '';

  const withPage = useBrowser();

  beforeAll(() => {
    requireEnv('ZWECK_E2E_MAIL_SINK_URL');
  });

  it('a marketer hands a contact to sales; the rep is told by mail, with nothing but a link', async () => {
    await withPage('leads-setup-sales', async (page) => {
      await signIn(page, SALES);
      ({ id: salesUserId } = await trpcQuery<{ id: string }>(page.request, 'auth.me'));
    });
    await withPage('leads-handoff', async (page) => {
      await signIn(page, MARKETER);
      await trpcMutation(page.request, 'scoring.saveRep', { userId: salesUserId, territories: [], isActive: true, managerId: null });
      ({ id: contactId } = await trpcMutation<{ id: string }>(page.request, 'contacts.create', {
        email: `e2e-lead-${tag}@example.org`,
        firstName: 'Hanna',
        lastName,
        organization: 'Nordwind AG',
        // No phone: marketers work for no purpose that uses it, so the API refuses it (field-level need-to-know).
        allowPossibleDuplicate: true,
      }));
      // The scoring page: hand the contact over by hand, as a marketer would.
      await mainNav(page).getByRole('link', { name: 'Scoring' }).click();
      await page.getByRole('heading', { name: 'Lead scoring', level: 1 }).waitFor();
      // A rule through the form: an API event earns points that never decay.
      const rules = region(page, 'Scoring rules');
      await rules.getByRole('button', { name: 'New rule' }).click();
      const form = page.getByRole('form', { name: 'New scoring rule' });
      await form.getByLabel('Name').fill(`Asked for a quote ${tag}`);
      await form.getByLabel('Counts').selectOption('event');
      await form.getByLabel('Event name').fill('quote.requested');
      await form.getByLabel('Points').fill('35');
      await form.getByLabel('Half-life in days').fill('');
      await form.getByRole('button', { name: 'Add rule' }).click();
      const ruleRow = rules.getByRole('row').filter({ hasText: `Asked for a quote ${tag}` });
      await ruleRow.waitFor();
      expect(await ruleRow.textContent()).toContain('Never decays');
      const handoff = region(page, 'Hand a contact to sales');
      await handoff.getByLabel('Find a contact').fill(lastName);
      const row = handoff.getByRole('row').filter({ hasText: lastName });
      await row.getByRole('button', { name: 'Hand off to sales' }).click();
      await row.getByText('Handed off').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}leads-scoring-page.png`, fullPage: true });
    });

    const sink = createMailSinkClient(requireEnv('ZWECK_E2E_MAIL_SINK_URL'));
    const mail = await eventually(
      async () =>
        (await sink.list()).find(
          (m) =>
            m.to === SALES.email && m.subject === 'A new lead is waiting for you' && Date.parse(m.receivedAt) > Date.now() - 5 * 60_000,
        ),
      WORKFLOW_TIMEOUT,
      'the rep’s notification',
    );
    const full = await sink.get(mail.id);
    expect(full?.text).toMatch(/\/leads\/[0-9a-f-]{36}/);
    expect(`${full?.text} ${full?.html}`).not.toContain(lastName);
  });

  it('the rep opens the inbox, opens the lead, sees what they may do, and accepts it', async () => {
    expect(contactId).not.toBe('');
    await withPage('leads-rep', async (page) => {
      await signIn(page, SALES);
      await mainNav(page).getByRole('link', { name: 'Leads' }).click();
      await page.getByRole('heading', { name: 'Leads', level: 1 }).waitFor();
      const link = page.getByRole('link', { name: `Hanna ${lastName}` });
      await eventually(
        async () => {
          if (await link.isVisible()) return true;
          await page.reload();
          await page.getByRole('heading', { name: 'Leads', level: 1 }).waitFor();
          return undefined;
        },
        WORKFLOW_TIMEOUT,
        'the lead in the inbox',
      );
      await page.screenshot({ path: `${ARTIFACTS}leads-inbox.png`, fullPage: true });
      await link.click();

      await page.getByRole('heading', { name: `Hanna ${lastName}`, level: 1 }).waitFor();
      const mayDo = region(page, 'What you may do with this lead');
      const email = mayDo.getByRole('listitem').filter({ hasText: 'May e-mail this person' });
      await expect.poll(() => email.textContent()).toContain('Legitimate interest');
      expect(await email.textContent()).toContain('Art. 6(1)(f) GDPR');
      const call = mayDo.getByRole('listitem').filter({ hasText: 'May not call this person' });
      expect(await call.textContent()).toContain('NO_CONSENT');
      // Only the sales purpose's fields: the organization is there, free-text notes are not.
      const details = region(page, 'Details');
      expect(await details.textContent()).toContain('Nordwind AG');
      expect(await details.textContent()).not.toContain('Notes');
      await page.screenshot({ path: `${ARTIFACTS}leads-lead-page.png`, fullPage: true });

      await region(page, 'Your answer').getByRole('button', { name: 'Accept lead' }).click();
      await page
        .getByText(/^Accepted/)
        .first()
        .waitFor({ timeout: WORKFLOW_TIMEOUT });
      await page.getByRole('status').filter({ hasText: 'Accepted' }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}leads-accepted.png`, fullPage: true });
    });
  });
});
