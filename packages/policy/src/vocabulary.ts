import { z } from 'zod';

/** Channels a purpose may use to reach a person. */
export const ZChannel = z.enum(['email', 'phone', 'sms', 'post']);
export type Channel = z.infer<typeof ZChannel>;

/** Legal bases of Art. 6(1) GDPR that the product models. */
export const ZLegalBasis = z.enum(['consent', 'contract', 'legal_obligation', 'legitimate_interest']);
export type LegalBasis = z.infer<typeof ZLegalBasis>;

/** What a piece of processing does to the person's data. */
export const ZAction = z.enum([
  'send', // send a message on a channel
  'track', // track opens and clicks
  'profile', // profiling and scoring
  'hand_off', // hand the lead to sales
  'store', // keep the data stored
  'export', // include in an export
]);
export type Action = z.infer<typeof ZAction>;

/** How a consent was obtained or withdrawn: part of its proof (Art. 7(1)). Mirrors the database enum. */
export const ZConsentMethod = z.enum([
  'web_form',
  'double_opt_in',
  'import',
  'in_person',
  'phone',
  'api',
  'one_click_unsubscribe',
  'staff_entry',
  'preference_center',
  'mailto_unsubscribe',
  // A recipient reported a message as spam (an ARF complaint): an objection to direct marketing (Art. 21(2)).
  'spam_complaint',
  // Renewed through the signed link of a re-permission mail, before the consent expired.
  're_permission',
]);
export type ConsentMethod = z.infer<typeof ZConsentMethod>;

/** State of a data subject as a whole (DESIGN.md, Contact). */
export const ZSubjectStatus = z.enum(['active', 'restricted', 'erasure_pending', 'erased']);
export type SubjectStatus = z.infer<typeof ZSubjectStatus>;

/** An instant, as an ISO 8601 string with offset, so that it survives JSON (workflow payloads) unchanged. */
export const ZInstant = z.iso.datetime({ offset: true });
export type Instant = z.infer<typeof ZInstant>;

export const ZPurposeId = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'a purpose id is lower-case letters, digits and underscores');
export type PurposeId = z.infer<typeof ZPurposeId>;

/** Ordinary categories of personal data a field may declare. Mirrors the database enum. */
export const ZDataCategory = z.enum(['identity', 'contact', 'professional', 'location', 'preference', 'behavioural', 'transaction']);
export type DataCategory = z.infer<typeof ZDataCategory>;

/**
 * The special categories of Art. 9(1) GDPR, and data on criminal convictions (Art. 10): named
 * here so that a declaration can be refused with its reason. No field may be declared as one.
 */
export const SPECIAL_DATA_CATEGORIES = [
  'racial_or_ethnic_origin',
  'political_opinions',
  'religious_or_philosophical_beliefs',
  'trade_union_membership',
  'genetic',
  'biometric',
  'health',
  'sex_life_or_sexual_orientation',
  'criminal_convictions',
] as const;
export type SpecialDataCategory = (typeof SPECIAL_DATA_CATEGORIES)[number];

export const isSpecialDataCategory = (category: string): category is SpecialDataCategory =>
  (SPECIAL_DATA_CATEGORIES as readonly string[]).includes(category);

/** How a field's value is checked; free text is screened for special-category content. */
export const ZFieldType = z.enum(['text', 'free_text', 'email', 'phone', 'date', 'url']);
export type FieldType = z.infer<typeof ZFieldType>;

export const ZFieldKey = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'a field key is lower-case letters, digits and underscores');
