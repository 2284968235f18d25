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
