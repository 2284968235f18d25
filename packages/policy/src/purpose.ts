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
});
export type PurposeRule = z.infer<typeof ZPurposeRule>;
