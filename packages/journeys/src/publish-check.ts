// The check at publish time: may this journey go live? Every step that sends, tracks, scores or
// hands off is put to the policy itself, under the most favourable facts a person could bring
// (active, not suppressed, a confirmed consent to the step's purpose on every channel, no
// objection). Whatever the policy refuses even then, it refuses for every contact: the journey
// would be unlawful by design, so it is not published (Art. 5(1)(a), (b), 6, 25 GDPR).
// Pure: the API passes the catalogue (purposes, templates with their check, segments) in.
import {
  evaluate,
  explain,
  NO_CONSENT,
  ZChannel,
  consentKey,
  type Action,
  type Channel,
  type ConsentState,
  type DecisionSubject,
  type Instant,
  type PurposeRuleInput,
  type ReasonCode,
} from '@zweck/policy';
import type { JourneyDefinition, JourneyStep } from './definition.ts';
import { stepName, validateJourney, type GraphIssueCode, type JourneyIssue } from './validate.ts';

/** Codes of the catalogue checks; the policy's refusals carry the policy's own reason codes. */
export const PUBLISH_ISSUE_CODES = [
  'PURPOSE_NOT_FOUND',
  'TEMPLATE_NOT_FOUND',
  'TEMPLATE_NOT_MARKETING',
  'TEMPLATE_INVALID',
  'SEGMENT_NOT_FOUND',
  'FIELD_NOT_SEGMENTABLE',
] as const;
export type PublishIssueCode = (typeof PUBLISH_ISSUE_CODES)[number];

export type JourneyIssueCode = GraphIssueCode | PublishIssueCode | ReasonCode;

/** An issue that stops publishing; a policy refusal names the article behind it. */
export interface PublishIssue extends JourneyIssue<JourneyIssueCode> {
  /** The GDPR/UWG provision behind a policy refusal; null for graph and catalogue issues. */
  article: string | null;
}

/** A purpose of the catalogue: the policy's rule and the name marketers know it by. */
export type CataloguePurpose = PurposeRuleInput & { name: string };

/** A template as the API sees it: its kind and the outcome of `checkTemplate` (placeholders, footer). */
export interface CatalogueTemplate {
  id: string;
  name: string;
  kind: 'marketing' | 'transactional';
  /** The codes of `checkTemplate`'s problems (empty: the template passes, footer included). */
  problems: readonly string[];
}

export interface PublishCatalogue {
  purposes: readonly CataloguePurpose[];
  templates: readonly CatalogueTemplate[];
  segmentIds: readonly string[];
  /** The catalogue's free-text fields: sealed in the database, so no branch condition can compare them. */
  freeTextFieldKeys: readonly string[];
  /** The policy takes time as an argument; publishing asks at this instant. */
  now: Instant;
}

const ALWAYS_CONSENTED: Omit<ConsentState, 'grantedAt' | 'confirmedAt' | 'since'> = {
  ...NO_CONSENT,
  status: 'confirmed',
  expiresAt: null,
  grantMethod: 'double_opt_in',
};

/** The best case for one purpose: nothing about the person stands in the way. */
function mostFavourableSubject(purposeId: string, at: Instant): DecisionSubject {
  const consent: ConsentState = { ...ALWAYS_CONSENTED, since: at, grantedAt: at, confirmedAt: at };
  return {
    status: 'active',
    isSuppressed: false,
    consents: {
      byPurposeChannel: Object.fromEntries(ZChannel.options.map((channel) => [consentKey(purposeId, channel), consent])),
      objectedToDirectMarketingAt: null,
    },
    existingCustomer: null,
    timeZone: null,
    recentMarketingSends: [],
  };
}

/** The processing a step performs, as the policy's actions on a channel. */
function actionsOf(step: JourneyStep, purpose: CataloguePurpose): { action: Action; channel: Channel; what: string }[] {
  switch (step.type) {
    case 'send':
      return [
        { action: 'send', channel: step.channel, what: `sends ${channelWord(step.channel)}` },
        ...(step.track ? [{ action: 'track' as const, channel: step.channel, what: 'tracks opens and clicks' }] : []),
      ];
    case 'score':
      // Scoring is profiling on no particular channel; consent to it is asked on the purpose's first.
      return [{ action: 'profile', channel: purpose.channels[0] ?? 'email', what: 'changes the lead score (profiling)' }];
    case 'handoff':
      return [{ action: 'hand_off', channel: step.channel, what: `hands the lead to sales for ${channelWord(step.channel)}` }];
    default:
      return [];
  }
}

const CHANNEL_WORDS: Record<Channel, string> = { email: 'e-mail', phone: 'phone calls', sms: 'text messages', post: 'letters' };
const channelWord = (channel: Channel): string => CHANNEL_WORDS[channel];

/**
 * Everything that stops the journey from being published: the graph's issues, then the catalogue's
 * and the policy's. An empty list means it may be published.
 */
export function checkPublishable(definition: JourneyDefinition, catalogue: PublishCatalogue): PublishIssue[] {
  const issues: PublishIssue[] = validateJourney(definition).map((issue) => ({ ...issue, article: null }));
  const purposes = new Map(catalogue.purposes.map((p) => [p.id, p]));
  const templates = new Map(catalogue.templates.map((t) => [t.id, t]));
  const segments = new Set(catalogue.segmentIds);

  const missingPurpose = (purposeId: string, stepId: string | null, field: string, whose: string): PublishIssue => ({
    code: 'PURPOSE_NOT_FOUND',
    stepId,
    field,
    article: null,
    message: `${whose} names the purpose “${purposeId}”, which is not in the purpose catalogue: choose a purpose the DPO has set up.`,
  });

  if (!purposes.has(definition.purposeId)) issues.push(missingPurpose(definition.purposeId, null, 'purposeId', 'The journey'));

  const trigger = definition.trigger;
  if (trigger.type === 'segment_entry' && !segments.has(trigger.segmentId)) {
    issues.push({
      code: 'SEGMENT_NOT_FOUND',
      stepId: null,
      field: 'trigger.segmentId',
      article: null,
      message: 'The trigger’s segment does not exist (any more): choose the segment whose new members enter the journey.',
    });
  }
  if (trigger.type === 'form_submitted' && !purposes.has(trigger.purposeId)) {
    issues.push(missingPurpose(trigger.purposeId, null, 'trigger.purposeId', 'The trigger'));
  }

  const freeText = new Set(catalogue.freeTextFieldKeys);
  for (const step of definition.steps) {
    if (step.type !== 'branch') continue;
    step.conditions.forEach((cond, i) => {
      if (cond.type !== 'field' || !freeText.has(cond.field)) return;
      issues.push({
        code: 'FIELD_NOT_SEGMENTABLE',
        stepId: step.id,
        field: `conditions.${i}.field`,
        article: null,
        message: `${stepName(step)} compares “${cond.field}”, a free-text field stored encrypted: conditions cannot use it. Choose another field.`,
      });
    });
  }

  for (const step of definition.steps) {
    if (step.type !== 'send' && step.type !== 'score' && step.type !== 'handoff') continue;
    const purpose = purposes.get(step.purposeId);
    if (!purpose) {
      issues.push(missingPurpose(step.purposeId, step.id, 'purposeId', `The step ${stepName(step)}`));
      continue;
    }

    for (const { action, channel, what } of actionsOf(step, purpose)) {
      const verdict = evaluate({
        subject: mostFavourableSubject(purpose.id, catalogue.now),
        purpose,
        channel,
        action,
        now: catalogue.now,
      });
      for (const reason of verdict.reasons) {
        issues.push({
          code: reason.code,
          stepId: step.id,
          field: reason.code === 'CHANNEL_NOT_IN_PURPOSE' ? 'channel' : 'purposeId',
          article: reason.article,
          message: `${stepName(step)} ${what} under “${purpose.name}”, which cannot carry it even with the person’s consent: ${explain(reason.code)} (${reason.article})`,
        });
      }
      // The policy asks about the channel only for messages; sales will use the hand-off's
      // channel, so the purpose must name it as well (Art. 5(1)(b) GDPR).
      if (action === 'hand_off' && !purpose.channels.includes(channel)) {
        issues.push({
          code: 'CHANNEL_NOT_IN_PURPOSE',
          stepId: step.id,
          field: 'channel',
          article: 'Art. 5(1)(b) GDPR',
          message: `${stepName(step)} ${what} under “${purpose.name}”, which uses ${purpose.channels.map(channelWord).join(', ')} only: ${explain('CHANNEL_NOT_IN_PURPOSE')} (Art. 5(1)(b) GDPR)`,
        });
      }
    }

    if (step.type === 'send') {
      const template = templates.get(step.templateId);
      if (!template) {
        issues.push({
          code: 'TEMPLATE_NOT_FOUND',
          stepId: step.id,
          field: 'templateId',
          article: null,
          message: `${stepName(step)} sends a template that does not exist (any more): choose one.`,
        });
        continue;
      }
      if (purpose.isDirectMarketing && template.kind !== 'marketing') {
        issues.push({
          code: 'TEMPLATE_NOT_MARKETING',
          stepId: step.id,
          field: 'templateId',
          article: 'Art. 21(4) GDPR; § 7(3) UWG',
          message: `${stepName(step)} sends “${template.name}”, a transactional template, under the direct-marketing purpose “${purpose.name}”: choose a marketing template, which carries the unsubscribe link, the preference center, the privacy notice and the imprint.`,
        });
      } else if (template.problems.length > 0) {
        const footer = template.problems.includes('MISSING_REQUIRED_PLACEHOLDER');
        issues.push({
          code: 'TEMPLATE_INVALID',
          stepId: step.id,
          field: 'templateId',
          article: footer ? 'Art. 13, 21(4) GDPR; § 5 DDG' : null,
          message: footer
            ? `${stepName(step)} sends “${template.name}”, whose footer lacks the unsubscribe link, the preference center, the privacy notice or the imprint: fix the template first.`
            : `${stepName(step)} sends “${template.name}”, which has problems (${[...new Set(template.problems)].join(', ')}): fix the template first.`,
        });
      }
    }
  }
  return issues;
}
