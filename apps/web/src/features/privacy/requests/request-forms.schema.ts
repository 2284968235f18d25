import { z } from 'zod';

const pathGuard =
  <const P extends readonly string[]>(paths: P) =>
  (path: string): path is P[number] =>
    (paths as readonly string[]).includes(path);

/** A request entered by staff: whose, which right, how the identity was checked (the API checks the same). */
export const ZNewRequestForm = z.object({
  contactId: z.uuid('Choose the contact the request is about'),
  type: z.enum(['access', 'rectification', 'erasure', 'restriction', 'portability', 'objection', 'origin_inquiry']),
  identityMethod: z.enum(['known_address', 'in_person', 'id_document', 'phone_callback', 'other']),
});
export type NewRequestFormValues = z.infer<typeof ZNewRequestForm>;
export const isNewRequestPath = pathGuard(['contactId', 'type', 'identityMethod'] as const);

/** The extension: a day within two months after the original due date, and the reason the person is told. */
export const ZExtendForm = z.object({
  extendedOn: z.iso.date('A date as YYYY-MM-DD'),
  reason: z
    .string()
    .trim()
    .min(10, 'Give the reason the person will be told (at least 10 characters)')
    .max(1000, 'At most 1000 characters'),
});
export type ExtendFormValues = z.infer<typeof ZExtendForm>;
export const isExtendPath = (path: string): path is 'extendedOn' | 'reason' => path === 'reason' || path === 'extendedOn';

/** The chosen day at the original due date's time of day: the limit of two months is exact to the minute. */
export const extendedDueAt = (day: string, dueAt: string): string => `${day}T${dueAt.slice(11)}`;

export const ZStatusForm = z.object({
  status: z.enum(['open', 'in_progress', 'completed', 'rejected']),
  note: z.string().max(2000, 'At most 2000 characters'),
});
export type StatusFormValues = z.infer<typeof ZStatusForm>;
export const isStatusPath = pathGuard(['status', 'note'] as const);

export const ZRectifyForm = z.object({
  email: z.string().trim().pipe(z.email('Enter a valid e-mail address, like name@example.org')),
  firstName: z.string().trim().max(100, 'At most 100 characters'),
  lastName: z.string().trim().max(100, 'At most 100 characters'),
  phone: z.string().trim().max(40, 'At most 40 characters'),
  organization: z.string().trim().max(200, 'At most 200 characters'),
});
export type RectifyFormValues = z.infer<typeof ZRectifyForm>;
export const isRectifyPath = pathGuard(['email', 'firstName', 'lastName', 'phone', 'organization'] as const);
