import { ZChannel, ZFieldKey, ZLegalBasis, ZPurposeId } from '@zweck/policy';
import { z } from 'zod';

/** A balancing test shorter than this names no interest, no impact and no result (Art. 6(1)(f), 5(2) GDPR). */
export const BALANCING_TEST_MIN_LENGTH = 50;
export const WORDING_LANGUAGES = ['en', 'de'] as const;

const unique = <T>(values: readonly T[]): boolean => new Set(values).size === values.length;

/** The staff roles of the product. */
export const ZStaffRole = z.enum(['admin', 'marketer', 'sales', 'dpo'], 'Choose roles among admin, marketer, sales and dpo');

/** What the DPO edits about a purpose. The rules between the values are checked in code, each with its field. */
export const ZPurposeValues = z.object({
  name: z.string().trim().min(1, 'Give the purpose a name').max(100, 'At most 100 characters'),
  /** Shown to people where consent is asked (Art. 13(1)(c)). */
  description: z.string().trim().min(1, 'Describe the purpose as people will read it').max(1000, 'At most 1000 characters'),
  legalBasis: ZLegalBasis,
  channels: z.array(ZChannel).min(1, 'Choose at least one channel').refine(unique, 'Each channel once'),
  isDirectMarketing: z.boolean(),
  /** The documented balancing test; legitimate interest only. */
  balancingTest: z.string().trim().max(10_000, 'At most 10,000 characters').nullable(),
  requiresDoubleOptIn: z.boolean(),
  doubleOptInDeadlineHours: z.number().int('Whole hours').min(1, 'At least 1 hour').max(720, 'At most 720 hours (30 days)'),
  allowsExistingCustomerException: z.boolean(),
  /** Months data kept for this purpose may stay once its basis ends; null: not decided yet. */
  retentionMonths: z.number().int('Whole months').min(1, 'At least 1 month').max(600, 'At most 600 months (50 years)').nullable(),
  /** Keys of the field catalogue this purpose may use (Art. 5(1)(c)). */
  fields: z.array(ZFieldKey).max(200).refine(unique, 'Each field once'),
  /**
   * The roles whose daily work serves this purpose: they see the fields it may use (need-to-know,
   * Art. 32 GDPR). Absent on update: unchanged; absent on create: none.
   */
  staffRoles: z.array(ZStaffRole).refine(unique, 'Each role once').optional(),
});
export type PurposeValues = z.infer<typeof ZPurposeValues>;

export const ZCreatePurposeInput = ZPurposeValues.extend({ id: ZPurposeId });
export const ZUpdatePurposeInput = ZPurposeValues.extend({ id: ZPurposeId });
export const ZPurposeIdInput = z.object({ id: ZPurposeId });

export const ZAddWordingInput = z.object({
  purposeId: ZPurposeId,
  language: z.enum(WORDING_LANGUAGES),
  /** The exact text people will agree to. */
  text: z.string().trim().min(20, 'At least 20 characters: say what people agree to').max(2000, 'At most 2000 characters'),
});

export const ZWordingOut = z.object({
  version: z.string(),
  language: z.string(),
  text: z.string(),
  textHash: z.string(),
  createdAt: z.date(),
  /** Consent events that name this version and text: they stay tied to it whatever comes later. */
  consentCount: z.number().int(),
});

export const ZPurposeOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  legalBasis: ZLegalBasis,
  channels: z.array(z.string()),
  isDirectMarketing: z.boolean(),
  balancingTest: z.string().nullable(),
  requiresDoubleOptIn: z.boolean(),
  doubleOptInDeadlineHours: z.number().int(),
  allowsExistingCustomerException: z.boolean(),
  retentionMonths: z.number().int().nullable(),
  updatedAt: z.date(),
  fields: z.array(z.string()),
  /** The roles whose daily work serves this purpose; they see its fields. */
  staffRoles: z.array(ZStaffRole),
  /** Newest first (by time of creation), then language: the first of a language is the one people see today. */
  wordings: z.array(ZWordingOut),
  /** Every consent event recorded for this purpose; once there is one, the legal basis is fixed. */
  consentEventCount: z.number().int(),
});
export type PurposeOut = z.infer<typeof ZPurposeOut>;
