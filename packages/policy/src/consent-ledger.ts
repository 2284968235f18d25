import { z } from 'zod';
import {
  ZChannel,
  ZConsentMethod,
  ZInstant,
  ZPurposeId,
  type Channel,
  type ConsentMethod,
  type Instant,
  type PurposeId,
} from './vocabulary.ts';

export const ZConsentEventKind = z.enum(['granted', 'confirmed', 'withdrawn', 'expired', 'objected']);
export type ConsentEventKind = z.infer<typeof ZConsentEventKind>;

/**
 * One entry of the append-only consent ledger, reduced to what decides. The proof (method,
 * wording, actor, evidence) stays in the database; the fold does not need it.
 */
export const ZLedgerEvent = z.object({
  purposeId: ZPurposeId,
  channel: ZChannel,
  kind: ZConsentEventKind,
  occurredAt: ZInstant,
  /** For `granted`: when the consent lapses unless renewed. */
  expiresAt: ZInstant.nullish(),
  /** How it was obtained; decides whether a grant still needs its double opt-in. */
  method: ZConsentMethod.nullish(),
});
export type LedgerEvent = z.infer<typeof ZLedgerEvent>;

export type ConsentStatus = 'none' | 'granted' | 'confirmed' | 'withdrawn' | 'expired';

export interface ConsentState {
  status: ConsentStatus;
  /** When the status last changed. */
  since: Instant | null;
  grantedAt: Instant | null;
  confirmedAt: Instant | null;
  expiresAt: Instant | null;
  /** How the grant in force was obtained. */
  grantMethod: ConsentMethod | null;
}

export interface SubjectConsents {
  /** Keyed by `consentKey(purposeId, channel)`. */
  byPurposeChannel: Record<string, ConsentState>;
  /** An objection to direct marketing (Art. 21(2)) covers every purpose and channel, for good. */
  objectedToDirectMarketingAt: Instant | null;
}

export const consentKey = (purposeId: PurposeId, channel: Channel): string => `${purposeId}:${channel}`;

export const NO_CONSENT: ConsentState = Object.freeze({
  status: 'none',
  since: null,
  grantedAt: null,
  confirmedAt: null,
  expiresAt: null,
  grantMethod: null,
});

const at = (instant: Instant): number => Date.parse(instant);

const CHANNELS = ZChannel.options;
const CHANNEL_SLOT = Object.fromEntries(CHANNELS.map((channel, slot) => [channel, slot])) as Record<Channel, number>;

const state = (
  status: ConsentState['status'],
  since: Instant | null,
  grantedAt: Instant | null,
  confirmedAt: Instant | null,
  expiresAt: Instant | null,
  grantMethod: ConsentMethod | null,
): ConsentState => ({ status, since, grantedAt, confirmedAt, expiresAt, grantMethod });

/** `toISOString()` form (UTC, milliseconds): for these, text order is time order. */
const isCanonicalUtc = (instant: string): boolean => instant.length === 24 && instant.charCodeAt(23) === 90; /* 'Z' */

/**
 * Indices of the events in time order, ties in ledger order (a stable order). The fold is on the
 * send path, so the common cases are cheap: rows read in ledger order are checked in one pass
 * and not sorted; canonical UTC instants compare as text without being parsed.
 */
function chronologicalOrder(events: readonly LedgerEvent[]): number[] {
  const indices = events.map((_, i) => i);
  const canonical = events.every((e) => isCanonicalUtc(e.occurredAt));
  if (canonical) {
    let sorted = true;
    for (let i = 1; i < events.length && sorted; i++) sorted = events[i - 1]!.occurredAt <= events[i]!.occurredAt;
    if (sorted) return indices;
    return indices.sort((a, b) => {
      const x = events[a]!.occurredAt;
      const y = events[b]!.occurredAt;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
  }
  const times = events.map((e) => at(e.occurredAt));
  return indices.sort((a, b) => times[a]! - times[b]! || a - b);
}

/**
 * Fold the ledger into the current consent state. Deterministic: events are ordered by their
 * time (ties keep ledger order), so the API, the activities, the workflows and the browser all
 * compute the same state from the same events.
 */
export function foldLedger(events: readonly LedgerEvent[]): SubjectConsents {
  const order = chronologicalOrder(events);

  // While folding, states sit by purpose and then by channel position: building a
  // `purpose:channel` key string per event cost more than the rest of the fold together.
  const byPurpose = new Map<string, (ConsentState | undefined)[]>();
  let objectedToDirectMarketingAt: Instant | null = null;

  for (const i of order) {
    const event = events[i]!;
    let channels = byPurpose.get(event.purposeId);
    if (channels === undefined) {
      channels = [];
      byPurpose.set(event.purposeId, channels);
    }
    const slot = CHANNEL_SLOT[event.channel];
    const current = channels[slot] ?? NO_CONSENT;
    const when = event.occurredAt;
    // States are built with one literal shape (no spreads): the fold is on the send path.
    switch (event.kind) {
      case 'granted':
        channels[slot] = state('granted', when, when, null, event.expiresAt ?? null, event.method ?? null);
        break;
      case 'confirmed':
        // A confirmation without a preceding grant proves nothing: it stays ignored.
        if (current.status === 'granted') {
          channels[slot] = state('confirmed', when, current.grantedAt, when, current.expiresAt, current.grantMethod);
        }
        break;
      case 'withdrawn':
        channels[slot] = state('withdrawn', when, current.grantedAt, current.confirmedAt, current.expiresAt, current.grantMethod);
        break;
      case 'expired':
        if (current.status === 'granted' || current.status === 'confirmed') {
          channels[slot] = state('expired', when, current.grantedAt, current.confirmedAt, current.expiresAt, current.grantMethod);
        }
        break;
      case 'objected':
        objectedToDirectMarketingAt ??= when;
        channels[slot] = state('withdrawn', when, current.grantedAt, current.confirmedAt, current.expiresAt, current.grantMethod);
        break;
    }
  }
  const byPurposeChannel: Record<string, ConsentState> = {};
  for (const [purposeId, channels] of byPurpose) {
    channels.forEach((consent, slot) => {
      if (consent !== undefined) byPurposeChannel[consentKey(purposeId, CHANNELS[slot]!)] = consent;
    });
  }
  return { byPurposeChannel, objectedToDirectMarketingAt };
}

/** The consent state of one purpose and channel at `now`: a grant past its expiry counts as expired. */
export function consentAt(consents: SubjectConsents, purposeId: PurposeId, channel: Channel, now: Instant): ConsentState {
  const state = consents.byPurposeChannel[consentKey(purposeId, channel)] ?? NO_CONSENT;
  if ((state.status === 'granted' || state.status === 'confirmed') && state.expiresAt !== null && at(state.expiresAt) <= at(now)) {
    return { ...state, status: 'expired', since: state.expiresAt };
  }
  return state;
}

/** A ledger row as stored (dates as Date or ISO strings, channel as text). */
export interface LedgerRecord {
  purposeId: string;
  channel: string;
  kind: ConsentEventKind;
  occurredAt: Date | string;
  expiresAt?: Date | string | null;
  method?: string | null;
}

const iso = (value: Date | string): string => (typeof value === 'string' ? value : value.toISOString());

/** Validates a stored ledger row into the fold's input; an unknown channel or kind is an error, not a skip. */
export function toLedgerEvent(record: LedgerRecord): LedgerEvent {
  return ZLedgerEvent.parse({
    purposeId: record.purposeId,
    channel: record.channel,
    kind: record.kind,
    occurredAt: iso(record.occurredAt),
    expiresAt: record.expiresAt == null ? null : iso(record.expiresAt),
    method: record.method ?? null,
  });
}
