import { createHash, randomUUID } from 'node:crypto';
import { isUniqueViolation, type Db, type Prisma } from '@zweck/db';
import { readDecisionFacts } from '@zweck/decision-facts';
import { decide } from '@zweck/policy';
import { recordDecision } from './decisions.ts';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const DAY_MS = 86_400_000;

/**
 * A change of a contact's lead score: from a journey's score step or from a marketer's scoring
 * rule matching an interaction or an API event. The same shape as the workflow contract
 * `ScoreChangeRequest` (this package cannot import workflow code; the types are checked where
 * the activity passes one to the other).
 */
export interface ScoreChangeInput {
  contactId: string;
  purposeId: string;
  points: number;
  reason: string;
  source: { kind: 'journey'; enrollmentId: string; stepId: string } | { kind: 'rule'; ruleId: string; interactionId: string };
}

export type ScoreChangeOutcome =
  { applied: true; scoreEventId: string; score: number; crossedThreshold: boolean } | { applied: false; reasonCodes: string[] };

export interface ScoringDeps {
  db: Db;
  /** The installation's suppression key: the policy's facts include the suppression check. */
  suppressionKey: string;
}

/** Points that halve every `halfLifeDays` days; null: they never decay. Future events count in full. */
export function decayedPoints(points: number, halfLifeDays: number | null, occurredAt: Date, now: Date): number {
  if (halfLifeDays === null) return points;
  const ageDays = Math.max(0, now.getTime() - occurredAt.getTime()) / DAY_MS;
  return points * 0.5 ** (ageDays / halfLifeDays);
}

export interface ScoredEvent {
  points: number;
  halfLifeDays: number | null;
  occurredAt: Date;
}

/** The score at `now`: the sum of every change's decayed points. */
export const scoreAt = (events: readonly ScoredEvent[], now: Date): number =>
  events.reduce((sum, e) => sum + decayedPoints(e.points, e.halfLifeDays, e.occurredAt, now), 0);

/** The handoff's settings (one row, created by the migration; recreated with the defaults if missing). */
export async function readLeadSettings(db: Pick<Prisma.TransactionClient, 'leadSettings'>) {
  return db.leadSettings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
}

const idempotencyKeyOf = (input: ScoreChangeInput): string =>
  input.source.kind === 'rule'
    ? `rule:${input.source.ruleId}:${input.source.interactionId}`
    : `journey:${input.source.enrollmentId}:${input.source.stepId}`;

/**
 * Change a contact's lead score, if the policy allows profiling them under the request's purpose.
 * Scoring is profiling: only consent carries it (Art. 6(1)(a), 21, 22 GDPR; legitimate interest
 * does not), so a contact without consent to `lead_scoring` gets a recorded NO_CONSENT decision
 * and no score change. The decision is recorded either way, and an allowed change names it.
 *
 * Serialised per contact (row lock), so that two changes landing together see each other and
 * exactly one of them reports the crossing of the threshold (before < threshold <= after).
 * Idempotent per rule and interaction, or per journey step and enrolment: a retry returns the
 * change already written and never reports a crossing twice.
 */
export async function applyScoreChange(
  deps: ScoringDeps,
  input: ScoreChangeInput,
  options: { now: Date; decidedBy: string },
): Promise<ScoreChangeOutcome> {
  const { db } = deps;
  const { now } = options;
  const idempotencyKey = idempotencyKeyOf(input);
  const existing = await db.scoreEvent.findUnique({ where: { idempotencyKey }, select: { id: true } });
  if (existing) {
    const events = await db.scoreEvent.findMany({ where: { contactId: input.contactId }, select: SCORED_EVENT_SELECT });
    return { applied: true, scoreEventId: existing.id, score: scoreAt(events, now), crossedThreshold: false };
  }

  const facts = await readDecisionFacts(db, deps.suppressionKey, input.contactId, input.purposeId);
  if (facts === null) return { applied: false, reasonCodes: ['SUBJECT_ERASED'] };
  // Consent to profiling is given per channel like every consent; the purpose's first channel is the one it was asked on.
  const [channel] = facts.purpose.channels;
  if (channel === undefined) return { applied: false, reasonCodes: ['CHANNEL_NOT_IN_PURPOSE'] };
  const decision = decide(
    { subject: facts.subject, purpose: facts.purpose, channel, action: 'profile', now: now.toISOString() },
    { sha256Hex },
  );

  const halfLifeDays =
    input.source.kind === 'rule'
      ? ((await db.scoringRule.findUnique({ where: { id: input.source.ruleId }, select: { halfLifeDays: true } }))?.halfLifeDays ?? null)
      : null;

  try {
    return await db.$transaction(async (tx) => {
      const decisionId = await recordDecision(tx, input.contactId, decision, options.decidedBy);
      if (!decision.allowed) return { applied: false, reasonCodes: decision.reasons.map((r) => r.code) };

      await tx.$queryRaw`SELECT id FROM contact WHERE id = ${input.contactId}::uuid FOR UPDATE`;
      const events = await tx.scoreEvent.findMany({ where: { contactId: input.contactId }, select: SCORED_EVENT_SELECT });
      const before = scoreAt(events, now);
      const id = randomUUID();
      await tx.scoreEvent.create({
        data: {
          id,
          contactId: input.contactId,
          points: input.points,
          halfLifeDays,
          reason: input.reason,
          ruleId: input.source.kind === 'rule' ? input.source.ruleId : null,
          interactionId: input.source.kind === 'rule' ? input.source.interactionId : null,
          journeyEnrollmentId: input.source.kind === 'journey' ? input.source.enrollmentId : null,
          journeyStepId: input.source.kind === 'journey' ? input.source.stepId : null,
          decisionId,
          idempotencyKey,
          occurredAt: now,
        },
      });
      const after = before + input.points;
      const { threshold } = await readLeadSettings(tx);
      return { applied: true, scoreEventId: id, score: after, crossedThreshold: before < threshold && threshold <= after };
    });
  } catch (error) {
    // A concurrent retry of the same change won the unique key: report its row, no crossing.
    if (!isUniqueViolation(error, 'idempotency_key')) throw error;
    const row = await db.scoreEvent.findUniqueOrThrow({ where: { idempotencyKey }, select: { id: true } });
    const events = await db.scoreEvent.findMany({ where: { contactId: input.contactId }, select: SCORED_EVENT_SELECT });
    return { applied: true, scoreEventId: row.id, score: scoreAt(events, now), crossedThreshold: false };
  }
}

const SCORED_EVENT_SELECT = { points: true, halfLifeDays: true, occurredAt: true } as const;

export interface ScoreExplanation {
  score: number;
  threshold: number;
  /** Newest first: each change with what is left of it today. */
  events: {
    id: string;
    reason: string;
    points: number;
    halfLifeDays: number | null;
    decayedPoints: number;
    occurredAt: Date;
    source: { kind: 'rule'; ruleId: string | null; ruleName: string | null } | { kind: 'journey'; enrollmentId: string; stepId: string };
    decisionId: string;
  }[];
}

/** Why the score is what it is: every change, what decay left of it, and the sum. */
export async function explainScore(db: Db, contactId: string, now: Date): Promise<ScoreExplanation> {
  const rows = await db.scoreEvent.findMany({
    where: { contactId },
    orderBy: [{ occurredAt: 'desc' }, { id: 'asc' }],
    select: {
      id: true,
      reason: true,
      points: true,
      halfLifeDays: true,
      occurredAt: true,
      ruleId: true,
      rule: { select: { name: true } },
      journeyEnrollmentId: true,
      journeyStepId: true,
      decisionId: true,
    },
  });
  const { threshold } = await readLeadSettings(db);
  return {
    score: scoreAt(rows, now),
    threshold,
    events: rows.map((row) => ({
      id: row.id,
      reason: row.reason,
      points: row.points,
      halfLifeDays: row.halfLifeDays,
      decayedPoints: decayedPoints(row.points, row.halfLifeDays, row.occurredAt, now),
      occurredAt: row.occurredAt,
      source:
        row.journeyEnrollmentId !== null
          ? { kind: 'journey', enrollmentId: row.journeyEnrollmentId, stepId: row.journeyStepId ?? '' }
          : { kind: 'rule', ruleId: row.ruleId, ruleName: row.rule?.name ?? null },
      decisionId: row.decisionId,
    })),
  };
}

/** The active rules that a recorded interaction kind or API event name triggers. */
export async function matchingRules(db: Db, source: 'interaction' | 'event', match: string) {
  return db.scoringRule.findMany({
    where: { sourceType: source, match, isActive: true },
    select: { id: true, name: true, points: true },
    orderBy: { createdAt: 'asc' },
  });
}
