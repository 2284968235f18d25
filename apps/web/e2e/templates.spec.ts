// The marketer's template editor, end to end in Chromium against the real system: a marketing
// template without the unsubscribe link is refused beside its bodies, the footer button fixes it,
// the preview renders it for a sample contact in a sandboxed frame, and a test goes to the
// marketer's own inbox through the worker and the SMTP sink.
import { createMailSinkClient } from '@zweck/mail-sink/client';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DPO, MARKETER, eventually, mainNav, requireEnv, signIn, trpcMutation, uniqueSuffix, useBrowser } from './support';

const WORKFLOW_TIMEOUT = 45_000;
const suffix = uniqueSuffix();

describe('admin UI: templates', () => {
  const withPage = useBrowser({ viewport: { width: 1440, height: 1100 } });

  const templateName = `Autumn offers ${suffix}`;

  it('refuses a marketing template without the unsubscribe link, saves it with the footer, previews it for a contact and sends a test to me', async () => {
    await withPage('templates-marketer', async (page) => {
      await signIn(page, MARKETER);
      // A sample contact whose first name tries to inject markup.
      const lastName = `Preview${suffix}`;
      await trpcMutation(page.request, 'contacts.create', {
        email: `e2e-template-${suffix}@example.org`,
        firstName: 'Greta <b>bold</b>',
        lastName,
        attributes: { city: 'Leipzig' },
      });

      await mainNav(page).getByRole('link', { name: 'Templates' }).click();
      await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New template' }).click();
      await page.getByRole('heading', { name: 'New template', level: 1 }).waitFor();

      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(templateName);
      await page.getByLabel('Kind').selectOption('marketing');
      await page.getByRole('textbox', { name: 'Subject', exact: true }).fill(`Autumn offers for {{first_name}} (${suffix})`);
      await page
        .getByRole('textbox', { name: 'HTML body' })
        .fill('<p>Hello {{first_name}} in {{city}},</p>\n<p><a href="https://shop.example/autumn">See the autumn offers</a></p>\n');
      await page.getByRole('textbox', { name: 'Text body' }).fill('Hello {{first_name}},\n\nhttps://shop.example/autumn\n');
      await page.getByRole('button', { name: 'Create template' }).click();

      // The server refuses, beside each body, naming what is missing.
      const htmlError = page.locator('#template-html-error');
      await htmlError.waitFor();
      expect(await htmlError.textContent()).toContain('{{unsubscribe_url}}');
      expect(await page.locator('#template-text-error').textContent()).toContain('{{unsubscribe_url}}');
      expect(await page.getByRole('textbox', { name: 'HTML body' }).getAttribute('aria-invalid')).toBe('true');
      expect(page.url()).toMatch(/\/templates\/new$/);
      await page.screenshot({ path: `${ARTIFACTS}30-template-refused-without-footer.png`, fullPage: true });

      // The footer button adds what marketing mail needs to both bodies; then the template saves.
      await page.getByRole('button', { name: 'Insert the required footer' }).click();
      expect(await page.getByRole('textbox', { name: 'HTML body' }).inputValue()).toContain('{{unsubscribe_url}}');
      expect(await page.getByRole('textbox', { name: 'Text body' }).inputValue()).toContain('Unsubscribe: {{unsubscribe_url}}');
      await page.getByRole('button', { name: 'Create template' }).click();
      await page.getByText('Template saved').waitFor();
      expect(page.url()).toMatch(/\/templates\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: templateName, level: 1 }).waitFor();

      // The preview for a sample contact: escaped, in a sandboxed frame, with example links.
      await page.getByLabel('Find a sample contact').fill(lastName);
      const picker = page.getByLabel('Sample contact', { exact: true });
      await picker.locator('option', { hasText: lastName }).waitFor({ state: 'attached' });
      await picker.selectOption({ label: `Greta <b>bold</b> ${lastName} · e2e-template-${suffix}@example.org` });
      await expect.poll(() => page.getByTestId('preview-subject').textContent()).toBe(`Autumn offers for Greta <b>bold</b> (${suffix})`);
      const frame = page.locator('iframe[title="HTML preview"]');
      expect(await frame.getAttribute('sandbox')).toBe('');
      const srcdoc = (await frame.getAttribute('srcdoc')) ?? '';
      expect(srcdoc).toContain('Hello Greta &lt;b&gt;bold&lt;/b&gt; in Leipzig,');
      expect(srcdoc).toContain('https://example.invalid/unsubscribe-link-example');
      await page.frameLocator('iframe[title="HTML preview"]').getByText('Hello Greta <b>bold</b> in Leipzig,').waitFor();
      await frame.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}31-template-preview-sample-contact.png`, fullPage: true });

      // A test to the marketer's own address, through the worker into the SMTP sink.
      await page.getByRole('button', { name: 'Send a test to me' }).click();
      await page.getByText('Test sent').waitFor({ timeout: WORKFLOW_TIMEOUT });
      await page.getByText(MARKETER.email, { exact: true }).first().waitFor();
      await page.screenshot({ path: `${ARTIFACTS}32-template-test-sent.png`, fullPage: true });

      const sink = createMailSinkClient(requireEnv('ZWECK_E2E_MAIL_SINK_URL'));
      const subject = `[Test] Autumn offers for Mara (${suffix})`;
      const mail = await eventually(async () => (await sink.list()).find((m) => m.subject === subject), WORKFLOW_TIMEOUT);
      expect(mail.to).toBe(MARKETER.email);
      expect((await sink.list()).filter((m) => m.subject === subject)).toHaveLength(1);

      // The template is listed, and the outbox shows the test.
      await mainNav(page).getByRole('link', { name: 'Templates' }).click();
      await page.getByRole('row').filter({ hasText: templateName }).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}33-templates-list.png`, fullPage: true });
    });
  });

  it('shows the DPO the template read-only, with its preview', async () => {
    await withPage('templates-dpo', async (page) => {
      await signIn(page, DPO);
      await mainNav(page).getByRole('link', { name: 'Templates' }).click();
      await page.getByText('Read only: marketers and administrators write templates.').waitFor();
      expect(await page.getByRole('link', { name: 'New template' }).count()).toBe(0);
      await page.getByRole('link', { name: templateName }).click();
      await page.getByRole('heading', { name: templateName, level: 1 }).waitFor();
      expect(await page.getByRole('textbox', { name: 'HTML body' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Send a test to me' }).count()).toBe(0);
      await expect.poll(() => page.getByTestId('preview-subject').textContent()).toBe(`Autumn offers for Dana (${suffix})`);
      await page.screenshot({ path: `${ARTIFACTS}34-template-dpo-read-only.png`, fullPage: true });
    });
  });
});
