import { randomUUID } from 'node:crypto';
import type { Db, Prisma } from '@zweck/db';
import { subMonths } from 'date-fns';

/** A contact whose data the retention tests follow: name and address are what erasure must remove. */
export async function retentionContact(
  db: Db,
  label: string,
  options: { createdAt: Date; consents?: Array<{ purposeId: string; at: Date }>; events?: Array<{ name: string; at: Date }> },
): Promise<string> {
  const id = randomUUID();
  const email = `${label}-${id.slice(0, 8)}@people.example`;
  await db.contact.create({
    data: {
      id,
      email,
      emailNormalized: email,
      firstName: `Rosalind-${label}`,
      lastName: 'Quendt',
      phone: '+49 30 1234567',
      createdAt: options.createdAt,
    },
  });
  for (const consent of options.consents ?? []) {
    await db.consentEvent.create({
      data: {
        contactId: id,
        purposeId: consent.purposeId,
        channel: 'email',
        kind: 'granted',
        occurredAt: consent.at,
        method: 'web_form',
        source: 'test',
        actor: 'contact',
      },
    });
  }
  for (const event of options.events ?? []) {
    await db.contactEvent.create({ data: { contactId: id, name: event.name, occurredAt: event.at } });
  }
  return id;
}

export const monthsAgo = (now: Date, months: number): Date => subMonths(now, months);

export async function retentionPolicy(
  db: Db,
  values: Omit<Prisma.RetentionPolicyUncheckedCreateInput, 'scopeKind'> & { scopeKind?: 'purpose' | 'data_category' },
): Promise<string> {
  const row = await db.retentionPolicy.create({ data: { scopeKind: 'purpose', ...values }, select: { id: true } });
  return row.id;
}

/** What the API's approve/reject writes before it signals the run's workflow. */
export async function decideRunInDb(db: Db, runId: string, status: 'approved' | 'rejected', userId: string): Promise<void> {
  const updated = await db.retentionRun.updateMany({
    where: { id: runId, status: 'pending_approval' },
    data: {
      status,
      approvedBy: userId,
      approvedAt: new Date(),
      ...(status === 'rejected' ? { decisionNote: 'Not now: the archive is being reviewed' } : {}),
    },
  });
  if (updated.count !== 1) throw new Error(`run ${runId} was not pending`);
}
