import { LEDGER_FOLD_ARGS, Prisma, type Db } from '@zweck/db';
import type { readDecisionFacts } from '@zweck/decision-facts';
import { ZJourneyDefinition, type JourneyDefinition, type JourneyExitReason } from '@zweck/journeys';
import { checkTemplate, prepareTemplate, type OutgoingMessage } from '@zweck/mail';
import { consentAt, foldLedger, toLedgerEvent, type AllowedDecision, type Channel } from '@zweck/policy';
import { compileSegment, readSegmentDefinition, ZSegmentDefinition, type Condition, type LifecycleStage } from '@zweck/segments';
import type { ActivitiesConfig, SendOutcome } from './activities.ts';
import { marketingLinks, personalKeysFor, personalValues } from './marketing-mail.ts';
import { trackingFor } from './tracking.ts';

/** The send gate and the once-only sender of `createActivities`, shared so that every mail passes the same two. */
export interface MailGate {
  gate: (
    contactId: string,
    purposeId: string,
    channel: Channel,
    decidedBy: string,
  ) => Promise<
    | { allowed: true; facts: NonNullable<Awaited<ReturnType<typeof readDecisionFacts>>>; decision: AllowedDecision }
    | { allowed: false; skipped: SendOutcome }
  >;
  sendOnce: (
    input: { contactId: string; purposeId: string; channel: Channel; kind: string; idempotencyKey: string; decision: AllowedDecision },
    build: (messageRef: string) => Omit<OutgoingMessage, 'messageId'> | Promise<Omit<OutgoingMessage, 'messageId'>>,
  ) => Promise<SendOutcome>;
}

export interface JourneyActivityDeps extends MailGate {
  db: Db;
  config: ActivitiesConfig;
  now: () => Date;
}

/** Why the exit rules end an enrolment before a step (or when the person's consent changes). */
export type JourneyRuleExit = Extract<JourneyExitReason, 'withdrew' | 'objected' | 'restricted' | 'erased' | 'converted' | 'cancelled'>;

/** The exit rules' view of one enrolment: the journey's purpose and the marketer's conversion stages. */
export interface JourneyExitCheck {
  enrollmentId: string;
  contactId: string;
  purposeId: string;
  conversionStages: LifecycleStage[];
}

/** The channel journeys send on; the exit rule for withdrawal reads the journey purpose's consent on it. */
const JOURNEY_CHANNEL: Channel = 'email';

/** Skip reasons of a send step beside the policy's reason codes. */
const ADDRESS_UNDELIVERABLE = 'ADDRESS_UNDELIVERABLE';
const TEMPLATE_NOT_FOUND = 'TEMPLATE_NOT_FOUND';
const TEMPLATE_NOT_FOR_MARKETING = 'TEMPLATE_NOT_FOR_MARKETING';
const TEMPLATE_INVALID = 'TEMPLATE_INVALID';

/** Members enrolled per page of a segment trigger, at most. */
const MAX_TRIGGER_PAGE = 500;

export type SegmentTriggerPage =
  | { state: 'journey_inactive' | 'not_segment_trigger' }
  | {
      state: 'enrolled';
      journeyVersionId: string;
      enrolled: { enrollmentId: string; contactId: string }[];
      lastContactId: string | null;
      done: boolean;
    };

export function createJourneyActivities({ db, config, now, gate, sendOnce }: JourneyActivityDeps) {
  /**
   * The exit rules for one person, read fresh (Art. 17, 18, 21 GDPR and the marketer's conversion):
   * erased or erasure pending, restricted, objected to direct marketing, withdrew the journey's
   * purpose, reached a conversion stage. Null: the enrolment goes on.
   */
  async function exitFor(check: JourneyExitCheck): Promise<JourneyRuleExit | null> {
    const contact = await db.contact.findUnique({ where: { id: check.contactId }, select: { status: true, lifecycleStage: true } });
    if (!contact || contact.status === 'erased' || contact.status === 'erasure_pending') return 'erased';
    if (contact.status === 'restricted') return 'restricted';
    const events = await db.consentEvent.findMany({ where: { contactId: check.contactId }, ...LEDGER_FOLD_ARGS });
    const consents = foldLedger(events.map(toLedgerEvent));
    if (consents.objectedToDirectMarketingAt !== null) return 'objected';
    if (consentAt(consents, check.purposeId, JOURNEY_CHANNEL, now().toISOString()).status === 'withdrawn') return 'withdrew';
    if (check.conversionStages.includes(contact.lifecycleStage)) return 'converted';
    return null;
  }

  return {
    /** The version's definition (IDs and marketing structure only), and whether the enrolment still runs. */
    async loadJourneyDefinition(input: {
      enrollmentId: string;
      journeyVersionId: string;
    }): Promise<{ active: boolean; definition: JourneyDefinition }> {
      const [version, enrollment] = await Promise.all([
        db.journeyVersion.findUniqueOrThrow({ where: { id: input.journeyVersionId }, select: { definition: true } }),
        db.journeyEnrollment.findUnique({ where: { id: input.enrollmentId }, select: { status: true } }),
      ]);
      return { active: enrollment?.status === 'active', definition: ZJourneyDefinition.parse(version.definition) };
    },

    /**
     * Before a step: the exit rules, then the enrolment's position (step and since when), so that
     * the designer counts contacts per step. An enrolment that staff ended meanwhile reads as
     * cancelled.
     */
    async enterJourneyStep(input: JourneyExitCheck & { stepId: string }): Promise<{ exit: JourneyRuleExit | null }> {
      const exit = await exitFor(input);
      if (exit !== null) return { exit };
      const moved = await db.journeyEnrollment.updateMany({
        where: { id: input.enrollmentId, status: 'active' },
        data: { currentStepId: input.stepId, stepEnteredAt: now() },
      });
      return { exit: moved.count === 0 ? 'cancelled' : null };
    },

    /** The exit rules alone, when the person's consent changed during a wait. */
    async checkJourneyExit(input: JourneyExitCheck): Promise<{ exit: JourneyRuleExit | null }> {
      return { exit: await exitFor(input) };
    },

    /**
     * A send step: a fresh read and the policy's decision under the step's purpose (recorded), then
     * at most one message per (enrolment, step) with the Message-ID derived from the key. The
     * template must suit the purpose: a direct-marketing purpose sends only a marketing template,
     * whose footer carries the unsubscribe, preference and privacy links and the imprint. With
     * `track`, opens and clicks are tracked only where the person's consent to tracking covers it
     * (`trackingFor` asks the policy and records its answer); everyone else gets plain links.
     */
    async sendJourneyMail(input: {
      enrollmentId: string;
      stepId: string;
      contactId: string;
      templateId: string;
      purposeId: string;
      channel: 'email';
      track: boolean;
      idempotencyKey: string;
    }): Promise<SendOutcome> {
      // Sent before (a retry after the answer was lost): report it, whatever the consent says now.
      const earlier = await db.message.findUnique({ where: { idempotencyKey: input.idempotencyKey }, select: { id: true, status: true } });
      if (earlier?.status === 'sent') return { outcome: 'sent', messageRef: earlier.id };

      const decidedBy = `activity:sendJourneyMail:${input.enrollmentId}:${input.stepId}`;
      const gated = await gate(input.contactId, input.purposeId, input.channel, decidedBy);
      if (!gated.allowed) return gated.skipped;
      const { facts, decision } = gated;
      const skip = (code: string): SendOutcome => ({ outcome: 'skipped', reasonCodes: [code], decidedBy: 'activity' });
      if (facts.emailUndeliverableAt !== null) return skip(ADDRESS_UNDELIVERABLE);

      const template = await db.template.findUnique({
        where: { id: input.templateId },
        select: { kind: true, subject: true, html: true, text: true },
      });
      if (!template) return skip(TEMPLATE_NOT_FOUND);
      if (facts.purpose.isDirectMarketing && template.kind !== 'marketing') return skip(TEMPLATE_NOT_FOR_MARKETING);
      const fields = await db.purposeField.findMany({ where: { purposeId: input.purposeId }, select: { fieldKey: true } });
      const personalKeys = await personalKeysFor(
        db,
        fields.map((f) => f.fieldKey),
      );
      if (!checkTemplate(template, { personalKeys }).ok) return skip(TEMPLATE_INVALID);
      const prepared = prepareTemplate(template, { personalKeys });
      const tracker = input.track
        ? await trackingFor(
            { db, config, now },
            {
              contactIds: [input.contactId],
              campaignId: null,
              decidedBy,
              subjects: new Map([[input.contactId, { subject: facts.subject }]]),
            },
          )
        : null;

      return sendOnce(
        {
          contactId: input.contactId,
          purposeId: input.purposeId,
          channel: input.channel,
          kind: 'journey',
          idempotencyKey: input.idempotencyKey,
          decision,
        },
        async (messageRef) => {
          const links = marketingLinks(config, {
            contactId: input.contactId,
            purposeId: input.purposeId,
            channel: input.channel,
            messageRef,
          });
          const rendered = prepared.render({ personal: personalValues(facts, personalKeys), system: links.system });
          if (tracker)
            rendered.html = await tracker.apply({ contactId: input.contactId, messageRef, html: rendered.html, system: links.system });
          return { to: facts.email, ...rendered, unsubscribe: links.unsubscribe };
        },
      );
    },

    /** A branch step: the step's segment conditions, evaluated for this one contact with the segment compiler. */
    async evaluateJourneyBranch(input: {
      contactId: string;
      match: 'all' | 'any';
      conditions: Condition[];
    }): Promise<{ matched: boolean }> {
      const where = compileSegment(ZSegmentDefinition.parse({ version: 1, match: input.match, conditions: input.conditions }), {
        now: now(),
      });
      const [row] = await db.$queryRaw<{ matched: boolean }[]>`
        SELECT EXISTS (SELECT 1 FROM contact c WHERE c.id = ${input.contactId}::uuid AND ${where}) AS matched`;
      return { matched: row?.matched ?? false };
    },

    /** The end of an enrolment: why, at which step, when. Written once: a repeated call changes nothing. */
    async finishJourneyEnrollment(input: { enrollmentId: string; reason: JourneyExitReason; stepId: string | null }): Promise<void> {
      await db.journeyEnrollment.updateMany({
        where: { id: input.enrollmentId, status: 'active' },
        data: { status: 'exited', exitReason: input.reason, exitStepId: input.stepId, exitedAt: now(), currentStepId: null },
      });
    },

    /**
     * One page of a segment trigger: the journey's latest published version, and the segment's
     * members after the cursor that were never enrolled in this journey, enrolled now (one row
     * each; the partial unique index keeps one active enrolment per journey and contact). Only
     * active contacts enter. The caller starts one journey workflow per returned enrolment.
     */
    async enrollJourneySegmentPage(input: {
      journeyId: string;
      afterContactId: string | null;
      limit: number;
    }): Promise<SegmentTriggerPage> {
      const journey = await db.journey.findUnique({
        where: { id: input.journeyId },
        select: { status: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, definition: true } } },
      });
      const version = journey?.versions[0];
      if (!journey || journey.status !== 'active' || !version) return { state: 'journey_inactive' };
      const definition = ZJourneyDefinition.parse(version.definition);
      if (definition.trigger.type !== 'segment_entry') return { state: 'not_segment_trigger' };
      const limit = Math.min(Math.max(1, input.limit), MAX_TRIGGER_PAGE);
      const where = compileSegment(await readSegmentDefinition(db, definition.trigger.segmentId), { now: now() });
      const after = input.afterContactId === null ? Prisma.empty : Prisma.sql` AND c.id > ${input.afterContactId}::uuid`;
      const rows = await db.$queryRaw<
        { last: string | null; seen: number; enrolled: { enrollmentId: string; contactId: string }[] | null }[]
      >`
        WITH page AS (
          SELECT c.id FROM contact c
          WHERE ${where}${after} AND c.status = 'active'::"ContactStatus"
            AND NOT EXISTS (SELECT 1 FROM journey_enrollment e WHERE e.journey_id = ${input.journeyId}::uuid AND e.contact_id = c.id)
          ORDER BY c.id LIMIT ${limit}::int
        ), inserted AS (
          INSERT INTO journey_enrollment (id, journey_id, journey_version_id, contact_id, workflow_id)
          SELECT gen_random_uuid(), ${input.journeyId}::uuid, ${version.id}::uuid, id, 'journey:' || ${input.journeyId}::text || ':' || id::text
          FROM page
          ON CONFLICT DO NOTHING
          RETURNING id, contact_id
        )
        SELECT (SELECT id::text FROM page ORDER BY id DESC LIMIT 1) AS last,
               (SELECT count(*)::int FROM page) AS seen,
               (SELECT json_agg(json_build_object('enrollmentId', id::text, 'contactId', contact_id::text) ORDER BY contact_id) FROM inserted) AS enrolled`;
      const row = rows[0];
      return {
        state: 'enrolled',
        journeyVersionId: version.id,
        enrolled: row?.enrolled ?? [],
        lastContactId: row?.last ?? null,
        done: (row?.seen ?? 0) < limit,
      };
    },
  };
}
