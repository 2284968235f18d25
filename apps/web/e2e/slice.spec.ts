// The thin slice, end to end in Chromium against the real system: sign in, add a contact with
// consent and its proof, watch the policy allow the welcome mail and the mail arrive with its
// one-click unsubscribe headers; a contact without consent gets a denial and no mail.
import { readFile } from 'node:fs/promises';
import { createMailSinkClient, type MailSinkClient } from '@zweck/mail-sink/client';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  DPO,
  MARKETER,
  SALES,
  WORKFLOW_TIMEOUT,
  emailInput,
  eventually,
  mainNav,
  openNewContactForm,
  region,
  requireEnv,
  signIn,
  uniqueEmail,
  useBrowser,
} from './support';

describe('admin UI: the thin slice', () => {
  let sink: MailSinkClient | undefined;

  const withPage = useBrowser();

  /** Saves the form and waits for the contact's own page; returns its ID. */
  async function save(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Save contact' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Policy decisions' }).waitFor();
    return new URL(page.url()).pathname.split('/').pop() ?? '';
  }

  it('refuses a wrong password with a plain message', async () => {
    await withPage('wrong-password', async (page) => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}01-sign-in.png` });

      await emailInput(page).fill(MARKETER.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();

      const alert = page.getByRole('alert').filter({ hasText: 'not correct' });
      await alert.waitFor();
      expect(await alert.textContent()).toContain('The e-mail address or password is not correct.');
      // Still on the sign-in page, signed out.
      expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    });
  });

  it('adds a contact with newsletter consent; the policy allows the welcome mail and it goes out with one-click unsubscribe', async () => {
    await withPage('with-consent', async (page) => {
      const email = uniqueEmail('consent');
      await signIn(page, MARKETER);
      await openNewContactForm(page);

      await emailInput(page).fill(email);
      await page.getByLabel('First name').fill('Greta');
      await page.getByLabel('Last name').fill('Hoffmann');
      await page.getByLabel('Consent to the newsletter by e-mail').check();
      await page.getByLabel('How was consent given?').selectOption('in_person');
      // The wording shown is the catalogue's text for the chosen version and language.
      await page.getByText('Yes, send me the monthly newsletter by e-mail.', { exact: false }).waitFor();
      await page.getByLabel('Wording language').selectOption('de');
      await page.getByText('Ja, schicken Sie mir den monatlichen Newsletter per E-Mail.', { exact: false }).waitFor();
      await page.getByLabel('Wording language').selectOption('en');
      expect(await page.getByLabel('When was consent given?').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
      await page.getByLabel('Where was consent given?').fill('Trade fair Berlin, stand 12');
      await page.screenshot({ path: `${ARTIFACTS}02-contact-form.png`, fullPage: true });

      await save(page);
      await page.getByRole('heading', { name: 'Greta Hoffmann', level: 1 }).waitFor();
      await region(page, 'Consent').getByText('Granted', { exact: true }).waitFor();
      await region(page, 'Consent ledger').getByText('Trade fair Berlin, stand 12').waitFor();

      // No reload: the page follows the running workflow by itself.
      await region(page, 'Policy decisions').getByText('Allowed', { exact: true }).first().waitFor({ timeout: WORKFLOW_TIMEOUT });
      await region(page, 'Messages').getByRole('cell', { name: 'Sent', exact: true }).waitFor({ timeout: WORKFLOW_TIMEOUT });
      await page.screenshot({ path: `${ARTIFACTS}03-contact-with-decision.png`, fullPage: true });

      await mainNav(page).getByRole('link', { name: 'Outbox' }).click();
      await page.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
      await page.getByRole('row').filter({ hasText: email }).getByRole('link').click();
      await page.getByRole('heading', { name: 'Headers' }).waitFor();

      const header = (name: string) =>
        region(page, 'Headers')
          .getByRole('row')
          .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
      expect(await header('To').textContent()).toContain(email);
      expect(await header('List-Unsubscribe-Post').textContent()).toContain('List-Unsubscribe=One-Click');
      expect(await header('List-Unsubscribe').textContent()).toMatch(/<https?:\/\/[^>]+\/u\/[^>]+>/);
      expect(await page.locator('iframe[sandbox=""]').count()).toBe(1);
      // Tall enough that the sandboxed HTML body is painted in the screenshot, too.
      await page.setViewportSize({ width: 1360, height: 1700 });
      await page.frameLocator('iframe[sandbox=""]').getByText('Hello Greta').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}04-outbox-message.png` });

      // The recipient follows the link from the mail, in a browser that is signed in to nothing.
      const unsubscribeUrl = /<(https?:\/\/[^>]+\/u\/[^>]+)>/.exec((await header('List-Unsubscribe').textContent()) ?? '')?.[1];
      expect(unsubscribeUrl).toBeDefined();
      const recipient = await page.context().browser()!.newContext();
      try {
        const inbox = await recipient.newPage();
        await inbox.goto(unsubscribeUrl!);
        // Opening the link only asks (mail scanners follow links too) ...
        await inbox.getByRole('heading', { name: 'Unsubscribe from Newsletter?' }).waitFor();
        await inbox.screenshot({ path: `${ARTIFACTS}05-unsubscribe-question.png` });
        // ... the button withdraws.
        await inbox.getByRole('button', { name: 'Unsubscribe' }).click();
        await inbox.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
      } finally {
        await recipient.close();
      }
      await page.goBack();
      await mainNav(page).getByRole('link', { name: 'Contacts' }).click();
      await page.getByRole('row').filter({ hasText: email }).getByRole('link').first().click();
      await region(page, 'Consent').getByText('Withdrawn', { exact: true }).waitFor();
      await region(page, 'Consent ledger').getByText('Withdrawn', { exact: true }).waitFor();
    });
  });

  it('adds a contact without consent: the policy denies with NO_CONSENT and no mail is sent', async () => {
    await withPage('without-consent', async (page) => {
      const mailSink = (sink ??= createMailSinkClient(requireEnv('ZWECK_E2E_MAIL_SINK_URL')));
      const email = uniqueEmail('no-consent');
      await signIn(page, MARKETER);
      await openNewContactForm(page);
      await emailInput(page).fill(email);
      await page.getByLabel('First name').fill('Paul');
      await page.getByLabel('Last name').fill('Kleine');
      await save(page);

      const decisions = region(page, 'Policy decisions');
      await decisions.getByText('Denied', { exact: true }).first().waitFor({ timeout: WORKFLOW_TIMEOUT });
      await decisions.getByText('NO_CONSENT', { exact: true }).waitFor();
      await decisions.getByText('There is no consent for this purpose on this channel.').waitFor();
      await region(page, 'Automation').getByText('Completed', { exact: true }).waitFor({ timeout: WORKFLOW_TIMEOUT });
      await region(page, 'Messages').getByText('No messages sent to this person.').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}06-contact-denied.png`, fullPage: true });

      // The workflow has finished with its decision recorded: nothing for this address reached the wire.
      const messages = await mailSink.list();
      expect(messages.filter((m) => m.to.includes(email) || m.envelopeTo.includes(email))).toEqual([]);
    });
  });

  it('a person subscribes on the hosted form, confirms from the mail, gets the welcome mail, and changes their choices in the preference center', async () => {
    const email = uniqueEmail('subscriber');
    const mailSink = createMailSinkClient(requireEnv('ZWECK_E2E_MAIL_SINK_URL'));
    await withPage('double-opt-in', async (page) => {
      await page.goto('/subscribe/newsletter');
      await page.getByText('Yes, send me the monthly newsletter by e-mail.', { exact: false }).waitFor();
      await page.getByLabel('Your e-mail address').fill(email);
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

      // Only the confirmation request goes out until the person confirms.
      const request = await eventually(async () => (await mailSink.list()).find((m) => m.to === email), WORKFLOW_TIMEOUT);
      expect(request.subject).toBe('Please confirm: Newsletter');
      const text = (await mailSink.get(request.id))?.text ?? '';
      const confirmUrl = /(https?:\/\/\S+\/confirm\/[\w.-]+)/.exec(text)?.[1];
      expect(confirmUrl).toBeDefined();

      await page.goto(confirmUrl!);
      await page.getByRole('heading', { name: 'Confirm your subscription to Newsletter?' }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}08-confirm-question.png` });
      await page.getByRole('button', { name: 'Yes, subscribe me' }).click();
      await page.getByRole('heading', { name: 'Thank you, you are subscribed' }).waitFor();

      const welcome = await eventually(
        async () => (await mailSink.list()).find((m) => m.to === email && m.subject.startsWith('Welcome')),
        WORKFLOW_TIMEOUT,
      );
      expect(welcome.subject).toBe('Welcome to our Newsletter');

      // Every marketing mail links to the preference center: newsletter off, product updates on.
      const welcomeText = (await mailSink.get(welcome.id))?.text ?? '';
      const preferencesUrl = /(https?:\/\/\S+\/preferences\/[\w.-]+)/.exec(welcomeText)?.[1];
      expect(preferencesUrl).toBeDefined();
      await page.goto(preferencesUrl!);
      await page.getByRole('heading', { name: 'What would you like to hear from us?' }).waitFor();
      expect(await page.getByRole('checkbox', { name: 'Newsletter' }).isChecked()).toBe(true);
      await page.getByRole('checkbox', { name: 'Newsletter' }).uncheck();
      await page.getByRole('checkbox', { name: 'Product updates' }).check();
      await page.screenshot({ path: `${ARTIFACTS}10-preference-center.png`, fullPage: true });
      await page.getByRole('button', { name: 'Save my choices' }).click();
      await page.getByText('Your choices are saved.').waitFor();
      await page.goto(preferencesUrl!);
      expect(await page.getByRole('checkbox', { name: 'Newsletter' }).isChecked()).toBe(false);
      expect(await page.getByRole('checkbox', { name: 'Product updates' }).isChecked()).toBe(true);
    });

    // The marketer sees the whole story on the contact page: pending, confirmed, decided, sent.
    // The person subscribed on the web: the marketer says why they open the record first (need to know).
    await withPage('double-opt-in-contact', async (page) => {
      await signIn(page, MARKETER);
      await page.getByRole('searchbox').fill(email);
      await page.getByRole('row').filter({ hasText: email }).getByRole('link').first().click();
      const reason = page.getByRole('dialog', { name: 'Why do you open this contact?' });
      await reason.getByLabel('Reason').selectOption('campaign_check');
      await reason.getByRole('button', { name: 'Open the contact' }).click();
      await page.getByText('Opened for: Checking a campaign or its audience, until').waitFor();
      const ledger = region(page, 'Consent ledger');
      await ledger.getByText('Double opt-in', { exact: true }).waitFor();
      await ledger.getByText('Withdrawn', { exact: true }).waitFor();
      await region(page, 'Policy decisions').getByText('DOUBLE_OPT_IN_PENDING', { exact: true }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}09-contact-after-double-opt-in.png`, fullPage: true });
    });

    // The DPO downloads the ISO/IEC TS 27560 receipt of the confirmation.
    await withPage('consent-receipt', async (page) => {
      await signIn(page, DPO);
      await page.getByRole('searchbox').fill(email);
      await page.getByRole('row').filter({ hasText: email }).getByRole('link').first().click();
      const confirmedRow = region(page, 'Consent ledger').getByRole('row').filter({ hasText: 'Double opt-in' });
      await confirmedRow.waitFor();
      await page.screenshot({ path: `${ARTIFACTS}11-contact-as-dpo.png`, fullPage: true });
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        confirmedRow.getByRole('button', { name: 'Download the consent receipt' }).click(),
      ]);
      const receipt = JSON.parse(await readFile(await download.path(), 'utf8')) as Record<string, unknown>;
      expect(receipt['@type']).toBe('dpv:ConsentRecord');
      expect(receipt['dpv:hasConsentStatus']).toEqual({ '@id': 'dpv:ConsentGiven' });
      expect(JSON.stringify(receipt)).not.toContain(email);
    });
  });

  it('shows a sales user neither the outbox nor the contact form', async () => {
    await withPage('sales-navigation', async (page) => {
      await signIn(page, SALES);
      const nav = mainNav(page);
      expect(await nav.getByRole('link', { name: 'Contacts' }).isVisible()).toBe(true);
      expect(await nav.getByRole('link', { name: 'Outbox' }).count()).toBe(0);
      expect(await nav.getByRole('link', { name: 'New contact' }).count()).toBe(0);
      await page.goto('/outbox');
      await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    });
  });

  it('signs out back to the sign-in page, and stays signed out', async () => {
    await withPage('sign-out', async (page) => {
      await signIn(page, MARKETER);
      await page.getByText('Mara Marketer').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await emailInput(page).isVisible()).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}07-signed-out.png` });
    });
  });
});
