import { consentAt, type SubjectConsents } from './consent-ledger.ts';
import { digestOfOrdered } from './digest.ts';
import { quietHoursEnd, sendsWithin, type ContactRules } from './contact-rules.ts';
import type { PurposeRuleInput } from './purpose.ts';
import { reason, type Reason } from './reasons.ts';
import { isSpecialDataCategory, type Action, type Channel, type Instant, type LegalBasis, type SubjectStatus } from './vocabulary.ts';

/** Bumped whenever a rule changes, so that a stored decision can be replayed against its own rules. */
export const POLICY_VERSION = '2026.11.4';

export interface DecisionSubject {
  status: SubjectStatus;
  /** A keyed hash of the address is on the suppression list. */
  isSuppressed: boolean;
  consents: SubjectConsents;
  /**
   * The person bought from us and gave the address in that sale, and was told at collection that
   * they may object to advertising at any time (UWG § 7(3) Nr. 1 and 4). Absent: not a customer.
   */
  existingCustomer?: { addressFromSaleAt: Instant; informedOfRightToObject: boolean } | null;
  /** IANA time zone of the person, for quiet hours. */
  timeZone?: string | null;
  /** Marketing messages already sent to the person, for the frequency cap. */
  recentMarketingSends?: readonly { channel: Channel; sentAt: Instant }[];
}

export interface DecisionRequest {
  subject: DecisionSubject;
  purpose: PurposeRuleInput;
  channel: Channel;
  action: Action;
  now: Instant;
  rules?: ContactRules;
  /**
   * The field the processing touches (storing a value, using it in a message or an export), as
   * the field catalogue declares it. Absent: the request is about the person as a whole.
   */
  field?: { key: string; category: string };
}

/** Why a "yes" is lawful: the basis and, for consent, which grant carries it. */
export interface Grounds {
  legalBasis: LegalBasis;
  article: string;
  consentGrantedAt: Instant | null;
}

/** What a "yes" obliges the sender to do. */
export type Condition = 'OPT_OUT_NOTICE_IN_EVERY_MESSAGE';

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
  /** Obligations that come with this "yes" (for the existing-customer exception: an opt-out notice). */
  conditions: Condition[];
  reasons: [];
  readonly [allowedBrand]: true;
}

export interface DeniedDecision extends DecisionBase {
  allowed: false;
  grounds: null;
  /** At least one; the first is the primary reason. */
  reasons: [Reason, ...Reason[]];
  /** When the only obstacle is time (quiet hours): the earliest instant to ask again. */
  notBefore: Instant | null;
}

export type Decision = AllowedDecision | DeniedDecision;

const BASIS_ARTICLE: Record<LegalBasis, string> = {
  consent: 'Art. 6(1)(a) GDPR',
  contract: 'Art. 6(1)(b) GDPR',
  legal_obligation: 'Art. 6(1)(c) GDPR',
  legitimate_interest: 'Art. 6(1)(f) GDPR',
};

/** Actions that reach out to the person or build a picture of them; storage and export are not among them. */
const isOutreach = (action: Action): boolean => action === 'send' || action === 'track' || action === 'profile' || action === 'hand_off';

/**
 * Grants of these methods carry their own proof of the address's owner, so no confirmation mail
 * is needed: a signed record made in person, a confirmed link, or the preference center and the
 * re-permission page, which are reached only through a signed link mailed to that address.
 */
const DOUBLE_OPT_IN_EXEMPT = new Set(['in_person', 'double_opt_in', 'preference_center', 're_permission']);

const EXISTING_CUSTOMER_ARTICLE = '§ 7(3) UWG; Art. 6(1)(f) GDPR';

/** The rules' answer without its provenance: what the hot paths (segment previews) need. */
export type Verdict =
  | { allowed: true; grounds: Grounds; conditions: Condition[]; reasons: [] }
  | { allowed: false; grounds: null; reasons: [Reason, ...Reason[]]; notBefore: Instant | null };

/**
 * Apply the rules. Defaults deny (Art. 25): every "yes" names its legal basis, every "no" at
 * least one reason code. All applicable reasons are collected so that a denial explains itself
 * fully. No digest, no allocation beyond the answer: segment previews evaluate millions of these.
 */
export function evaluate(request: DecisionRequest): Verdict {
  const { subject, channel, action, now, rules } = request;
  // Not parsed here: decide() sits on the hot path (segment previews decide millions of times);
  // the purpose is parsed where it enters the system. Flags left out count as false.
  const purpose = request.purpose;
  const reasons: Reason[] = [];
  const conditions: Condition[] = [];
  let legalBasis: LegalBasis = purpose.legalBasis;
  let article: string = BASIS_ARTICLE[purpose.legalBasis];
  let consentGrantedAt: Instant | null = null;
  let notBefore: Instant | null = null;

  if (subject.status === 'erased' || subject.status === 'erasure_pending') {
    reasons.push(reason('SUBJECT_ERASED'));
  } else if (subject.status === 'restricted' && action !== 'store') {
    reasons.push(reason('SUBJECT_RESTRICTED'));
  }

  if (action === 'send' && subject.isSuppressed) reasons.push(reason('SUPPRESSED'));

  const field = request.field;
  if (field !== undefined) {
    // Art. 9(1): no basis this product models carries special categories, so none is stored or used.
    if (isSpecialDataCategory(field.category)) reasons.push(reason('SPECIAL_CATEGORY_DATA'));
    if (purpose.fields !== undefined && !purpose.fields.includes(field.key)) reasons.push(reason('FIELD_NOT_IN_PURPOSE'));
  }

  if ((action === 'send' || action === 'track') && !purpose.channels.includes(channel)) {
    reasons.push(reason('CHANNEL_NOT_IN_PURPOSE'));
  }

  const hasObjected = subject.consents.objectedToDirectMarketingAt !== null;
  if (isOutreach(action) && purpose.isDirectMarketing && hasObjected) {
    reasons.push(reason('OBJECTED_TO_DIRECT_MARKETING'));
  }

  // Storage rests on the purpose's basis for as long as retention allows; the ledger decides
  // only processing that reaches out to or profiles the person.
  if (action !== 'store' && action !== 'export') {
    switch (purpose.legalBasis) {
      case 'consent': {
        const consent = consentAt(subject.consents, purpose.id, channel, now);
        const customer = subject.existingCustomer;
        if (consent.status === 'none') {
          // UWG § 7(3): e-mail about own similar products to a customer who gave the address in
          // a sale, was told of the right to object, and has not objected. Sending only.
          const exceptionApplies =
            action === 'send' &&
            channel === 'email' &&
            purpose.allowsExistingCustomerException === true &&
            !hasObjected &&
            customer?.informedOfRightToObject === true;
          if (exceptionApplies) {
            legalBasis = 'legitimate_interest';
            article = EXISTING_CUSTOMER_ARTICLE;
            conditions.push('OPT_OUT_NOTICE_IN_EVERY_MESSAGE');
          } else {
            reasons.push(reason('NO_CONSENT'));
          }
        } else if (consent.status === 'withdrawn') reasons.push(reason('CONSENT_WITHDRAWN'));
        else if (consent.status === 'expired') reasons.push(reason('CONSENT_EXPIRED'));
        else if (
          consent.status === 'granted' &&
          purpose.requiresDoubleOptIn === true &&
          channel === 'email' &&
          !DOUBLE_OPT_IN_EXEMPT.has(consent.grantMethod ?? '')
        ) {
          reasons.push(reason('DOUBLE_OPT_IN_PENDING'));
        } else consentGrantedAt = consent.grantedAt;
        break;
      }
      case 'legitimate_interest':
        if (action === 'profile') reasons.push(reason('PROFILING_NEEDS_CONSENT'));
        else if (purpose.hasBalancingTest !== true) reasons.push(reason('BALANCING_TEST_MISSING'));
        break;
      case 'contract':
      case 'legal_obligation':
        if (action === 'profile') reasons.push(reason('PROFILING_NEEDS_CONSENT'));
        break;
    }
  }

  // The contact policy: fairness towards the person (§ 7(1) UWG, unreasonable nuisance).
  if (action === 'send' && purpose.isDirectMarketing) {
    const cap = rules?.frequencyCaps?.[channel];
    if (cap && sendsWithin(subject.recentMarketingSends ?? [], channel, now, cap.periodDays) >= cap.max) {
      reasons.push(reason('FREQUENCY_CAP_REACHED'));
    }
    const quiet = rules?.quietHours;
    if (quiet?.channels.includes(channel)) {
      const end = quietHoursEnd(now, subject.timeZone ?? rules?.defaultTimeZone ?? 'UTC', quiet);
      if (end !== null) {
        reasons.push(reason('QUIET_HOURS'));
        notBefore = end;
      }
    }
  }

  const [first, ...rest] = reasons;
  if (first !== undefined) {
    // Time is the only obstacle only if quiet hours are the sole reason.
    const onlyTime = rest.length === 0 && first.code === 'QUIET_HOURS';
    return { allowed: false, grounds: null, reasons: [first, ...rest], notBefore: onlyTime ? notBefore : null };
  }
  return { allowed: true, grounds: { legalBasis, article, consentGrantedAt }, conditions, reasons: [] };
}

/**
 * The facts a decision rests on, in a fixed order: the person's state for this purpose and
 * channel (not the whole ledger), the purpose's rule, the action, the time and the contact policy
 * that applied. Stored with the decision's digest, they let an auditor replay it exactly.
 */
export function decisionFacts(request: DecisionRequest) {
  const { subject, purpose, channel, action, now, rules, field } = request;
  const consent = consentAt(subject.consents, purpose.id, channel, now);
  const cap = rules?.frequencyCaps?.[channel];
  return {
    policyVersion: POLICY_VERSION,
    status: subject.status,
    isSuppressed: subject.isSuppressed,
    consent: [consent.status, consent.grantedAt, consent.confirmedAt, consent.expiresAt, consent.grantMethod],
    objectedAt: subject.consents.objectedToDirectMarketingAt,
    existingCustomer: subject.existingCustomer
      ? [subject.existingCustomer.addressFromSaleAt, subject.existingCustomer.informedOfRightToObject]
      : null,
    purpose: [
      purpose.id,
      purpose.legalBasis,
      purpose.channels.join(','),
      purpose.isDirectMarketing,
      purpose.hasBalancingTest === true,
      purpose.requiresDoubleOptIn === true,
      purpose.allowsExistingCustomerException === true,
    ],
    purposeFields: purpose.fields === undefined ? null : purpose.fields.join(','),
    field: field === undefined ? null : [field.key, field.category],
    channel,
    action,
    now,
    frequencyCap: cap ? [cap.max, cap.periodDays, sendsWithin(subject.recentMarketingSends ?? [], channel, now, cap.periodDays)] : null,
    quietHours: rules?.quietHours?.channels.includes(channel)
      ? [rules.quietHours.start, rules.quietHours.end, subject.timeZone ?? rules.defaultTimeZone ?? 'UTC']
      : null,
  };
}

/**
 * Decide whether one piece of processing is lawful, with what makes the decision provable: the
 * policy version and a digest of the facts it rests on. The only producer of an AllowedDecision.
 */
export interface DecideOptions {
  /**
   * SHA-256 of a UTF-8 string as lower-case hex. Callers with a native hash (Node's crypto in
   * the activities) pass it for speed; the result is the same digest as the pure default's.
   */
  sha256Hex?: (text: string) => string;
}

export function decide(request: DecisionRequest, options: DecideOptions = {}): Decision {
  const verdict = evaluate(request);
  const inputDigest = digestOfOrdered(decisionFacts(request), options.sha256Hex);
  const { purpose, channel, action, now: decidedAt } = request;
  // Literals of one fixed shape, not spreads: the send gate builds one of these per message.
  if (!verdict.allowed) {
    return {
      purposeId: purpose.id,
      channel,
      action,
      decidedAt,
      policyVersion: POLICY_VERSION,
      inputDigest,
      allowed: false,
      grounds: null,
      reasons: verdict.reasons,
      notBefore: verdict.notBefore,
    };
  }
  const allowed = {
    purposeId: purpose.id,
    channel,
    action,
    decidedAt,
    policyVersion: POLICY_VERSION,
    inputDigest,
    allowed: true,
    grounds: verdict.grounds,
    conditions: verdict.conditions,
    reasons: [],
  };
  return allowed as unknown as AllowedDecision; // the one place the brand is applied
}
