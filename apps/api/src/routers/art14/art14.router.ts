import { screenSpecialCategories } from '@zweck/policy';
import { z } from 'zod';
import { ART14_EXEMPTIONS } from '../../art14/art14-duties.ts';
import { audit } from '../../audit.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';

const ZDutyStatusFilter = z.enum(['open', 'notified', 'exempt', 'all']).default('open');

/** Other ways the DPO may have informed the person, after a reminder that the product could not mail. */
export const ART14_MANUAL_METHODS = ['letter', 'phone', 'in_person', 'other_email'] as const;

const note = z
  .string()
  .trim()
  .min(10, 'Say in a sentence why, and what was done instead (Art. 14(5)(b) asks for appropriate measures)')
  .max(2000, 'At most 2,000 characters');

const DUTY_SELECT = {
  id: true,
  source: true,
  reference: true,
  collectedAt: true,
  dueAt: true,
  status: true,
  exemption: true,
  exemptionNote: true,
  notifiedAt: true,
  method: true,
  dpoRemindedAt: true,
  reasonCodes: true,
  contact: { select: { id: true, firstName: true, lastName: true, email: true, status: true } },
} as const;

const ZDuty = z.object({
  id: z.string(),
  source: z.string(),
  reference: z.string(),
  collectedAt: z.date(),
  dueAt: z.date(),
  status: z.enum(['open', 'notified', 'exempt']),
  exemption: z.string().nullable(),
  exemptionNote: z.string().nullable(),
  notifiedAt: z.date().nullable(),
  method: z.string().nullable(),
  dpoRemindedAt: z.date().nullable(),
  reasonCodes: z.array(z.string()),
  /** The person, for the DPO's list (an erased contact shows no name). */
  contact: z.object({ id: z.string(), name: z.string(), email: z.string().nullable() }),
});

type DutyRow = {
  contact: { id: string; firstName: string | null; lastName: string | null; email: string; status: string };
} & Omit<z.infer<typeof ZDuty>, 'contact'>;

const toDuty = ({ contact, ...duty }: DutyRow): z.infer<typeof ZDuty> => {
  const erased = contact.status === 'erased';
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return { ...duty, contact: { id: contact.id, name: erased ? '(erased)' : name || contact.email, email: erased ? null : contact.email } };
};

/** Free text of the DPO, screened like every staff text (Art. 9(1)). */
function checkNote(text: string): void {
  const [special] = screenSpecialCategories(text);
  if (special) {
    throw new AppError(
      'SPECIAL_CATEGORY_DATA',
      `note: this text seems to contain ${special.category.replace(/_/g, ' ')} data ("${special.term}"), which may not be stored (Art. 9(1) GDPR).`,
      'note',
    );
  }
}

/**
 * The Art. 14 duty clock for the DPO: who has to be informed about data we did not collect from
 * them, by when, and what became of it. The daily run mails the notices; here the DPO records an
 * exemption (Art. 14(5)) or that they informed the person another way.
 */
export const art14Router = router({
  list: procedureFor('dpo', 'admin')
    .input(z.object({ status: ZDutyStatusFilter }).default({ status: 'open' }))
    .output(z.array(ZDuty))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.art14Duty.findMany({
        where: input.status === 'all' ? {} : { status: input.status },
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        take: 500,
        select: DUTY_SELECT,
      });
      return rows.map(toDuty);
    }),

  /** Art. 14(5): the person has the information already (a), informing is impossible or disproportionate (b), the law provides for the disclosure (c), or professional secrecy (d). */
  markExempt: procedureFor('dpo')
    .input(z.object({ id: z.uuid('Not a duty ID'), exemption: z.enum(ART14_EXEMPTIONS), note }))
    .output(ZDuty)
    .mutation(async ({ ctx, input }) => {
      checkNote(input.note);
      return ctx.db.$transaction(async (tx) => {
        const updated = await tx.art14Duty.updateMany({
          where: { id: input.id, status: 'open' },
          data: { status: 'exempt', exemption: input.exemption, exemptionNote: input.note, decidedBy: `user:${ctx.user.id}` },
        });
        if (updated.count === 0) {
          const exists = await tx.art14Duty.count({ where: { id: input.id } });
          throw exists
            ? new AppError('ART14_DUTY_NOT_OPEN', 'This duty is settled already.', 'id')
            : new AppError('ART14_DUTY_NOT_FOUND', 'There is no such duty.', 'id');
        }
        const duty = await tx.art14Duty.findUniqueOrThrow({ where: { id: input.id }, select: DUTY_SELECT });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'art14.exempt',
          entityType: 'contact',
          entityId: duty.contact.id,
          details: { dutyId: duty.id, exemption: input.exemption },
        });
        return toDuty(duty);
      });
    }),

  /** The DPO informed the person another way (after the product could not mail them). */
  markNotified: procedureFor('dpo')
    .input(z.object({ id: z.uuid('Not a duty ID'), method: z.enum(ART14_MANUAL_METHODS), note: note.optional() }))
    .output(ZDuty)
    .mutation(async ({ ctx, input }) => {
      if (input.note) checkNote(input.note);
      return ctx.db.$transaction(async (tx) => {
        const updated = await tx.art14Duty.updateMany({
          where: { id: input.id, status: 'open' },
          data: {
            status: 'notified',
            method: input.method,
            notifiedAt: new Date(),
            exemptionNote: input.note ?? null,
            decidedBy: `user:${ctx.user.id}`,
          },
        });
        if (updated.count === 0) {
          const exists = await tx.art14Duty.count({ where: { id: input.id } });
          throw exists
            ? new AppError('ART14_DUTY_NOT_OPEN', 'This duty is settled already.', 'id')
            : new AppError('ART14_DUTY_NOT_FOUND', 'There is no such duty.', 'id');
        }
        const duty = await tx.art14Duty.findUniqueOrThrow({ where: { id: input.id }, select: DUTY_SELECT });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'art14.notified',
          entityType: 'contact',
          entityId: duty.contact.id,
          details: { dutyId: duty.id, method: input.method },
        });
        return toDuty(duty);
      });
    }),
});
