import { z } from 'zod';
import { ZChannel, ZLegalBasis, ZPurposeId } from './vocabulary.ts';

/**
 * What the policy needs to know about a purpose of the catalogue. The catalogue itself (wording,
 * retention, fields) lives in the database; this is the part that decides.
 */
export const ZPurposeRule = z.object({
  id: ZPurposeId,
  legalBasis: ZLegalBasis,
  channels: z.array(ZChannel).min(1),
  /** Direct marketing ends for good on an objection (Art. 21(2), (3)). */
  isDirectMarketing: z.boolean(),
  /** Art. 6(1)(f) carries only purposes whose balancing test is written down. */
  hasBalancingTest: z.boolean().default(false),
  /** E-mail marketing under this purpose needs a confirmed (double opt-in) consent (UWG § 7(2) Nr. 2). */
  requiresDoubleOptIn: z.boolean().default(false),
  /**
   * Mail about the seller's own similar products may go to existing customers without consent,
   * under the conditions of UWG § 7(3). Only purposes limited to such mail may say so.
   */
  allowsExistingCustomerException: z.boolean().default(false),
  /**
   * The fields of the field catalogue this purpose may use (Art. 5(1)(b), (c)). Absent: the
   * caller does not ask about a field, and no field rule applies.
   */
  fields: z.array(z.string()).optional(),
});
export type PurposeRuleInput = z.input<typeof ZPurposeRule>;
export type PurposeRule = z.infer<typeof ZPurposeRule>;
