import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { startSendingWorker, type SendingWorker } from '../../test/mail-sink.ts';

const FOOTER_HTML = `<p style="white-space:pre-line">{{imprint}}</p>
<p><a href="{{privacy_notice_url}}">Privacy</a> <a href="{{preferences_url}}">Preferences</a> <a href="{{unsubscribe_url}}">Unsubscribe</a></p>`;
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';

describe('template test sends (through the worker, into a real SMTP sink)', () => {
  let h: Harness;
  let sender: SendingWorker;

  beforeAll(async () => {
    h = await createHarness();
    sender = await startSendingWorker(h);
  });
  afterAll(async () => {
    await sender?.stop();
    await h?.close();
  });

  const mailsTo = (to: string): Promise<ParsedMail[]> => sender.parsedMails((m) => m.to === to);

  it("sends exactly one message, marked [Test], to the signed-in marketer's own address", async () => {
    const marketer = h.callerFor('marketer').caller;
    const me = await h.db.user.findUniqueOrThrow({ where: { id: h.userId('marketer') }, select: { email: true } });
    const { id } = await marketer.templates.create({
      name: 'Test-send template',
      kind: 'marketing',
      subject: 'Autumn news for {{first_name}}',
      html: `<p>Hello {{first_name}} {{last_name}} ({{city}}),</p><p><a href="https://shop.example/autumn">Offers</a></p>${FOOTER_HTML}`,
      text: `Hello {{first_name}},\n\n${FOOTER_TEXT}`,
    });

    const result = await marketer.templates.testSend({ templateId: id }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- worker output ---\n${sender.worker.output()}`);
    });
    expect(result).toEqual({ status: 'sent', to: me.email, detail: null });

    const mails = await mailsTo(me.email);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toBe('[Test] Autumn news for Mara');
    expect(mail!.html).toContain('Hello Mara Marketer ([City]),');
    expect(mail!.html).toContain('href="https://example.invalid/unsubscribe-link-example"');
    expect(mail!.text).toContain(`Privacy: ${h.env.PRIVACY_NOTICE_URL}`);
    // Not tracked, and not a marketing message to a contact: no pixel, no unsubscribe header.
    expect(mail!.html).toContain('href="https://shop.example/autumn"');
    expect(mail!.headers.has('list-unsubscribe')).toBe(false);
    // Nobody else received anything; the send was decided under staff_notifications and audited.
    expect((await sender.sink.list()).length).toBe(1);
    const sent = await h.db.auditEvent.findMany({ where: { action: 'template.test.sent', entityId: h.userId('marketer') } });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.details).toMatchObject({ templateId: id, purposeId: 'staff_notifications', legalBasis: 'contract' });
    expect(JSON.stringify(sent[0]!.details)).not.toContain(me.email);

    // An unsaved draft works too, and a draft with problems is refused before any workflow starts.
    const draft = await marketer.templates.testSend({
      draft: { kind: 'transactional', subject: 'Draft {{first_name}}', html: '<p>x</p>', text: 'x' },
    });
    expect(draft.status).toBe('sent');
    expect((await mailsTo(me.email)).map((m) => m.subject).sort()).toEqual(['[Test] Autumn news for Mara', '[Test] Draft Mara']);
    await expect(marketer.templates.testSend({ draft: { kind: 'marketing', subject: 'x', html: 'x', text: 'x' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect((await sender.sink.list()).length).toBe(2);
  });
});
