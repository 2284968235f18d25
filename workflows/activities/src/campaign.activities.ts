import { CancelledFailure, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Prisma, type Db } from '@zweck/db';
import { PURPOSE_RULE_SELECT, readSubjects, toPurposeRule, type SubjectRecord } from '@zweck/decision-facts';
import { checkTemplate, messageIdFor, prepareTemplate, type Mailer, type PreparedTemplate, type SenderIdentity } from '@zweck/mail';
import { decide, ZChannel, type AllowedDecision, type Channel, type Decision } from '@zweck/policy';
import { compileSegment, readSegmentDefinition } from '@zweck/segments';
import { permanentRefusal } from './activities.ts';
import { marketingLinks, personalKeysFor, personalValues } from './marketing-mail.ts';
import { recordSyncBounce, syncBounceOf, type SmtpBounce } from './bounces.ts';
import { createOutcomeBuffer, createWindowPipeline, writeCampaignOutcomes } from './campaign-outcomes.ts';
import { trackingFor } from './tracking.ts';

export interface CampaignActivityDeps {
  db: Db;
  config: { publicUrl: string; mailDomain: string; unsubscribeSecret: string; suppressionKey: string; sender: SenderIdentity };
  now: () => Date;
  mailer: Mailer;
  sha256Hex: (text: string) => string;
  /**
   * The most messages of a batch whose outcome is not yet committed (handed to the transport, or
   * answered and not yet written): what a worker killed outright may resend. The SMTP pool's size.
   */
  concurrency: number;
  /** Recipients per pre-send check, at most (default CAMPAIGN_WINDOW.max; the sending rate sizes them below it). */
  maxWindow?: number;
  /** Aborted when the worker stops gracefully: running batches start no new message and return. */
  stopping?: AbortSignal;
}

/** Why a whole campaign cannot start; per-recipient reasons come from the policy. */
export type CampaignRefusal =
  | 'CAMPAIGN_NOT_FOUND'
  | 'CAMPAIGN_NOT_STARTABLE'
  | 'CHANNEL_NOT_IN_PURPOSE'
  | 'TEMPLATE_NOT_FOR_MARKETING'
  | 'TEMPLATE_INVALID'
  | 'SEGMENT_INVALID';

/** One message per (campaign, contact): the mail log's key, from which the Message-ID is derived. */
export const campaignIdempotencyKey = (campaignId: string, contactId: string): string => `campaign:${campaignId}:${contactId}`;

/** Skip reasons of the campaign itself, beside the policy's reason codes. */
const ADDRESS_UNDELIVERABLE = 'ADDRESS_UNDELIVERABLE';
const CAMPAIGN_CANCELLED = 'CAMPAIGN_CANCELLED';

const CAMPAIGN_SELECT = {
  id: true,
  status: true,
  channel: true,
  segmentId: true,
  scheduledAt: true,
  throttlePerMinute: true,
  track: true,
  template: { select: { kind: true, subject: true, html: true, text: true } },
  purpose: { select: { ...PURPOSE_RULE_SELECT, fields: { select: { fieldKey: true } } } },
} satisfies Prisma.CampaignSelect;

/** The mail-log columns a batch reads back, as MESSAGE_ROW_SELECT names them (for the raw INSERT ... RETURNING). */
const MESSAGE_ROW_COLUMNS = Prisma.sql`id::text AS "id", idempotency_key AS "idempotencyKey", message_id AS "messageId",
  contact_id::text AS "contactId", status::text AS "status", smtp_response AS "smtpResponse", sent_at AS "sentAt"`;
type MessageRow = {
  id: string;
  idempotencyKey: string;
  messageId: string;
  contactId: string;
  status: string;
  smtpResponse: string | null;
  sentAt: Date | null;
};

/** A decision's reason codes as one text (codes are identifiers: no spaces), for a column of an `unnest`. */
const reasonList = (decision: Decision): string => joinCodes(decision.reasons.map((r) => r.code));
const joinCodes = (codes: readonly string[]): string => {
  if (codes.some((code) => !/^[A-Z0-9_]+$/.test(code))) throw new Error('a reason code is not an identifier');
  return codes.join(' ');
};

const MESSAGE_ROW_SELECT = {
  id: true,
  idempotencyKey: true,
  messageId: true,
  contactId: true,
  status: true,
  smtpResponse: true,
  sentAt: true,
} satisfies Prisma.MessageSelect;

/**
 * Recipients per pre-send check (one read, one decision write, one mail-log write): what the
 * senders get through in about this long, so that a check is well under a second old when its
 * message leaves (a withdrawal that commits later may still miss a message already checked), within
 * these limits.
 */
const WINDOW_SECONDS = 0.2;
export const CAMPAIGN_WINDOW = { min: 16, max: 200 } as const;
/** The batch heartbeats at most this often (the workflow's heartbeat timeout is several times longer). */
const HEARTBEAT_EVERY_MS = 1_000;

export function createCampaignActivities({
  db,
  mailer,
  config,
  now,
  sha256Hex,
  concurrency,
  maxWindow = CAMPAIGN_WINDOW.max,
  stopping,
}: CampaignActivityDeps) {
  const loadCampaign = (campaignId: string) => db.campaign.findUnique({ where: { id: campaignId }, select: CAMPAIGN_SELECT });

  /** One prepared template per campaign and activity process: checked once, rendered per recipient. */
  const prepared = new Map<string, { template: PreparedTemplate; personalKeys: string[] }>();

  /**
   * Where this process's last batch of a campaign ended: the next batch reads on from there along
   * the primary key instead of sorting every pending row again. A hint only: when nothing is
   * pending after it (the end, or recipients an interrupted batch left behind), read from the start.
   */
  const cursors = new Map<string, string>();
  /** Messages per second of this process's last batch of a campaign: the first windows' size. */
  const rates = new Map<string, number>();
  const nextPending = async (campaignId: string, limit: number): Promise<string[]> => {
    const page = (after: string | undefined) =>
      db.campaignRecipient.findMany({
        where: { campaignId, outcome: 'pending', ...(after === undefined ? {} : { contactId: { gt: after } }) },
        select: { contactId: true },
        orderBy: { contactId: 'asc' },
        take: limit,
      });
    const after = cursors.get(campaignId);
    let rows = await page(after);
    if (rows.length === 0 && after !== undefined) rows = await page(undefined);
    const last = rows.at(-1);
    if (last) cursors.set(campaignId, last.contactId);
    return rows.map((r) => r.contactId);
  };

  return {
    /**
     * May this campaign start? Structural checks the policy cannot make per person: the purpose
     * uses the channel, a direct-marketing purpose sends only a marketing template with its
     * footer (unsubscribe, preferences, privacy notice, imprint), the segment still parses.
     */
    async startCampaign(input: {
      campaignId: string;
    }): Promise<{ ok: true; scheduledAt: string | null } | { ok: false; reasonCodes: CampaignRefusal[] }> {
      const campaign = await loadCampaign(input.campaignId);
      if (!campaign) return { ok: false, reasonCodes: ['CAMPAIGN_NOT_FOUND'] };
      if (campaign.status !== 'draft' && campaign.status !== 'scheduled') return { ok: false, reasonCodes: ['CAMPAIGN_NOT_STARTABLE'] };
      const reasons: CampaignRefusal[] = [];
      if (!campaign.purpose.channels.includes(campaign.channel)) reasons.push('CHANNEL_NOT_IN_PURPOSE');
      if (campaign.purpose.isDirectMarketing && campaign.template.kind !== 'marketing') reasons.push('TEMPLATE_NOT_FOR_MARKETING');
      const personalKeys = await personalKeysFor(
        db,
        campaign.purpose.fields.map((f) => f.fieldKey),
      );
      if (!checkTemplate(campaign.template, { personalKeys }).ok) reasons.push('TEMPLATE_INVALID');
      try {
        await readSegmentDefinition(db, campaign.segmentId);
      } catch {
        reasons.push('SEGMENT_INVALID');
      }
      if (reasons.length > 0) {
        await db.campaign.update({ where: { id: campaign.id }, data: { status: 'cancelled', finishedAt: now() } });
        return { ok: false, reasonCodes: reasons };
      }
      await db.campaign.update({ where: { id: campaign.id }, data: { status: campaign.scheduledAt ? 'scheduled' : 'running' } });
      return { ok: true, scheduledAt: campaign.scheduledAt?.toISOString() ?? null };
    },

    async setCampaignStatus(input: { campaignId: string; status: 'running' | 'paused' }): Promise<{ throttlePerMinute: number | null }> {
      const campaign = await db.campaign.update({
        where: { id: input.campaignId },
        data: { status: input.status },
        select: { throttlePerMinute: true },
      });
      if (input.status === 'running') {
        await db.campaign.updateMany({ where: { id: input.campaignId, startedAt: null }, data: { startedAt: now() } });
      }
      return { throttlePerMinute: campaign.throttlePerMinute };
    },

    /**
     * One page of the segment, as outcome rows: the campaign's audience is fixed when it is
     * resolved. The key (campaign, contact) makes a retried page add nobody twice.
     */
    async resolveRecipients(input: {
      campaignId: string;
      afterContactId: string | null;
      limit: number;
    }): Promise<{ added: number; lastContactId: string | null; done: boolean }> {
      const campaign = await db.campaign.findUniqueOrThrow({ where: { id: input.campaignId }, select: { segmentId: true } });
      const where = compileSegment(await readSegmentDefinition(db, campaign.segmentId), { now: now() });
      const after = input.afterContactId === null ? Prisma.empty : Prisma.sql` AND c.id > ${input.afterContactId}::uuid`;
      const [row] = await db.$queryRaw<{ last: string | null; seen: number; added: number }[]>`
        WITH page AS (
          SELECT c.id FROM contact c WHERE ${where}${after} ORDER BY c.id LIMIT ${input.limit}::int
        ), inserted AS (
          INSERT INTO campaign_recipient (campaign_id, contact_id)
          SELECT ${input.campaignId}::uuid, id FROM page
          ON CONFLICT DO NOTHING
          RETURNING contact_id
        )
        SELECT (SELECT id::text FROM page ORDER BY id DESC LIMIT 1) AS last,
               (SELECT count(*)::int FROM page) AS seen,
               (SELECT count(*)::int FROM inserted) AS added`;
      const seen = row?.seen ?? 0;
      return { added: row?.added ?? 0, lastContactId: row?.last ?? null, done: seen < input.limit };
    },

    /**
     * Send to the next `limit` pending recipients. They go in windows: for each window a fresh
     * read and the policy's decision per recipient (recorded), its skips, and its mail-log rows
     * (keyed by campaign and contact, so a retry never sends twice) are written just before its
     * messages go out, while the previous window is still sending. Messages go through the pooled
     * transport with at most `concurrency` whose outcome is not yet committed (see
     * `createOutcomeBuffer`: the most a killed worker can resend); their outcomes are committed in
     * groups. On a graceful stop of the worker the batch starts no new message, records the ones
     * in flight and returns; the rest stay pending for the next batch, on another worker.
     */
    async sendCampaignBatch(input: {
      campaignId: string;
      limit: number;
    }): Promise<{ sent: number; skipped: number; failed: number; remaining: number }> {
      const context = Context.current();
      const campaign = await loadCampaign(input.campaignId);
      if (!campaign) throw new Error(`campaign ${input.campaignId} does not exist`);
      const channel: Channel = ZChannel.parse(campaign.channel);
      let cached = prepared.get(campaign.id);
      if (!cached) {
        const personalKeys = await personalKeysFor(
          db,
          campaign.purpose.fields.map((f) => f.fieldKey),
        );
        cached = { template: prepareTemplate(campaign.template, { personalKeys }), personalKeys };
        prepared.set(campaign.id, cached);
      }
      const { template, personalKeys } = cached;
      const purpose = toPurposeRule(campaign.purpose);
      const decidedBy = `activity:sendCampaignBatch:${campaign.id}`;
      const keyOf = (contactId: string) => campaignIdempotencyKey(campaign.id, contactId);

      const pending = await nextPending(campaign.id, input.limit);

      let lastBeat = 0;
      const beat = () => {
        if (Date.now() - lastBeat < HEARTBEAT_EVERY_MS) return;
        lastBeat = Date.now();
        context.heartbeat();
      };
      // Also while a statement or the SMTP server is slow: the heartbeat says this process is alive,
      // and a second attempt must never start while this one can still send.
      const beating = setInterval(beat, HEARTBEAT_EVERY_MS);
      let failure: Error | null = null;
      const shouldStop = () => failure !== null || stopping?.aborted === true || context.cancellationSignal.aborted;

      let sent = 0;
      let skipped = 0;
      let failed = 0;
      /** Synchronous bounces by mail-log row, recorded with their group's outcomes. */
      const bounces = new Map<string, { contactId: string; messageRef: string; bounce: SmtpBounce; at: Date }>();
      const outcomes = createOutcomeBuffer({
        bound: concurrency,
        async write(items) {
          await writeCampaignOutcomes(db, campaign.id, items);
          for (const item of items) {
            const bounce = bounces.get(item.messageRowId);
            if (!bounce) continue;
            await recordSyncBounce(db, { ...bounce, campaignId: campaign.id });
            bounces.delete(item.messageRowId);
          }
        },
        onWritten: beat,
      });

      /** One window: the pre-send check, the decisions and skips recorded, the mail-log rows written. */
      const prepareWindow = async (window: string[]) => {
        // The pre-send check: the facts are read from here on; the decisions are as of this instant.
        const decidedAt = now();
        const people = await readSubjects(db, config.suppressionKey, window);
        const decisions: { contactId: string; decision: Decision }[] = [];
        const skips: { contactId: string; reasonCodes: string[] }[] = [];
        const sends: { contactId: string; person: SubjectRecord; decision: AllowedDecision }[] = [];
        for (const contactId of window) {
          const person = people.get(contactId);
          if (!person) {
            skips.push({ contactId, reasonCodes: ['SUBJECT_ERASED'] });
            continue;
          }
          const decision = decide(
            { subject: person.subject, purpose, channel, action: 'send', now: decidedAt.toISOString() },
            { sha256Hex },
          );
          decisions.push({ contactId, decision });
          if (!decision.allowed) skips.push({ contactId, reasonCodes: decision.reasons.map((r) => r.code) });
          else if (person.emailUndeliverableAt !== null && channel === 'email')
            skips.push({ contactId, reasonCodes: [ADDRESS_UNDELIVERABLE] });
          else sends.push({ contactId, person, decision });
        }
        // Three independent writes at once; each is one statement whose rows travel as one array
        // per column (`unnest`): the statement's text and plan are the same for any window size, and
        // no per-row parameters are built or bound.
        const decided = decidedAt.toISOString();
        const [, , inserted] = await Promise.all([
          decisions.length === 0
            ? null
            : db.$executeRaw`
                INSERT INTO policy_decision (id, contact_id, purpose_id, channel, action, allowed, legal_basis, reason_codes,
                  policy_version, input_digest, decided_by, decided_at)
                SELECT gen_random_uuid(), d.contact_id, d.purpose_id, d.channel, d.action, d.allowed, d.legal_basis::"LegalBasis",
                  -- reason codes travel as one space-joined text per row (a text[][] cannot be ragged); codes hold no spaces
                  CASE WHEN d.reasons = '' THEN '{}'::text[] ELSE string_to_array(d.reasons, ' ') END,
                  d.policy_version, d.input_digest, ${decidedBy}, ${decided}::timestamptz
                FROM unnest(
                  ${decisions.map((d) => d.contactId)}::uuid[], ${decisions.map((d) => d.decision.purposeId)}::text[],
                  ${decisions.map((d) => d.decision.channel)}::text[], ${decisions.map((d) => d.decision.action)}::text[],
                  ${decisions.map((d) => d.decision.allowed)}::boolean[], ${decisions.map((d) => d.decision.grounds?.legalBasis ?? null)}::text[],
                  ${decisions.map((d) => reasonList(d.decision))}::text[], ${decisions.map((d) => d.decision.policyVersion)}::text[],
                  ${decisions.map((d) => d.decision.inputDigest)}::text[]
                ) AS d(contact_id, purpose_id, channel, action, allowed, legal_basis, reasons, policy_version, input_digest)`,
          skips.length === 0
            ? null
            : db.$executeRaw`
                UPDATE campaign_recipient r SET outcome = 'skipped', reason_codes = CASE WHEN v.reasons = '' THEN '{}'::text[] ELSE string_to_array(v.reasons, ' ') END,
                  decided_at = ${decided}::timestamptz
                FROM unnest(${skips.map((k) => k.contactId)}::uuid[], ${skips.map((k) => joinCodes(k.reasonCodes))}::text[]) AS v(contact_id, reasons)
                WHERE r.campaign_id = ${campaign.id}::uuid AND r.contact_id = v.contact_id`,
          // The mail log first: a row per message, keyed by (campaign, contact), so that a retried
          // batch finds what was sent and never sends it again.
          sends.length === 0
            ? []
            : db.$queryRaw<MessageRow[]>`
                INSERT INTO message (id, idempotency_key, message_id, contact_id, purpose_id, channel, kind, status)
                SELECT gen_random_uuid(), m.idempotency_key, m.message_id, m.contact_id, ${purpose.id}, ${channel}, 'campaign', 'sending'
                FROM unnest(
                  ${sends.map((x) => keyOf(x.contactId))}::text[], ${sends.map((x) => messageIdFor(keyOf(x.contactId), config.mailDomain))}::text[],
                  ${sends.map((x) => x.contactId)}::uuid[]
                ) AS m(idempotency_key, message_id, contact_id)
                ON CONFLICT DO NOTHING
                RETURNING ${MESSAGE_ROW_COLUMNS}`,
        ]);
        skipped += skips.length;
        const logged = new Map(inserted.map((m) => [m.idempotencyKey, m]));
        const earlier = sends.filter((x) => !logged.has(keyOf(x.contactId)));
        if (earlier.length > 0) {
          // Rows of an earlier attempt of this batch: their messages may have been sent already.
          const rows = await db.message.findMany({
            where: { idempotencyKey: { in: earlier.map((x) => keyOf(x.contactId)) } },
            select: MESSAGE_ROW_SELECT,
          });
          for (const row of rows) logged.set(row.idempotencyKey, row);
          const final = rows.filter((row) => row.status !== 'sending');
          // Answered before (sent, or refused for good): record that outcome, never send again.
          await writeCampaignOutcomes(
            db,
            campaign.id,
            final.map((row) => ({
              messageRowId: row.id,
              contactId: row.contactId,
              outcome: row.status === 'sent' ? 'sent' : syncBounceOf(row.smtpResponse) ? 'bounced' : 'failed',
              smtpResponse: row.smtpResponse,
              messageId: row.messageId,
              decidedAt,
              answeredAt: row.sentAt ?? decidedAt,
            })),
          );
          for (const row of final) {
            if (row.status === 'sent') sent++;
            else failed++;
          }
        }
        // Open and click tracking where the campaign asks for it and each recipient's consent covers it.
        const toSend = sends.flatMap((x) => {
          const row = logged.get(keyOf(x.contactId));
          if (!row) throw new Error('the mail log row of a campaign message is missing');
          return row.status === 'sending' ? [{ ...x, row, decidedAt }] : [];
        });
        const tracker =
          campaign.track && channel === 'email' && toSend.length > 0
            ? await trackingFor(
                { db, config, now, sha256Hex },
                { contactIds: toSend.map((x) => x.contactId), campaignId: campaign.id, decidedBy, subjects: people },
              )
            : null;
        beat();
        return toSend.map((x) => ({ ...x, tracker }));
      };

      const batchStart = Date.now();
      const rate = () => {
        const seconds = (Date.now() - batchStart) / 1000;
        return seconds < 1 ? (rates.get(campaign.id) ?? 0) : (sent + failed) / seconds;
      };
      const windowSize = () => Math.min(maxWindow, Math.max(CAMPAIGN_WINDOW.min, Math.round(rate() * WINDOW_SECONDS)));
      const pipeline = createWindowPipeline({ items: pending, windowSize, prepare: prepareWindow, shouldStop });

      /** One sender: takes the next ready recipient, waits for room under the bound, sends, hands the answer over. */
      const sender = async () => {
        while (!shouldStop()) {
          const next = await pipeline.take();
          if (next === null) return;
          const { contactId, person, decision, row, decidedAt, tracker } = next;
          await outcomes.acquire();
          if (shouldStop()) {
            outcomes.release();
            return;
          }
          let answer: { outcome: 'sent' | 'failed' | 'bounced'; smtpResponse: string | null } | null = null;
          try {
            const links = marketingLinks(config, { contactId, purposeId: purpose.id, channel, messageRef: row.id });
            const rendered = template.render({ personal: personalValues(person, personalKeys), system: links.system });
            if (tracker) rendered.html = await tracker.apply({ contactId, messageRef: row.id, html: rendered.html, system: links.system });
            try {
              const result = await mailer.send(decision, {
                to: person.email,
                ...rendered,
                messageId: row.messageId,
                unsubscribe: links.unsubscribe,
              });
              answer = { outcome: 'sent', smtpResponse: result.response };
            } catch (error) {
              // A permanent refusal is this recipient's outcome; anything else fails the batch for a retry.
              const smtpResponse = permanentRefusal(error);
              // A refused recipient (5.1.x, 5.2.x) is a synchronous bounce; a refused message stays failed.
              const bounce = syncBounceOf(smtpResponse);
              if (bounce) bounces.set(row.id, { contactId, messageRef: row.id, bounce, at: now() });
              answer = { outcome: bounce ? 'bounced' : 'failed', smtpResponse };
            }
          } finally {
            if (answer === null) outcomes.release();
            else {
              outcomes.answer({ messageRowId: row.id, contactId, ...answer, messageId: row.messageId, decidedAt, answeredAt: now() });
              if (answer.outcome === 'sent') sent++;
              else failed++;
            }
          }
        }
      };
      try {
        await Promise.all(
          Array.from({ length: Math.min(concurrency, pending.length) }, () =>
            sender().catch((error: unknown) => {
              failure ??= error instanceof Error ? error : new Error(String(error));
            }),
          ),
        );
        // Whatever happened, the answers that came back are recorded before the attempt ends.
        await pipeline.settle();
        await outcomes.drain();
      } finally {
        clearInterval(beating);
      }
      // (Set by a sender's callback: the compiler's narrowing cannot see it.)
      if (failure !== null) throw failure as Error;
      // Cancelled (the workflow's cancel, a lost heartbeat): what was in flight is recorded; confirm it.
      if (context.cancellationSignal.aborted) {
        const reason: unknown = context.cancellationSignal.reason;
        throw reason instanceof Error ? reason : new CancelledFailure('sendCampaignBatch cancelled');
      }

      if (stopping?.aborted === true && sent + failed + skipped === 0 && pending.length > 0) {
        // Stopping before this batch began: fail the attempt, so that it is retried after a pause
        // elsewhere rather than returned at once and scheduled again and again on the way out.
        throw ApplicationFailure.retryable('the worker is stopping', 'WorkerStopping');
      }
      if (Date.now() - batchStart >= 1_000) rates.set(campaign.id, rate());
      const remaining = await db.campaignRecipient.count({ where: { campaignId: campaign.id, outcome: 'pending' } });
      return { sent, skipped, failed, remaining };
    },

    /** The end: a cancelled campaign's remaining recipients are skipped with that reason, so each has one outcome. */
    async finishCampaign(input: { campaignId: string; outcome: 'completed' | 'cancelled' }): Promise<{ skippedAsCancelled: number }> {
      return db.$transaction(async (tx) => {
        const skipped =
          input.outcome === 'cancelled'
            ? await tx.campaignRecipient.updateMany({
                where: { campaignId: input.campaignId, outcome: 'pending' },
                data: { outcome: 'skipped', reasonCodes: [CAMPAIGN_CANCELLED], decidedAt: now() },
              })
            : { count: 0 };
        await tx.campaign.update({ where: { id: input.campaignId }, data: { status: input.outcome, finishedAt: now() } });
        prepared.delete(input.campaignId);
        cursors.delete(input.campaignId);
        rates.delete(input.campaignId);
        return { skippedAsCancelled: skipped.count };
      });
    },
  };
}
