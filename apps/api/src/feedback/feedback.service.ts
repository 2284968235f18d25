import { lockAndFoldLedger } from '@zweck/decision-facts';
import { audit } from '../audit.ts';
import { signalConsentChanged } from '../automation.ts';
import { recordInteraction, type InteractionDeps } from '../interactions.ts';
import { parseFeedbackReport, type FeedbackReport } from './feedback-report.ts';

/** What processing one report did; the listener logs this and nothing else. */
export type FeedbackOutcome =
  'hard_bounce' | 'soft_bounce' | 'complaint' | 'complaint_already_objected' | 'not_a_failure' | 'unmatched' | 'not_a_report';

/** Feedback types of an ARF report that mean "this is spam" (RFC 5965 § 7.3): an objection. */
const COMPLAINT_TYPES = new Set(['abuse', 'fraud']);

const CAMPAIGN_KEY = /^campaign:([0-9a-f-]{36}):/;

/** The longest SMTP answer kept on a recipient's outcome. */
const MAX_RESPONSE = 500;

/** The database and Temporal, and what `recordInteraction` needs besides (lead scoring asks the policy). */
export type FeedbackDeps = InteractionDeps;

/**
 * A report that came back to `bounces@MAIL_DOMAIN`, matched to the message it is about by the
 * original Message-ID (the mail log's unique `message_id`) and so to the contact.
 *
 * - A hard bounce (status 5.x.x, action failed) marks the address undeliverable (accuracy,
 *   Art. 5(1)(d) GDPR; not a consent matter), turns the campaign recipient's outcome into
 *   `bounced` with the status, and records a `bounced` interaction. Later sends skip the address.
 * - A soft bounce (4.x.x) is recorded as a `bounced` interaction only: it counts, it marks nothing.
 * - A complaint (ARF `abuse`) is an objection to direct marketing (Art. 21(2), (3) GDPR): an
 *   `objected` ledger entry with the method `spam_complaint` (once per person), a `complained`
 *   interaction, and every running workflow of the person's direct-marketing purposes is told.
 *
 * Nothing of the report's content is kept beyond status codes: no address leaves it.
 */
export async function processFeedback(deps: FeedbackDeps, raw: Buffer, now = new Date()): Promise<FeedbackOutcome> {
  const report = await parseFeedbackReport(raw);
  if (report.kind === 'other') return 'not_a_report';
  if (report.messageId === null) return 'unmatched';
  const message = await deps.db.message.findUnique({
    where: { messageId: report.messageId },
    select: { id: true, contactId: true, purposeId: true, idempotencyKey: true, contact: { select: { status: true } } },
  });
  if (!message || message.contact.status === 'erased') return 'unmatched';
  const campaignId = CAMPAIGN_KEY.exec(message.idempotencyKey)?.[1] ?? null;
  return report.kind === 'delivery_status'
    ? bounce(deps, report, { ...message, campaignId }, now)
    : complaint(deps, report, { ...message, campaignId }, now);
}

type MatchedMessage = { id: string; contactId: string; purposeId: string; campaignId: string | null };

async function bounce(
  deps: FeedbackDeps,
  report: Extract<FeedbackReport, { kind: 'delivery_status' }>,
  message: MatchedMessage,
  now: Date,
): Promise<FeedbackOutcome> {
  const isFailure = report.action === 'failed' || report.action === 'delayed' || report.action === '';
  if (!isFailure || report.status.startsWith('2.')) return 'not_a_failure';
  const isHard = report.status.startsWith('5.') && report.action !== 'delayed';
  if (isHard) {
    const answer = `DSN ${report.status}${report.diagnostic ? ` ${report.diagnostic}` : ''}`.slice(0, MAX_RESPONSE);
    await deps.db.$transaction(async (tx) => {
      await tx.contact.updateMany({ where: { id: message.contactId, emailUndeliverableAt: null }, data: { emailUndeliverableAt: now } });
      if (message.campaignId !== null) {
        await tx.campaignRecipient.updateMany({
          where: { campaignId: message.campaignId, contactId: message.contactId, outcome: { in: ['sent', 'bounced'] } },
          data: { outcome: 'bounced', smtpResponse: answer },
        });
      }
    });
  }
  await recordInteraction(deps, {
    contactId: message.contactId,
    kind: 'bounced',
    occurredAt: now,
    campaignId: message.campaignId,
    details: { messageRef: message.id, status: report.status, isHard, via: 'dsn' },
  });
  return isHard ? 'hard_bounce' : 'soft_bounce';
}

async function complaint(
  deps: FeedbackDeps,
  report: Extract<FeedbackReport, { kind: 'complaint' }>,
  message: MatchedMessage,
  now: Date,
): Promise<FeedbackOutcome> {
  if (!COMPLAINT_TYPES.has(report.feedbackType)) return 'not_a_report';
  const marketing = await deps.db.purpose.findMany({ where: { isDirectMarketing: true }, select: { id: true }, orderBy: { id: 'asc' } });
  const messagePurposeIsMarketing = marketing.some((p) => p.id === message.purposeId);
  const recorded = await deps.db.$transaction(async (tx) => {
    const locked = await lockAndFoldLedger(tx, message.contactId);
    if (!locked || locked.consents.objectedToDirectMarketingAt !== null) return false;
    // The objection covers all direct marketing on every channel (the fold says so); it is
    // recorded against the purpose of the message complained about where that is marketing.
    const purposeId = messagePurposeIsMarketing ? message.purposeId : marketing[0]?.id;
    if (purposeId === undefined) return false;
    await tx.consentEvent.create({
      data: {
        contactId: message.contactId,
        purposeId,
        channel: 'email',
        kind: 'objected',
        occurredAt: now,
        method: 'spam_complaint',
        source: `message:${message.id}`,
        actor: 'contact',
        evidence: { report: 'arf', feedbackType: report.feedbackType },
        dedupeKey: `complaint:${message.id}`,
      },
    });
    await audit(tx, {
      actor: `contact:${message.contactId}`,
      action: 'consent.object',
      entityType: 'contact',
      entityId: message.contactId,
      details: { purposeId, via: 'spam_complaint', messageRef: message.id },
    });
    return true;
  });
  await recordInteraction(deps, {
    contactId: message.contactId,
    kind: 'complained',
    occurredAt: now,
    campaignId: message.campaignId,
    details: { messageRef: message.id, feedbackType: report.feedbackType },
  });
  if (!recorded) return 'complaint_already_objected';
  for (const { id } of marketing) await signalConsentChanged(deps, message.contactId, id);
  return 'complaint';
}
