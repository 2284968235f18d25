import { z } from 'zod';
import { consentAt, type SubjectConsents } from './consent-ledger.ts';
import { digestOf } from './digest.ts';
import type { PurposeRule } from './purpose.ts';
import { reason, type Reason } from './reasons.ts';
import type { Action, Channel, Instant, LegalBasis, SubjectStatus } from './vocabulary.ts';

/** Bumped whenever a rule changes, so that a stored decision can be replayed against its own rules. */
export const POLICY_VERSION = '2026.11.1';

export interface DecisionSubject {
  status: SubjectStatus;
  /** A keyed hash of the address is on the suppression list. */
  isSuppressed: boolean;
  consents: SubjectConsents;
}

export interface DecisionRequest {
  subject: DecisionSubject;
  purpose: PurposeRule;
  channel: Channel;
  action: Action;
  now: Instant;
}

/** Why a "yes" is lawful: the basis and, for consent, which grant carries it. */
export interface Grounds {
  legalBasis: LegalBasis;
  article: string;
  consentGrantedAt: Instant | null;
}

interface DecisionBase {
  purposeId: string;
  channel: Channel;
  action: Action;
  decidedAt: Instant;
  policyVersion: string;
  /** Digest of the whole request: the same input always gives the same decision and digest. */
  inputDigest: string;
}

declare const allowedBrand: unique symbol;

/**
 * A "yes". Only `decide` can make one (the brand is a type that no other module can name), so a
 * function that takes an `AllowedDecision` cannot be called without asking the policy first.
 */
export interface AllowedDecision extends DecisionBase {
  allowed: true;
  grounds: Grounds;
  reasons: [];
  readonly [allowedBrand]: true;
}

export interface DeniedDecision extends DecisionBase {
  allowed: false;
  grounds: null;
  /** At least one; the first is the primary reason. */
  reasons: [Reason, ...Reason[]];
}

export type Decision = AllowedDecision | DeniedDecision;

/** The JSON form of a decision, as stored and as carried through workflow payloads (the brand does not survive JSON). */
export const ZDecisionRecord = z.object({
  allowed: z.boolean(),
  purposeId: z.string(),
  channel: z.string(),
  action: z.string(),
  decidedAt: z.string(),
  policyVersion: z.string(),
  inputDigest: z.string(),
  grounds: z.object({ legalBasis: z.string(), article: z.string(), consentGrantedAt: z.string().nullable() }).nullable(),
  reasons: z.array(z.object({ code: z.string(), article: z.string() })),
});

const BASIS_ARTICLE: Record<LegalBasis, string> = {
  consent: 'Art. 6(1)(a) GDPR',
  contract: 'Art. 6(1)(b) GDPR',
  legal_obligation: 'Art. 6(1)(c) GDPR',
  legitimate_interest: 'Art. 6(1)(f) GDPR',
};

/** Actions that reach out to the person or build a picture of them; storage and export are not among them. */
const isOutreach = (action: Action): boolean => action === 'send' || action === 'track' || action === 'profile' || action === 'hand_off';

/**
 * Decide whether one piece of processing is lawful. Defaults deny (Art. 25): every "yes" names
 * its legal basis, every "no" at least one reason code. All applicable reasons are collected so
 * that a denial explains itself fully.
 */
export function decide(request: DecisionRequest): Decision {
  const { subject, purpose, channel, action, now } = request;
  const reasons: Reason[] = [];
  let consentGrantedAt: Instant | null = null;

  if (subject.status === 'erased' || subject.status === 'erasure_pending') {
    reasons.push(reason('SUBJECT_ERASED'));
  } else if (subject.status === 'restricted' && action !== 'store') {
    reasons.push(reason('SUBJECT_RESTRICTED'));
  }

  if (action === 'send' && subject.isSuppressed) reasons.push(reason('SUPPRESSED'));

  if ((action === 'send' || action === 'track') && !purpose.channels.includes(channel)) {
    reasons.push(reason('CHANNEL_NOT_IN_PURPOSE'));
  }

  if (isOutreach(action) && purpose.isDirectMarketing && subject.consents.objectedToDirectMarketingAt !== null) {
    reasons.push(reason('OBJECTED_TO_DIRECT_MARKETING'));
  }

  // Storage rests on the purpose's basis for as long as retention allows; the ledger decides
  // only processing that reaches out to or profiles the person.
  if (action !== 'store' && action !== 'export') {
    switch (purpose.legalBasis) {
      case 'consent': {
        const consent = consentAt(subject.consents, purpose.id, channel, now);
        if (consent.status === 'none') reasons.push(reason('NO_CONSENT'));
        else if (consent.status === 'withdrawn') reasons.push(reason('CONSENT_WITHDRAWN'));
        else if (consent.status === 'expired') reasons.push(reason('CONSENT_EXPIRED'));
        else consentGrantedAt = consent.grantedAt;
        break;
      }
      case 'legitimate_interest':
        if (action === 'profile') reasons.push(reason('PROFILING_NEEDS_CONSENT'));
        else if (!purpose.hasBalancingTest) reasons.push(reason('BALANCING_TEST_MISSING'));
        break;
      case 'contract':
      case 'legal_obligation':
        if (action === 'profile') reasons.push(reason('PROFILING_NEEDS_CONSENT'));
        break;
    }
  }

  const base: DecisionBase = {
    purposeId: purpose.id,
    channel,
    action,
    decidedAt: now,
    policyVersion: POLICY_VERSION,
    inputDigest: digestOf({ policyVersion: POLICY_VERSION, request }),
  };
  const [first, ...rest] = reasons;
  if (first !== undefined) {
    return { ...base, allowed: false, grounds: null, reasons: [first, ...rest] };
  }
  return {
    ...base,
    allowed: true,
    grounds: { legalBasis: purpose.legalBasis, article: BASIS_ARTICLE[purpose.legalBasis], consentGrantedAt },
    reasons: [],
  } as unknown as AllowedDecision; // the one place the brand is applied
}
