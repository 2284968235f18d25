import { z } from 'zod';

/** Why a marketer opens one contact; the API logs it and lets them open the contact for 8 hours. */
export const ACCESS_REASONS = ['campaign_check', 'data_subject_request', 'correction', 'complaint', 'other'] as const;
export type AccessReason = (typeof ACCESS_REASONS)[number];

export const ACCESS_REASON_LABELS: Record<AccessReason, string> = {
  campaign_check: 'Checking a campaign or its audience',
  data_subject_request: 'A data subject request',
  correction: 'Correcting the record',
  complaint: 'A complaint or question from the person',
  other: 'Another reason',
};

export const ZOpenContactForm = z
  .object({
    // The select starts empty ('' as its value): nobody opens a contact on a reason they did not pick.
    reason: z.string().pipe(z.enum(ACCESS_REASONS, 'Choose why you open this contact')),
    note: z.string().trim().max(500, 'At most 500 characters'),
  })
  .superRefine((form, check) => {
    if (form.reason === 'other' && form.note === '') {
      check.addIssue({ code: 'custom', path: ['note'], message: 'Say what the other reason is' });
    }
  });
export type OpenContactFormInput = z.input<typeof ZOpenContactForm>;
export type OpenContactForm = z.infer<typeof ZOpenContactForm>;

/** The procedure's input: the note only where there is one. */
export const toOpenContactInput = (id: string, form: OpenContactForm) => ({
  id,
  reason: form.reason,
  ...(form.note === '' ? {} : { note: form.note }),
});
