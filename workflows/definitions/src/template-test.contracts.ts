import { z } from 'zod';

/**
 * A test send of a template to the signed-in user's own address. The input holds the user's ID
 * and either a saved template's ID or the unsaved draft (marketing copy, no personal data); the
 * activity reads the address and display name itself, so neither enters the history.
 */
export const STAFF_NOTIFICATIONS_PURPOSE_ID = 'staff_notifications';

export const ZTemplateDraft = z.object({
  kind: z.enum(['marketing', 'transactional']),
  subject: z.string().max(200),
  html: z.string().max(100_000),
  text: z.string().max(50_000),
});
export type TemplateDraft = z.infer<typeof ZTemplateDraft>;

export const ZTemplateTestInput = z
  .object({
    version: z.literal(1),
    userId: z.uuid(),
    templateId: z.uuid().nullable(),
    draft: ZTemplateDraft.nullable(),
  })
  .refine((input) => (input.templateId === null) !== (input.draft === null), 'exactly one of templateId and draft');
export type TemplateTestInput = z.infer<typeof ZTemplateTestInput>;

export type TemplateTestOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'invalid'; problems: { field: 'subject' | 'html' | 'text'; code: string }[] }
  | { outcome: 'skipped'; reasonCodes: string[] }
  | { outcome: 'failed'; smtpResponse: string }
  | { outcome: 'user_gone' | 'template_gone' };

/** One workflow per request (the request ID is minted by the API); it is also the Message-ID's key. */
export const templateTestWorkflowId = (userId: string, requestId: string): string => `template-test:${userId}:${requestId}`;
