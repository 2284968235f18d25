import { randomUUID } from 'node:crypto';
import type { art14NoticeWorkflow } from '@zweck/workflows';
import { TASK_QUEUE, type Art14NoticeOutcome } from '@zweck/workflows/contracts';
import { addMonths } from 'date-fns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness } from '../test/harness.ts';
import { codeOf, rejection } from '../test/helpers.ts';
import { startSendingWorker, type SendingWorker } from '../test/mail-sink.ts';

const SOURCE = 'Visitor list of the design fair, from partner Messe GmbH';
const CSV = [
  'email,first_name,consent_purposes,consent_method,consent_wording_version,consent_given_at,consent_source',
  'ina.imported@example.org,Ina,newsletter,in_person,2026-11,2026-11-20T10:00:00Z,Design fair stand',
  'bounced.imported@example.org,Bruno,newsletter,in_person,2026-11,2026-11-20T11:00:00Z,Design fair stand',
].join('\n');

describe('the Art. 14 duty clock (an import, the daily run through the worker, a real SMTP sink)', () => {
  let h: Awaited<ReturnType<typeof createHttpHarness>>;
  let sender: SendingWorker;

  beforeAll(async () => {
    h = await createHttpHarness();
    sender = await startSendingWorker(h);
  });
  afterAll(async () => {
    await sender?.stop();
    await h?.close();
  });

  const run = async (): Promise<Art14NoticeOutcome> => {
    try {
      return await h.temporal.workflow.execute<typeof art14NoticeWorkflow>('art14NoticeWorkflow', {
        taskQueue: h.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
        workflowId: `art14-test-${randomUUID()}`,
        args: [{ version: 1 }],
      });
    } catch (error) {
      throw new Error(`${String(error)}\n--- worker output ---\n${sender.worker.output()}`);
    }
  };

  it('an import starts a duty per contact, due a month later; the run mails the notice, records it, and reminds the DPO where it cannot', async () => {
    const admin = h.callerFor('admin').caller;
    const file = { format: 'csv' as const, content: CSV, source: SOURCE };
    const report = await admin.import.dryRun(file);
    expect(await h.db.art14Duty.count()).toBe(0);
    const before = new Date();
    const result = await admin.import.commit({ ...file, mode: 'all_or_nothing', expectedSha256: report.fileSha256 });
    const [ina, bruno] = result.rows.map((r) => r.contactId ?? '');

    const duties = await h.db.art14Duty.findMany({ orderBy: { contactId: 'asc' } });
    expect(duties).toHaveLength(2);
    for (const duty of duties) {
      expect(duty).toMatchObject({ source: 'import', reference: `import:${result.batchId}`, status: 'open' });
      expect(duty.collectedAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
      expect(duty.dueAt).toEqual(addMonths(duty.collectedAt, 1));
    }
    // Bruno's address bounced since: the product cannot inform him by mail.
    await h.db.contact.update({ where: { id: bruno }, data: { emailUndeliverableAt: new Date() } });

    expect(await run()).toEqual({ notified: 1, remindedDpo: 1, skipped: 0 });

    const [notice, ...more] = await sender.parsedMails((m) => m.to === 'ina.imported@example.org');
    expect(more).toHaveLength(0);
    expect(notice?.subject).toBe('Information about your data (Art. 14 GDPR) / Information über Ihre Daten');
    const text = notice?.text ?? '';
    expect(text).toContain('Hello Ina,');
    expect(text).toContain(h.env.CONTROLLER_NAME);
    expect(text).toContain(`“${SOURCE}” (an imported list)`);
    expect(text).toContain('Newsletter');
    expect(text).toContain('Art. 6(1)(a)');
    expect(text).toContain('Art. 77');
    expect(text).toContain('Herkunft der Daten');
    expect(notice?.headers.get('list-unsubscribe')).toBeUndefined();

    const inaDuty = await h.db.art14Duty.findFirstOrThrow({ where: { contactId: ina } });
    const message = await h.db.message.findUniqueOrThrow({ where: { idempotencyKey: `art14:${inaDuty.id}` } });
    expect(inaDuty).toMatchObject({ status: 'notified', method: 'email', messageRef: message.id, dpoRemindedAt: null });
    expect(message).toMatchObject({ contactId: ina, purposeId: 'data_subject_rights', kind: 'art14_notice', status: 'sent' });
    expect(await h.db.auditEvent.count({ where: { action: 'art14.notified', entityId: ina } })).toBe(1);
    expect(
      await h.db.policyDecision.count({
        where: { contactId: ina, purposeId: 'data_subject_rights', decidedBy: 'activity:sendArt14NoticeBatch', allowed: true },
      }),
    ).toBe(1);

    const brunoDuty = await h.db.art14Duty.findFirstOrThrow({ where: { contactId: bruno } });
    expect(brunoDuty.status).toBe('open');
    expect(brunoDuty.dpoRemindedAt).not.toBeNull();
    expect(brunoDuty.reasonCodes.length).toBeGreaterThan(0);
    expect(
      await h.db.dpoNotice.findMany({ where: { kind: 'art14_due' }, select: { subjectType: true, subjectId: true, dedupeKey: true } }),
    ).toEqual([{ subjectType: 'contact', subjectId: bruno, dedupeKey: `art14:${brunoDuty.id}` }]);
    const dpo = await h.db.user.findFirstOrThrow({ where: { role: 'dpo' }, select: { email: true } });
    const dpoMails = await sender.parsedMails((m) => m.to === dpo.email && m.subject.includes('Art. 14'));
    expect(dpoMails).toHaveLength(1);
    // The DPO's mail links to the contact and names nobody.
    expect(dpoMails[0]?.text).toContain(`/contacts/${bruno}`);
    expect(dpoMails[0]?.text).not.toContain('bounced.imported');
    expect(await sender.parsedMails((m) => m.to === 'bounced.imported@example.org')).toHaveLength(0);

    // The next day's run finds nothing left to do and sends nothing twice.
    expect(await run()).toEqual({ notified: 0, remindedDpo: 0, skipped: 0 });
    expect(await sender.parsedMails((m) => m.to === 'ina.imported@example.org')).toHaveLength(1);
  });

  it('lists open duties for the DPO and admins; only the DPO records an exemption, with its reason', async () => {
    expect(await codeOf(h.callerFor('sales').caller.art14.list({ status: 'open' }))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('marketer').caller.art14.list({ status: 'open' }))).toBe('FORBIDDEN');
    const open = await h.callerFor('admin').caller.art14.list({ status: 'open' });
    expect(open).toHaveLength(1);
    const [duty] = open;
    expect(duty?.contact).toMatchObject({ name: 'Bruno', email: 'bounced.imported@example.org' });
    const id = duty?.id ?? '';

    const input = {
      id,
      exemption: 'impossible_or_disproportionate' as const,
      note: 'Address bounced; the notice is published on our website.',
    };
    expect(await codeOf(h.callerFor('admin').caller.art14.markExempt(input))).toBe('FORBIDDEN');
    const dpo = h.callerFor('dpo').caller;
    const badReason = await rejection(dpo.art14.markExempt({ ...input, exemption: 'because' as never }));
    expect(badReason.code).toBe('BAD_REQUEST');
    expect(badReason.message).toContain('exemption');
    const shortNote = await rejection(dpo.art14.markExempt({ ...input, note: 'no' }));
    expect(shortNote.message).toContain('note');
    expect((await h.db.art14Duty.findUniqueOrThrow({ where: { id } })).status).toBe('open');

    const exempt = await dpo.art14.markExempt(input);
    expect(exempt).toMatchObject({ status: 'exempt', exemption: 'impossible_or_disproportionate', exemptionNote: input.note });
    expect(await h.db.auditEvent.count({ where: { action: 'art14.exempt', entityId: exempt.contact.id } })).toBe(1);
    const again = await rejection(dpo.art14.markExempt(input));
    expect(again.cause).toMatchObject({ code: 'ART14_DUTY_NOT_OPEN' });
    expect((await rejection(dpo.art14.markExempt({ ...input, id: randomUUID() }))).cause).toMatchObject({ code: 'ART14_DUTY_NOT_FOUND' });
    expect(await h.callerFor('dpo').caller.art14.list({ status: 'open' })).toEqual([]);
    expect((await h.callerFor('dpo').caller.art14.list({ status: 'all' })).map((d) => d.status).sort()).toEqual(['exempt', 'notified']);
  });
});
