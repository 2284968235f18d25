import { Context } from '@temporalio/activity';
import { Prisma, type Db } from '@zweck/db';
import { PURPOSE_RULE_SELECT, readSubjects, toPurposeRule, type SubjectRecord } from '@zweck/decision-facts';
import { createPreferencesToken, createUnsubscribeToken, unsubscribeMailto } from '@zweck/mail/unsubscribe-token';
import { checkTemplate, messageIdFor, prepareTemplate, type Mailer, type PreparedTemplate, type SenderIdentity } from '@zweck/mail';
import { decide, ZChannel, type AllowedDecision, type Channel, type Decision } from '@zweck/policy';
import { compileSegment, readSegmentDefinition } from '@zweck/segments';
import { permanentRefusal } from './activities.ts';

export interface CampaignActivityDeps {
  db: Db;
  config: { publicUrl: string; mailDomain: string; unsubscribeSecret: string; suppressionKey: string; sender: SenderIdentity };
  now: () => Date;
  mailer: Mailer;
  sha256Hex: (text: string) => string;
  /** Messages in flight at once per batch: at most the SMTP pool's size is useful. */
  concurrency: number;
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
  template: { select: { kind: true, subject: true, html: true, text: true } },
  purpose: { select: { ...PURPOSE_RULE_SELECT, fields: { select: { fieldKey: true } } } },
} satisfies Prisma.CampaignSelect;

/** The personal placeholders a campaign may fill: the purpose's fields, without free text (Art. 5(1)(c)). */
async function personalKeysFor(db: Db, fieldKeys: readonly string[]): Promise<string[]> {
  const fields = await db.fieldDefinition.findMany({
    where: { key: { in: [...fieldKeys] }, type: { not: 'free_text' } },
    select: { key: true },
  });
  return fields.map((f) => f.key);
}

const personalValues = (person: SubjectRecord, keys: readonly string[]): Record<string, string | null> => {
  const attributes =
    person.attributes !== null && typeof person.attributes === 'object' && !Array.isArray(person.attributes) ? person.attributes : {};
  const builtin: Record<string, string | null> = {
    email: person.email,
    first_name: person.firstName,
    last_name: person.lastName,
    organization: person.organization,
  };
  return Object.fromEntries(
    keys.map((key) => {
      const value = Object.hasOwn(builtin, key) ? builtin[key] : (attributes as Record<string, unknown>)[key];
      return [key, typeof value === 'string' ? value : null];
    }),
  );
};

/** Run `work` over `items` with at most `limit` in flight (a bounded pool; no library needed for ten lines). */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export function createCampaignActivities({ db, mailer, config, now, sha256Hex, concurrency }: CampaignActivityDeps) {
  const baseUrl = config.publicUrl.replace(/\/$/, '');

  const loadCampaign = (campaignId: string) => db.campaign.findUnique({ where: { id: campaignId }, select: CAMPAIGN_SELECT });

  /** One prepared template per campaign and activity process: checked once, rendered per recipient. */
  const prepared = new Map<string, { template: PreparedTemplate; personalKeys: string[] }>();

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
     * Send to the next `limit` pending recipients. For each: a fresh read, the policy's decision
     * (recorded), then at most one message per (campaign, contact) through the pooled transport
     * with a bounded number in flight; every recipient leaves with exactly one outcome.
     */
    async sendCampaignBatch(input: {
      campaignId: string;
      limit: number;
    }): Promise<{ sent: number; skipped: number; failed: number; remaining: number }> {
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

      const pending = await db.campaignRecipient.findMany({
        where: { campaignId: campaign.id, outcome: 'pending' },
        select: { contactId: true },
        orderBy: { contactId: 'asc' },
        take: input.limit,
      });
      // The pre-send check: read now, right before this batch's messages go out.
      const people = await readSubjects(
        db,
        config.suppressionKey,
        pending.map((p) => p.contactId),
      );
      const decidedAt = now();
      const decisions: { contactId: string; decision: Decision }[] = [];
      const skips: { contactId: string; reasonCodes: string[] }[] = [];
      const sends: { contactId: string; person: SubjectRecord; decision: AllowedDecision }[] = [];
      for (const { contactId } of pending) {
        const person = people.get(contactId);
        if (!person) {
          skips.push({ contactId, reasonCodes: ['SUBJECT_ERASED'] });
          continue;
        }
        const decision = decide({ subject: person.subject, purpose, channel, action: 'send', now: decidedAt.toISOString() }, { sha256Hex });
        decisions.push({ contactId, decision });
        if (!decision.allowed) skips.push({ contactId, reasonCodes: decision.reasons.map((r) => r.code) });
        else if (person.emailUndeliverableAt !== null && channel === 'email')
          skips.push({ contactId, reasonCodes: [ADDRESS_UNDELIVERABLE] });
        else sends.push({ contactId, person, decision });
      }
      await db.policyDecision.createMany({
        data: decisions.map(({ contactId, decision }) => ({
          contactId,
          purposeId: decision.purposeId,
          channel: decision.channel,
          action: decision.action,
          allowed: decision.allowed,
          legalBasis: decision.grounds?.legalBasis ?? null,
          reasonCodes: decision.reasons.map((r) => r.code),
          policyVersion: decision.policyVersion,
          inputDigest: decision.inputDigest,
          decidedBy: `activity:sendCampaignBatch:${campaign.id}`,
          decidedAt,
        })),
      });
      if (skips.length > 0) {
        const values = Prisma.join(skips.map((k) => Prisma.sql`(${k.contactId}::uuid, ${k.reasonCodes}::text[])`));
        await db.$executeRaw`
          UPDATE campaign_recipient r SET outcome = 'skipped', reason_codes = v.codes, decided_at = ${decidedAt}
          FROM (VALUES ${values}) AS v(contact_id, codes)
          WHERE r.campaign_id = ${campaign.id}::uuid AND r.contact_id = v.contact_id`;
      }

      // The mail log first, in one statement: a row per message, keyed by (campaign, contact), so
      // that a retried batch finds what was sent and never sends it again.
      const keyOf = (contactId: string) => campaignIdempotencyKey(campaign.id, contactId);
      await db.message.createMany({
        data: sends.map(({ contactId }) => ({
          idempotencyKey: keyOf(contactId),
          messageId: messageIdFor(keyOf(contactId), config.mailDomain),
          contactId,
          purposeId: purpose.id,
          channel,
          kind: 'campaign',
          status: 'sending' as const,
        })),
        skipDuplicates: true,
      });
      const logged = new Map(
        (
          await db.message.findMany({
            where: { idempotencyKey: { in: sends.map((x) => keyOf(x.contactId)) } },
            select: { id: true, idempotencyKey: true, messageId: true, status: true, smtpResponse: true },
          })
        ).map((m) => [m.idempotencyKey, m]),
      );

      /** The message's and the recipient's outcome in one round trip, right after the SMTP answer. */
      const settle = (
        messageRowId: string,
        contactId: string,
        outcome: 'sent' | 'failed',
        smtpResponse: string | null,
        messageId: string,
      ) =>
        db.$executeRaw`
          WITH m AS (
            UPDATE message SET status = ${outcome}::"MessageStatus", smtp_response = ${smtpResponse},
              sent_at = CASE WHEN ${outcome} = 'sent' THEN ${now()}::timestamptz ELSE NULL END
            WHERE id = ${messageRowId}::uuid
          )
          UPDATE campaign_recipient SET outcome = ${outcome}::"RecipientOutcome", decided_at = ${decidedAt},
            sent_at = CASE WHEN ${outcome} = 'sent' THEN ${now()}::timestamptz ELSE NULL END,
            message_id = ${messageId}, smtp_response = ${outcome === 'failed' ? smtpResponse : null}
          WHERE campaign_id = ${campaign.id}::uuid AND contact_id = ${contactId}::uuid`;

      let sent = 0;
      let failed = 0;
      const context = Context.current();
      await inPool(sends, concurrency, async ({ contactId, person, decision }) => {
        const row = logged.get(keyOf(contactId));
        if (!row) throw new Error('the mail log row of a campaign message is missing');
        if (row.status !== 'sending') {
          // Sent (or refused for good) before a retry of this batch: record it, do not send again.
          if (row.status === 'sent') sent++;
          else failed++;
          await settle(row.id, contactId, row.status, row.smtpResponse, row.messageId);
          return;
        }
        const token = createUnsubscribeToken(config.unsubscribeSecret, { c: contactId, p: purpose.id, ch: channel, m: row.id });
        const unsubscribeUrl = `${baseUrl}/u/${token}`;
        const rendered = template.render({
          personal: personalValues(person, personalKeys),
          system: {
            unsubscribeUrl,
            preferencesUrl: `${baseUrl}/preferences/${createPreferencesToken(config.unsubscribeSecret, { c: contactId })}`,
            privacyNoticeUrl: config.sender.privacyNoticeUrl,
            imprint: config.sender.imprint,
          },
        });
        try {
          const result = await mailer.send(decision, {
            to: person.email,
            ...rendered,
            messageId: row.messageId,
            unsubscribe: { url: unsubscribeUrl, mailto: unsubscribeMailto(config.mailDomain, token) },
          });
          await settle(row.id, contactId, 'sent', result.response, row.messageId);
          sent++;
        } catch (error) {
          // A permanent refusal is this recipient's outcome; anything else fails the batch for a retry.
          await settle(row.id, contactId, 'failed', permanentRefusal(error), row.messageId);
          failed++;
        }
        context.heartbeat();
      });

      const remaining = await db.campaignRecipient.count({ where: { campaignId: campaign.id, outcome: 'pending' } });
      return { sent, skipped: skips.length, failed, remaining };
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
        return { skippedAsCancelled: skipped.count };
      });
    },
  };
}
