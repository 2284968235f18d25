import { z } from 'zod';
import { ZContactValuesInput } from '../contacts/contacts.schema.ts';

export const ZDsrType = z.enum(['access', 'rectification', 'erasure', 'restriction', 'portability', 'objection', 'origin_inquiry']);
export type DsrType = z.infer<typeof ZDsrType>;
export const ZDsrStatus = z.enum(['awaiting_verification', 'open', 'in_progress', 'completed', 'rejected']);
export type DsrStatus = z.infer<typeof ZDsrStatus>;
/** How staff (or the form's link) established who is asking (Art. 12(6) GDPR). */
export const ZIdentityMethod = z.enum(['email_verification', 'known_address', 'in_person', 'id_document', 'phone_callback', 'other']);

export const ZRequestId = z.object({ id: z.uuid('Not a request ID') });

export const ZListRequestsInput = z.object({
  status: z.enum(['active', 'closed', 'all']).default('active'),
  type: ZDsrType.optional(),
  /** Only requests past their due date (overdue), or due within this many days. */
  due: z.enum(['overdue', 'within_7_days']).optional(),
  limit: z.number().int().min(1).max(200).default(100),
});

export const ZCreateRequestInput = z.object({
  type: ZDsrType,
  contactId: z.uuid('Pick a contact'),
  identityMethod: ZIdentityMethod.exclude(['email_verification']),
  /** When the request reached us (a letter may arrive before it is entered); default now. */
  receivedAt: z.iso.datetime({ offset: true, message: 'Enter a date and time' }).optional(),
});

export const ZExtendRequestInput = z.object({
  id: z.uuid('Not a request ID'),
  extendedDueAt: z.iso.datetime({ offset: true, message: 'Enter a date' }),
  reason: z
    .string()
    .trim()
    .min(10, 'Give the reason the person will be told (at least 10 characters)')
    .max(1000, 'At most 1000 characters'),
});

export const ZSetStatusInput = z.object({
  id: z.uuid('Not a request ID'),
  status: z.enum(['open', 'in_progress', 'completed', 'rejected']),
  note: z.string().trim().max(2000, 'At most 2000 characters').optional(),
});

export const ZRectifyInput = z.object({ id: z.uuid('Not a request ID'), values: ZContactValuesInput });
export const ZEraseInput = z.object({ id: z.uuid('Not a request ID'), mode: z.enum(['erase', 'anonymize']).default('erase') });

export const ZRequestListItem = z.object({
  id: z.string(),
  reference: z.string(),
  type: ZDsrType,
  intake: z.enum(['staff', 'web_form']),
  status: ZDsrStatus,
  contactId: z.string().nullable(),
  receivedAt: z.string(),
  dueAt: z.string(),
  /** The due date in force (the extended one where there is one). */
  effectiveDueAt: z.string(),
  isExtended: z.boolean(),
  /** Whole days left until the due date in force (negative: overdue); null once closed. */
  daysLeft: z.number().int().nullable(),
  isOverdue: z.boolean(),
});
export type RequestListItem = z.infer<typeof ZRequestListItem>;

export const ZTimelineEntry = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.string(),
  actor: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const ZNoticeOut = z.object({
  id: z.string(),
  processorId: z.string(),
  processorName: z.string().nullable(),
  change: z.string(),
  status: z.string(),
  sentAt: z.string().nullable(),
  messageId: z.string().nullable(),
});

export const ZErasureReport = z.object({
  workflowStatus: z.string(),
  verifiedAt: z.string().nullable(),
  clean: z.boolean().nullable(),
  hits: z.array(z.object({ store: z.string(), where: z.string(), count: z.number() })),
});

export const ZRequestOut = ZRequestListItem.extend({
  extendedDueAt: z.string().nullable(),
  extensionReason: z.string().nullable(),
  latestExtension: z.string(),
  identityCheck: z.object({ method: z.string(), verifiedAt: z.string(), verifiedBy: z.string() }).nullable(),
  closingNote: z.string().nullable(),
  closedAt: z.string().nullable(),
  createdBy: z.string(),
  contact: z
    .object({
      id: z.string(),
      email: z.string(),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      phone: z.string().nullable(),
      organization: z.string().nullable(),
      status: z.string(),
      objectedAt: z.string().nullable(),
    })
    .nullable(),
  timeline: z.array(ZTimelineEntry),
  notices: z.array(ZNoticeOut),
  archives: z.array(z.object({ producedAt: z.string(), sha256: z.string() })),
  erasure: ZErasureReport.nullable(),
});
export type RequestOut = z.infer<typeof ZRequestOut>;
