import { ZDataCategory, ZLegalBasis, ZTransferMechanism } from '@zweck/policy';
import { z } from 'zod';

/**
 * The records of processing activities as `records.get` answers them (Art. 30(1) GDPR). Declared
 * field by field: the answer is parsed through it, so nothing but these fields leaves the API.
 */
export const ZRecordsOfProcessing = z.object({
  generatedAt: z.string(),
  controller: z.object({ name: z.string(), address: z.string(), email: z.string(), dpoName: z.string(), dpoEmail: z.string() }),
  activities: z.array(
    z.object({
      purposeId: z.string(),
      name: z.string(),
      description: z.string(),
      legalBasis: ZLegalBasis,
      legalBasisText: z.string(),
      balancingTest: z.string().nullable(),
      channels: z.array(z.string()),
      isDirectMarketing: z.boolean(),
      dataSubjects: z.string(),
      dataCategories: z.array(z.object({ category: ZDataCategory, fields: z.array(z.object({ key: z.string(), label: z.string() })) })),
      recipients: z.array(
        z.object({
          processorId: z.string(),
          name: z.string(),
          service: z.string(),
          country: z.string(),
          countryName: z.string(),
          transferMechanism: ZTransferMechanism,
          transferMechanismText: z.string(),
          thirdCountry: z.boolean(),
          contractSignedOn: z.string(),
        }),
      ),
      retention: z.array(
        z.discriminatedUnion('source', [
          z.object({ source: z.literal('policy'), policyName: z.string(), period: z.string(), anchor: z.string(), action: z.string() }),
          z.object({ source: z.literal('purpose'), months: z.number().int() }),
        ]),
      ),
      retentionText: z.string(),
      securityMeasures: z.string(),
    }),
  ),
});
