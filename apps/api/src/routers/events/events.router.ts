import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import { audit } from '../../audit.ts';
import { recordContactEvent } from '../../interactions.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import { ZEmitEventInput, ZEmitEventOut } from './events.schema.ts';

const EMAIL_LIKE = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
/** Written the way people write phone numbers: with a country code (+, 00) or a trunk prefix (0). Dates and plain counters are not. */
const PHONE_CANDIDATE = /(?:\+|\b0)[\d\s()./-]{5,}\d/g;

/** What a detail value looks like, if it looks like a way to reach a person; null when it does not. */
export function personalDataIn(value: string, region: CountryCode): 'an e-mail address' | 'a phone number' | null {
  if (EMAIL_LIKE.test(value)) return 'an e-mail address';
  for (const candidate of value.match(PHONE_CANDIDATE) ?? []) {
    if (findPhoneNumbersInText(candidate, region).length > 0) return 'a phone number';
  }
  return null;
}

export const eventsRouter = router({
  /**
   * A named business event for a contact (`webinar.registered`), sent by an integration or a
   * marketer. It is recorded, reaches the contact's running journey enrolments as a signal
   * (name and ID only), and enrols the contact in the active journeys it starts. Details are
   * codes and IDs: a value that looks like an e-mail address or a phone number is refused, since
   * the event table and the journeys must not become a second store of contact data (Art. 5(1)(c)).
   */
  emit: procedureFor('admin', 'marketer')
    .input(ZEmitEventInput)
    .output(ZEmitEventOut)
    .mutation(async ({ ctx, input }) => {
      for (const [key, value] of Object.entries(input.details)) {
        const found = typeof value === 'string' ? personalDataIn(value, ctx.env.DEFAULT_PHONE_REGION) : null;
        if (found !== null) {
          const message = `details.${key} looks like ${found}: event details carry IDs and codes only, never personal data.`;
          throw new AppError('EVENT_DETAILS_PERSONAL_DATA', message, `details.${key}`, { [`details.${key}`]: [message] });
        }
      }
      const contact = await ctx.db.contact.findUnique({ where: { id: input.contactId }, select: { status: true } });
      if (!contact || contact.status === 'erased') throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.', 'contactId');
      if (contact.status !== 'active') {
        throw new AppError(
          'EVENT_CONTACT_NOT_ACTIVE',
          'This contact is restricted or awaiting erasure: no events are recorded for it (Art. 17, 18 GDPR).',
          'contactId',
        );
      }
      const result = await recordContactEvent(
        { db: ctx.db, temporal: ctx.temporal, suppressionKey: ctx.env.SUPPRESSION_KEY, taskQueue: ctx.env.TEMPORAL_TASK_QUEUE },
        {
          contactId: input.contactId,
          name: input.name,
          occurredAt: input.occurredAt ? new Date(input.occurredAt) : new Date(),
          details: input.details,
        },
      );
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'event.emit',
        entityType: 'contact',
        entityId: input.contactId,
        details: { name: input.name, eventId: result.eventId, enrolledIn: result.enrolledIn },
      });
      return result;
    }),
});
