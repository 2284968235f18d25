import { ZCountryCode, ZDataCategory, ZTransferMechanism, transferMechanismProblem } from '@zweck/policy';
import { z } from 'zod';
import type { RouterInputs, RouterOutputs } from '../../../lib/trpc.ts';

export type Processor = RouterOutputs['processors']['list'][number];
export type ProcessorInput = RouterInputs['processors']['create'];

const date = z.iso.date('A date as YYYY-MM-DD');

/**
 * The processor form: the API's input schema and its transfer rule (from @zweck/policy, the same
 * function the API runs), so that a mistake shows beside its field before anything is sent.
 */
export const ZProcessorForm = z
  .object({
    name: z.string().trim().min(1, 'Give the processor a name').max(200, 'At most 200 characters'),
    service: z.string().trim().min(1, 'Describe the service').max(1000, 'At most 1000 characters'),
    noticeEmail: z.email('An e-mail address, such as privacy@processor.example'),
    contractSignedOn: date,
    country: ZCountryCode,
    transferMechanism: ZTransferMechanism,
    dataCategories: z.array(ZDataCategory).min(1, 'Choose the data it receives'),
    purposeIds: z.array(z.string()).min(1, 'Choose the purposes it serves'),
    /** '' in a date input: no review date. */
    reviewOn: z.union([z.literal(''), date]),
  })
  .superRefine(
    (values, ctx) => {
      const problem = transferMechanismProblem(values.country, values.transferMechanism);
      if (problem) ctx.addIssue({ code: 'custom', path: ['transferMechanism'], message: problem });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type ProcessorFormInput = z.input<typeof ZProcessorForm>;
export type ProcessorFormValues = z.output<typeof ZProcessorForm>;

export const PROCESSOR_FORM_PATHS = [
  'name',
  'service',
  'noticeEmail',
  'contractSignedOn',
  'country',
  'transferMechanism',
  'dataCategories',
  'purposeIds',
  'reviewOn',
] as const;
export const isProcessorFormPath = (path: string): path is (typeof PROCESSOR_FORM_PATHS)[number] =>
  (PROCESSOR_FORM_PATHS as readonly string[]).includes(path);

export const NEW_PROCESSOR: ProcessorFormInput = {
  name: '',
  service: '',
  noticeEmail: '',
  contractSignedOn: '',
  country: '',
  transferMechanism: 'eu_eea',
  dataCategories: [],
  purposeIds: [],
  reviewOn: '',
};

export const toProcessorForm = (p: Processor): ProcessorFormInput => ({
  name: p.name,
  service: p.service,
  noticeEmail: p.noticeEmail,
  contractSignedOn: p.contractSignedOn,
  country: p.country,
  transferMechanism: p.transferMechanism,
  dataCategories: [...p.dataCategories],
  purposeIds: [...p.purposeIds],
  reviewOn: p.reviewOn ?? '',
});

export const toProcessorInput = (values: ProcessorFormValues): ProcessorInput => ({
  ...values,
  reviewOn: values.reviewOn === '' ? null : values.reviewOn,
});
