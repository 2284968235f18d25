import { z } from 'zod';

export const ZStoredMessageSummary = z.object({
  id: z.string(),
  receivedAt: z.string(),
  envelopeFrom: z.string().nullable(),
  envelopeTo: z.array(z.string()),
  subject: z.string(),
  from: z.string(),
  to: z.string(),
  messageId: z.string().nullable(),
  size: z.number().int(),
});
export type StoredMessageSummary = z.infer<typeof ZStoredMessageSummary>;

export const ZStoredMessage = ZStoredMessageSummary.extend({
  /** Header lines as received, in order (name as written, value unfolded). */
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
  text: z.string().nullable(),
  html: z.string().nullable(),
});
export type StoredMessage = z.infer<typeof ZStoredMessage>;
