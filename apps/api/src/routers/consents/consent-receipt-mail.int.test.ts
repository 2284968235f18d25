import type { TRPCError } from '@trpc/server';
import { createPreferencesToken } from '@zweck/mail/unsubscribe-token';
import { consentReceiptWorkflowId, type ConsentReceiptOutcome } from '@zweck/workflows/contracts';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness } from '../../test/harness.ts';
import { newsletterConsent } from '../../test/helpers.ts';
import { startSendingWorker, type SendingWorker } from '../../test/mail-sink.ts';

describe('consent receipts mailed to the person (through the worker, into a real SMTP sink)', () => {
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

  const subscriber = async (email: string): Promise<{ contactId: string; eventId: string }> => {
    const { id: contactId } = await h.callerFor('marketer').caller.contacts.create({
      email,
      consent: newsletterConsent(),
    });
    const { id: eventId } = await h.db.consentEvent.findFirstOrThrow({ where: { contactId }, select: { id: true } });
    return { contactId, eventId };
  };
  /** The run's outcome: the workflow is on the harness's task queue, which the worker process polls. */
  const outcome = async (workflowId: string): Promise<ConsentReceiptOutcome> => {
    try {
      return (await h.temporal.workflow.getHandle(workflowId).result()) as ConsentReceiptOutcome;
    } catch (error) {
      throw new Error(`${String(error)}\n--- worker output ---\n${sender.worker.output()}`);
    }
  };
  /** Receipt mails the sink holds for an address, parsed from the raw message as a mail client would. */
  const receiptMails = (to: string): Promise<ParsedMail[]> =>
    sender.parsedMails((m) => m.to === to && m.subject.startsWith('Your consent receipt'));
  const receiptsIn = (mail: ParsedMail) =>
    mail.attachments.map((a) => ({
      contentType: a.contentType,
      filename: a.filename,
      receipt: JSON.parse(a.content.toString('utf8')) as Record<string, unknown>,
    }));

  it('the DPO sends the receipt: exactly one mail with the JSON-LD receipt attached; a second request sends no second mail', async () => {
    const { contactId, eventId } = await subscriber('receipt-by-dpo@example.org');
    const dpo = h.callerFor('dpo').caller;
    expect(await dpo.consents.sendReceipt({ consentEventId: eventId })).toEqual({ status: 'requested' });
    const workflowId = consentReceiptWorkflowId(contactId, [eventId]);
    expect(workflowId).toBe(`consent-receipt:${eventId}`);
    const first = await outcome(workflowId);
    expect(first.outcome).toBe('sent');

    const mails = await receiptMails('receipt-by-dpo@example.org');
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(receiptsIn(mail!)).toEqual([
      {
        contentType: 'application/ld+json',
        filename: `consent-receipt-${eventId}.jsonld`,
        receipt: expect.objectContaining({
          '@id': `urn:zweck:consent-record:${eventId}`,
          '@type': 'dpv:ConsentRecord',
          'dpv:hasDataSubject': expect.objectContaining({ '@id': `urn:zweck:contact:${contactId}` }) as unknown,
          'dpv:hasConsentStatus': { '@id': 'dpv:ConsentGiven' },
        }) as unknown,
      },
    ]);
    // Transactional: no unsubscribe headers, but the privacy notice; the receipt itself names no address.
    expect(mail!.headers.has('list-unsubscribe')).toBe(false);
    expect(mail!.text).toContain(`Privacy notice: ${h.env.PRIVACY_NOTICE_URL}`);
    expect(mail!.text).toContain('Newsletter: consent given');
    expect(mail!.attachments[0]!.content.toString('utf8')).not.toContain('receipt-by-dpo@example.org');

    // The mail log and the audit: one message under the legal-obligation purpose, with the deterministic Message-ID.
    const logged = await h.db.message.findMany({ where: { contactId, kind: 'consent_receipt' } });
    expect(logged).toEqual([expect.objectContaining({ purposeId: 'data_subject_rights', status: 'sent', idempotencyKey: workflowId })]);
    expect(mail!.messageId).toBe(logged[0]!.messageId);
    const decisions = await h.db.policyDecision.findMany({ where: { contactId, purposeId: 'data_subject_rights' } });
    expect(decisions.length).toBeGreaterThanOrEqual(2); // the workflow asked, and the activity again
    expect(decisions.every((d) => d.allowed && d.legalBasis === 'legal_obligation')).toBe(true);
    expect(await h.db.auditEvent.count({ where: { action: 'consent.receipt.sent', entityId: contactId } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { action: 'consent.receipt.request', entityId: contactId } })).toBe(1);

    // Again, once the first run is over, and twice at once: each run finds the mail already sent.
    expect(await dpo.consents.sendReceipt({ consentEventId: eventId })).toEqual({ status: 'requested' });
    expect(await outcome(workflowId)).toEqual(first);
    const both = await Promise.all([
      dpo.consents.sendReceipt({ consentEventId: eventId }),
      dpo.consents.sendReceipt({ consentEventId: eventId }),
    ]);
    expect(both.map((b) => b.status).sort()).toContain('requested');
    expect(await outcome(workflowId)).toEqual(first);
    expect(await receiptMails('receipt-by-dpo@example.org')).toHaveLength(1);
    expect(await h.db.message.count({ where: { contactId, kind: 'consent_receipt' } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { action: 'consent.receipt.sent', entityId: contactId } })).toBe(1);
  });

  it('is for the DPO and admins only, and refuses an unknown ledger entry', async () => {
    const { eventId } = await subscriber('receipt-forbidden@example.org');
    const forbidden = await h
      .callerFor('marketer')
      .caller.consents.sendReceipt({ consentEventId: eventId })
      .catch((e: unknown) => e);
    expect((forbidden as TRPCError).code).toBe('FORBIDDEN');
    const missing = await h
      .callerFor('admin')
      .caller.consents.sendReceipt({ consentEventId: '00000000-0000-4000-8000-000000000000' })
      .catch((e: unknown) => e);
    expect((missing as TRPCError).code).toBe('NOT_FOUND');
  });

  it('the person asks in the preference center: one mail with a receipt of each current consent; the same request again sends nothing', async () => {
    const { contactId } = await subscriber('receipt-by-person@example.org');
    const token = createPreferencesToken(h.env.UNSUBSCRIBE_SECRET, { c: contactId });
    const form = (url: string, fields: [string, string][]) =>
      h.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      });
    await form(`/preferences/${token}`, [
      ['on', 'newsletter'],
      ['on', 'product_updates'],
    ]);
    const ledger = await h.db.consentEvent.findMany({ where: { contactId }, select: { id: true, purposeId: true } });
    expect(ledger.map((e) => e.purposeId).sort()).toEqual(['newsletter', 'product_updates']);

    const page = await h.app.inject({ method: 'GET', url: `/preferences/${token}` });
    expect(page.body).toContain(`<form method="post" action="/preferences/${token}/receipt">`);
    expect(page.body).toContain('E-mail me a receipt of my consents');

    const asked = await form(`/preferences/${token}/receipt`, []);
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Your receipt is on its way');
    const workflowId = consentReceiptWorkflowId(
      contactId,
      ledger.map((e) => e.id),
    );
    expect((await outcome(workflowId)).outcome).toBe('sent');

    const mails = await receiptMails('receipt-by-person@example.org');
    expect(mails).toHaveLength(1);
    const ids = receiptsIn(mails[0]!).map((r) => r.receipt['@id']);
    expect(ids.sort()).toEqual(ledger.map((e) => `urn:zweck:consent-record:${e.id}`).sort());

    // A double click: the same records, no second mail; the button changed no consent.
    expect((await form(`/preferences/${token}/receipt`, [])).statusCode).toBe(200);
    expect((await outcome(workflowId)).outcome).toBe('sent');
    expect(await receiptMails('receipt-by-person@example.org')).toHaveLength(1);
    expect(await h.db.consentEvent.count({ where: { contactId } })).toBe(2);
    expect((await h.app.inject({ method: 'POST', url: `/preferences/${token.slice(0, -2)}xx/receipt` })).statusCode).toBe(400);
  });
});
