import { ZCountryCode, ZDataCategory, ZPurposeId, ZTransferMechanism } from '@zweck/policy';
import { z } from 'zod';

const unique = <T>(values: readonly T[]): boolean => new Set(values).size === values.length;

/** A calendar date as the form sends it (YYYY-MM-DD). */
export const ZCalendarDate = z.iso.date('A date as YYYY-MM-DD');

/** What the DPO records about a processor (Art. 28, 30(1)(d)(e)). */
export const ZProcessorValues = z.object({
  name: z.string().trim().min(1, 'Give the processor a name').max(200, 'At most 200 characters'),
  /** What it does for us: "Delivery of e-mail", "Hosting of the CRM database". */
  service: z.string().trim().min(1, 'Describe the service').max(1000, 'At most 1000 characters'),
  /** A business address of the processor for notices (Art. 19, 28(3)). */
  noticeEmail: z.email('An e-mail address, such as privacy@processor.example').max(320, 'At most 320 characters'),
  /** The date the processing agreement (Art. 28(3)) was signed. */
  contractSignedOn: ZCalendarDate,
  /** Where the data is processed (ISO 3166-1 alpha-2). */
  country: ZCountryCode,
  transferMechanism: ZTransferMechanism,
  dataCategories: z.array(ZDataCategory).min(1, 'Choose the data it receives').refine(unique, 'Each category once'),
  purposeIds: z.array(ZPurposeId).min(1, 'Choose the purposes it serves').max(100).refine(unique, 'Each purpose once'),
  /** When the contract and the processor's measures are reviewed next; null: no date set. */
  reviewOn: ZCalendarDate.nullable(),
});
export type ProcessorValues = z.infer<typeof ZProcessorValues>;

export const ZProcessorId = z.uuid('A processor ID');
export const ZCreateProcessorInput = ZProcessorValues;
export const ZUpdateProcessorInput = ZProcessorValues.extend({ id: ZProcessorId });
export const ZProcessorIdInput = z.object({ id: ZProcessorId });

export const ZProcessorOut = z.object({
  id: z.string(),
  name: z.string(),
  service: z.string(),
  noticeEmail: z.string(),
  contractSignedOn: z.string(),
  country: z.string(),
  countryName: z.string(),
  transferMechanism: ZTransferMechanism,
  /** True when the data leaves the EU/EEA (Art. 30(1)(e)). */
  isThirdCountryTransfer: z.boolean(),
  dataCategories: z.array(ZDataCategory),
  purposeIds: z.array(z.string()),
  reviewOn: z.string().nullable(),
  updatedAt: z.date(),
});
export type ProcessorOut = z.infer<typeof ZProcessorOut>;
