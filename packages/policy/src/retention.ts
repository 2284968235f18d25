import { UTCDate } from '@date-fns/utc';
import { add, subDays } from 'date-fns';
import { z } from 'zod';

/**
 * The deletion concept's arithmetic (Art. 5(1)(e) GDPR, storage limitation): when does a
 * contact's data reach the end of its retention period, when is the DPO reminded, and does a
 * legal hold (Art. 17(3)(b): § 257 HGB, § 147 AO, a litigation hold) turn the deletion into a
 * restriction. Pure: the retention workflow's activities, the API's preview and the editor use it.
 * Calendar arithmetic in UTC through date-fns (month ends clamp: 31 January + 1 month = 28/29
 * February), so that every process computes the same deadline whatever its time zone.
 */

export const RETENTION_ANCHORS = ['last_interaction', 'contract_end', 'consent_withdrawn', 'created'] as const;
export type RetentionAnchorKind = (typeof RETENTION_ANCHORS)[number];

/**
 * The named event that ends a contract (through `events.emit` / `recordContactEvent`): the product
 * learns of a contract's end from the system that holds the contract, as a contact event; a later
 * `contract_started` means a contract runs again and there is no end to count from.
 */
export const CONTRACT_ENDED_EVENT = 'contract_ended';
export const CONTRACT_STARTED_EVENT = 'contract_started';

/**
 * Periods are ISO 8601 durations of date components only (years, months, weeks, days), the form
 * PostgreSQL also reads as an interval. Hand-written: the duration parsers on npm accept time
 * components (hours, seconds, fractions) that a retention period must not have, and the grammar
 * of the date part is one regular expression.
 */
const PERIOD_PATTERN = /^P(?=\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;
/** A century: longer than any statutory retention duty (§ 257 HGB: ten years). */
const MAX_PERIOD_DAYS = 36_525;

export interface RetentionDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
}

/** The duration of a period text, or null when it is not one (or is zero, or longer than a century). */
export function parseRetentionPeriod(text: string): RetentionDuration | null {
  const match = PERIOD_PATTERN.exec(text);
  if (!match) return null;
  const [, y, m, w, d] = match;
  const duration = { years: Number(y ?? 0), months: Number(m ?? 0), weeks: Number(w ?? 0), days: Number(d ?? 0) };
  const approxDays = duration.years * 365.25 + duration.months * 30.44 + duration.weeks * 7 + duration.days;
  if (approxDays < 1 || approxDays > MAX_PERIOD_DAYS) return null;
  return duration;
}

export const ZRetentionPeriod = z
  .string()
  .trim()
  .toUpperCase()
  .refine((text) => parseRetentionPeriod(text) !== null, {
    message: 'an ISO 8601 duration of years, months, weeks or days, at least one day and at most 100 years (e.g. P24M, P3Y, P90D)',
  });

/** `P24M` as people read it: "24 months". */
export function describeRetentionPeriod(text: string): string {
  const d = parseRetentionPeriod(text);
  if (!d) return text;
  const part = (n: number, unit: string) => (n === 0 ? null : `${n} ${unit}${n === 1 ? '' : 's'}`);
  return [part(d.years, 'year'), part(d.months, 'month'), part(d.weeks, 'week'), part(d.days, 'day')].filter(Boolean).join(' ');
}

/** The dates a contact's anchors are read from (ISO instants), per policy scope. */
export interface RetentionAnchorFacts {
  createdAt: string;
  /** The person's latest interaction, contact event or consent event; null: none since creation. */
  lastInteractionAt: string | null;
  /** The latest `contract_ended` event not followed by a `contract_started`; null: no ended contract. */
  contractEndedAt: string | null;
  /** When consent under the scope ended (withdrawn, expired, objected), if none is in force any more. */
  consentWithdrawnAt: string | null;
}

/**
 * The date the period counts from, or null where the anchor has not happened (a running
 * contract, a consent still in force): then there is no deadline yet. The last interaction is
 * never earlier than the creation: a contact who never did anything counts from when they came.
 */
export function retentionAnchorDate(anchor: RetentionAnchorKind, facts: RetentionAnchorFacts): string | null {
  switch (anchor) {
    case 'created':
      return facts.createdAt;
    case 'last_interaction':
      return facts.lastInteractionAt !== null && facts.lastInteractionAt > facts.createdAt ? facts.lastInteractionAt : facts.createdAt;
    case 'contract_end':
      return facts.contractEndedAt;
    case 'consent_withdrawn':
      return facts.consentWithdrawnAt;
  }
}

/** The end of the period counted from `anchorAt` (UTC calendar arithmetic). */
export function addRetentionPeriod(anchorAt: string, period: string): string {
  const duration = parseRetentionPeriod(period);
  if (!duration) throw new RangeError('not a retention period');
  return add(new UTCDate(anchorAt), duration).toISOString();
}

/** A legal hold that covers the contact: its dates are calendar days (YYYY-MM-DD, UTC). */
export interface RetentionHold {
  id: string;
  startsOn: string;
  endsOn: string | null;
}

/** The hold in force on `now`'s day (from its first to its last day inclusive), the earliest-starting first. */
export function holdInForce(holds: readonly RetentionHold[], now: string): RetentionHold | null {
  const today = now.slice(0, 10);
  const inForce = holds
    .filter((h) => h.startsOn.slice(0, 10) <= today && (h.endsOn === null || h.endsOn.slice(0, 10) >= today))
    .sort((a, b) => a.startsOn.localeCompare(b.startsOn) || a.id.localeCompare(b.id));
  return inForce[0] ?? null;
}

export type RetentionState =
  /** The anchor has not happened: no deadline. */
  | { state: 'no_anchor' }
  /** Before the reminder. */
  | { state: 'running'; deadline: string; remindAt: string }
  /** Within the reminder lead time: the DPO hears of it. */
  | { state: 'remind'; deadline: string; remindAt: string }
  /** The deadline passed: delete or anonymize (or wait for approval). */
  | { state: 'due'; deadline: string }
  /** The deadline passed, but a legal hold is in force: restrict instead, keep the data. */
  | { state: 'held'; deadline: string; holdId: string };

export interface RetentionCheck {
  period: string;
  anchor: RetentionAnchorKind;
  reminderLeadDays: number;
  facts: RetentionAnchorFacts;
  /** The holds that cover this contact (by purpose, data category or the contact itself). */
  holds: readonly RetentionHold[];
  now: string;
}

/** Where a contact stands under one policy on `now`. A hold in force wins over the deadline. */
export function retentionState(check: RetentionCheck): RetentionState {
  const anchorAt = retentionAnchorDate(check.anchor, check.facts);
  if (anchorAt === null) return { state: 'no_anchor' };
  const deadline = addRetentionPeriod(anchorAt, check.period);
  if (deadline <= check.now) {
    const hold = holdInForce(check.holds, check.now);
    return hold ? { state: 'held', deadline, holdId: hold.id } : { state: 'due', deadline };
  }
  const remindAt = subDays(new UTCDate(deadline), check.reminderLeadDays).toISOString();
  return remindAt <= check.now ? { state: 'remind', deadline, remindAt } : { state: 'running', deadline, remindAt };
}
