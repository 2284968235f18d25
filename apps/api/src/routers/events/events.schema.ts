import { ZEventName } from '@zweck/journeys';
import { z } from 'zod';

/** At most this many details per event; they are codes and IDs, not a document. */
export const MAX_EVENT_DETAILS = 20;

/** A detail's key: a code (`plan`, `webinar_id`), never free text. */
const ZDetailKey = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'a detail key is lower-case letters, digits and "_" (at most 40)');
const ZDetailValue = z.union([z.string().max(200), z.number().finite(), z.boolean(), z.null()]);

export const ZEmitEventInput = z.object({
  contactId: z.uuid('Not a contact ID'),
  name: ZEventName,
  /** When it happened; absent: now. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  details: z
    .record(ZDetailKey, ZDetailValue)
    .refine((d) => Object.keys(d).length <= MAX_EVENT_DETAILS, { message: `at most ${MAX_EVENT_DETAILS} details` })
    .default({}),
});
export type EmitEventInput = z.infer<typeof ZEmitEventInput>;

export const ZEmitEventOut = z.object({
  eventId: z.string(),
  /** The journeys the event enrolled the contact in (their trigger is this event). */
  enrolledIn: z.array(z.uuid()),
});
