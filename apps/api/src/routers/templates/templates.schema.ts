import { z } from 'zod';

export const ZTemplateKind = z.enum(['marketing', 'transactional']);
export const ZTemplateField = z.enum(['subject', 'html', 'text']);

/** The editable content of a template; the same limits as the test-send workflow's input. */
export const ZTemplateContent = z.object({
  kind: ZTemplateKind,
  subject: z.string().trim().min(1, 'Write a subject').max(200, 'At most 200 characters'),
  html: z.string().min(1, 'Write the HTML body').max(100_000, 'At most 100,000 characters'),
  text: z.string().min(1, 'Write the text body').max(50_000, 'At most 50,000 characters'),
});
export type TemplateContent = z.infer<typeof ZTemplateContent>;

export const ZTemplateName = z.string().trim().min(1, 'Give the template a name').max(120, 'At most 120 characters');

export const ZTemplateId = z.object({ id: z.uuid('Not a template ID') });
export const ZCreateTemplateInput = ZTemplateContent.extend({ name: ZTemplateName });
export const ZUpdateTemplateInput = ZCreateTemplateInput.extend({ id: z.uuid('Not a template ID') });

/** A saved template or an unsaved draft (the editor previews and tests what is on screen). */
const templateSourceShape = {
  templateId: z.uuid('Not a template ID').optional(),
  /** The draft may be incomplete while it is being written; the check says what is missing. */
  draft: z
    .object({ kind: ZTemplateKind, subject: z.string().max(200), html: z.string().max(100_000), text: z.string().max(50_000) })
    .optional(),
};
const exactlyOneSource = (input: { templateId?: string; draft?: unknown }): boolean =>
  (input.templateId === undefined) !== (input.draft === undefined);
const oneSourceMessage = { message: 'Give either a template ID or a draft', path: ['templateId'] };

export const ZPreviewInput = z
  .object({ ...templateSourceShape, sampleContactId: z.uuid('Not a contact ID').optional() })
  .refine(exactlyOneSource, oneSourceMessage);
export const ZTestSendInput = z.object(templateSourceShape).refine(exactlyOneSource, oneSourceMessage);

export const ZTemplateProblem = z.object({
  field: ZTemplateField,
  code: z.string(),
  message: z.string(),
  placeholder: z.string().nullable(),
});

export const ZTemplateListItem = z.object({
  id: z.string(),
  name: z.string(),
  kind: ZTemplateKind,
  subject: z.string(),
  createdBy: z.string(),
  updatedAt: z.date(),
  campaignCount: z.number().int(),
});

export const ZTemplateDetail = ZTemplateListItem.extend({ html: z.string(), text: z.string(), createdAt: z.date() });

export const ZPlaceholders = z.object({
  /** The field catalogue's keys that a template may print (free text never). */
  personal: z.array(z.object({ key: z.string(), label: z.string() })),
  system: z.array(z.object({ key: z.string(), label: z.string() })),
  /** What a marketing template needs in both bodies. */
  requiredForMarketing: z.array(z.string()),
  requiredFooter: z.object({ html: z.string(), text: z.string() }),
});

export const ZPreviewOutput = z.object({
  /** Null while the draft has problems; the problems say why. */
  rendered: z.object({ subject: z.string(), html: z.string(), text: z.string() }).nullable(),
  problems: z.array(ZTemplateProblem),
  /** Whose values filled the personal placeholders. */
  sample: z.enum(['contact', 'example']),
});

export const ZTestSendOutput = z.object({
  status: z.enum(['sent', 'requested', 'skipped', 'failed']),
  /** Where the test went: the signed-in user's own address. */
  to: z.string(),
  detail: z.string().nullable(),
});
