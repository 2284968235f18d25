import { ZChannel, ZInstant, ZPurposeId } from '@zweck/policy';
import { z } from 'zod';

/** How staff may record a consent they obtained; the proof names it (Art. 7(1)). */
export const ZStaffConsentMethod = z.enum(['in_person', 'phone', 'web_form']);

export const ZConsentProofInput = z.object({
  purposeId: ZPurposeId,
  channel: ZChannel,
  method: ZStaffConsentMethod,
  /** The version of the wording the person was shown; it must exist in the catalogue. */
  wordingVersion: z.string().min(1, 'Choose the wording the person agreed to').max(64),
  wordingLanguage: z.enum(['en', 'de']).default('en'),
  /** When the person gave consent; not in the future. */
  // A minute of slack for clocks that differ between browser and server.
  grantedAt: ZInstant.refine((v) => Date.parse(v) <= Date.now() + 60_000, 'The time of consent cannot be in the future'),
  /** Where it happened: a fair, a call, a paper form's reference. */
  source: z.string().trim().min(1, 'Say where the consent was given').max(200),
});

const name = z.string().trim().max(100, 'At most 100 characters');

const ZEmailInput = z
  .string()
  .trim()
  .pipe(z.email('Enter a valid e-mail address, like name@example.org').max(254, 'An e-mail address has at most 254 characters'));

/** The contact's own values; the field catalogue checks them further (type, purpose, Art. 9 screening). */
export const ZContactValuesInput = z.object({
  email: ZEmailInput,
  firstName: name.optional(),
  lastName: name.optional(),
  phone: z.string().trim().max(40, 'At most 40 characters').optional(),
  organization: z.string().trim().max(200, 'At most 200 characters').optional(),
  /** Values of the catalogue's other fields, by field key. */
  attributes: z.record(z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'Not a field key'), z.string().max(2000)).default({}),
});

export const ZCreateContactInput = ZContactValuesInput.extend({
  consent: ZConsentProofInput.optional(),
  /** The user saw the possible duplicates and saves anyway. */
  allowPossibleDuplicate: z.boolean().default(false),
});
export type CreateContactInput = z.infer<typeof ZCreateContactInput>;

export const ZContactId = z.object({ id: z.uuid('Not a contact ID') });

export const ZUpdateContactInput = z.object({ id: z.uuid('Not a contact ID'), values: ZContactValuesInput });

export const ZDuplicateProbeInput = z.object({
  email: z.string().trim().max(254).optional(),
  firstName: name.optional(),
  lastName: name.optional(),
  phone: z.string().trim().max(40).optional(),
  organization: z.string().trim().max(200).optional(),
});

export const ZDuplicateCandidate = z.object({
  contactId: z.string(),
  email: z.string(),
  // Absent where the caller's role does not see the field (field-level need-to-know).
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  organization: z.string().nullable().optional(),
  reasons: z.array(z.enum(['email', 'phone', 'name_and_organization'])),
  nameSimilarity: z.number(),
  /** Keys of the fields withheld from the caller's role. */
  hiddenFields: z.array(z.string()),
});

export const ZMergeInput = z.object({ survivorId: z.uuid('Not a contact ID'), duplicateId: z.uuid('Not a contact ID') });

export const ZMergePlan = z.object({
  survivorId: z.string(),
  duplicateId: z.string(),
  filled: z.array(z.string()),
  discarded: z.array(z.string()),
  moved: z.object({ consentEvents: z.number(), provenance: z.number(), decisions: z.number(), messages: z.number() }),
});

export const ZListContactsInput = z
  .object({
    search: z.string().trim().max(100).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .default({ limit: 50 });

const ZConsentStateOut = z.object({
  purposeId: z.string(),
  channel: z.string(),
  status: z.enum(['none', 'granted', 'confirmed', 'withdrawn', 'expired']),
  since: z.string().nullable(),
});

export const ZContactListItem = z.object({
  id: z.string(),
  email: z.string(),
  // Each field's value is absent where the caller's role works for no purpose that uses it
  // (field-level need-to-know, contacts/field-visibility.ts); `hiddenFields` names those fields.
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  organization: z.string().nullable().optional(),
  status: z.string(),
  lifecycleStage: z.string(),
  createdAt: z.date(),
  consents: z.array(ZConsentStateOut),
  /** Keys of the fields withheld from the caller's role. */
  hiddenFields: z.array(z.string()),
});

export const ZContactDetail = ZContactListItem.extend({
  phone: z.string().nullable().optional(),
  phoneE164: z.string().nullable().optional(),
  /** Every stored value the caller's role may see, by field key (built-in and catalogue fields alike). */
  values: z.record(z.string(), z.string().nullable()),
  objectedToDirectMarketingAt: z.string().nullable(),
  consentEvents: z.array(
    z.object({
      id: z.string(),
      purposeId: z.string(),
      channel: z.string(),
      kind: z.string(),
      occurredAt: z.date(),
      recordedAt: z.date(),
      method: z.string(),
      source: z.string(),
      wordingVersion: z.string().nullable(),
      wordingHash: z.string().nullable(),
      actor: z.string(),
    }),
  ),
  decisions: z.array(
    z.object({
      id: z.string(),
      purposeId: z.string(),
      channel: z.string(),
      action: z.string(),
      allowed: z.boolean(),
      legalBasis: z.string().nullable(),
      reasonCodes: z.array(z.string()),
      policyVersion: z.string(),
      inputDigest: z.string(),
      decidedBy: z.string(),
      decidedAt: z.date(),
    }),
  ),
  messages: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      purposeId: z.string(),
      status: z.string(),
      messageId: z.string(),
      smtpResponse: z.string().nullable(),
      createdAt: z.date(),
      sentAt: z.date().nullable(),
    }),
  ),
  provenance: z.array(
    z.object({
      id: z.string(),
      field: z.string().nullable(),
      source: z.string(),
      reference: z.string().nullable(),
      legalBasis: z.string(),
      actor: z.string(),
      recordedAt: z.date(),
    }),
  ),
  /** What the send gate would answer right now, per consent purpose and channel: the same function, the same inputs. */
  sendability: z.array(
    z.object({
      purposeId: z.string(),
      channel: z.string(),
      allowed: z.boolean(),
      legalBasis: z.string().nullable(),
      reasonCodes: z.array(z.string()),
    }),
  ),
  automation: z
    .object({ workflowId: z.string(), status: z.string(), startedAt: z.string().nullable(), closedAt: z.string().nullable() })
    .nullable(),
  /** On what ground the caller sees this contact (need to know), and until when a given reason holds. */
  access: z.object({
    basis: z.enum(['dpo', 'admin', 'owner', 'team', 'reason', 'creator']),
    reason: z.enum(['campaign_check', 'data_subject_request', 'correction', 'complaint', 'other']).nullable(),
    expiresAt: z.date().nullable(),
  }),
});

export const ZCreateContactOutput = z.object({
  id: z.string(),
  automation: z.enum(['started', 'already_started', 'not_started']),
});
