import { randomUUID } from 'node:crypto';
import type { Prisma } from '@zweck/db';
import { addMonths } from 'date-fns';

/**
 * The Art. 14 duty clock's start: data about a person that did not come from them (an import of a
 * list, an event partner's list, an API client) obliges us to inform them within a reasonable
 * period, at the latest one month after we obtained it (Art. 14(3)(a) GDPR). One duty per
 * contact and source reference; the daily run (`art14NoticeWorkflow`) sends the notice.
 */

/** The exemptions of Art. 14(5), by letter. */
export const ART14_EXEMPTIONS = ['already_informed', 'impossible_or_disproportionate', 'required_by_law', 'professional_secrecy'] as const;
export type Art14Exemption = (typeof ART14_EXEMPTIONS)[number];

/** One month, in calendar terms (date-fns: 31 January + 1 month is 28/29 February, as Art. 14(3)(a) is read). */
export const art14DueAt = (collectedAt: Date): Date => addMonths(collectedAt, 1);

export async function recordArt14Duties(
  tx: Pick<Prisma.TransactionClient, 'art14Duty'>,
  contactIds: readonly string[],
  origin: { source: string; reference: string; collectedAt: Date },
): Promise<number> {
  if (contactIds.length === 0) return 0;
  const dueAt = art14DueAt(origin.collectedAt);
  const { count } = await tx.art14Duty.createMany({
    data: [...new Set(contactIds)].map((contactId) => ({
      id: randomUUID(),
      contactId,
      source: origin.source,
      reference: origin.reference,
      collectedAt: origin.collectedAt,
      dueAt,
    })),
    // The same contact and source twice (a retried commit) is one duty.
    skipDuplicates: true,
  });
  return count;
}
