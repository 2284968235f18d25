import { randomUUID } from 'node:crypto';
import type { Db, Prisma } from '@zweck/db';
import { screenSpecialCategories } from '@zweck/policy';
import type { Logger } from 'pino';
import { z } from 'zod';
import { audit } from '../audit.ts';
import type { SessionUser } from '../trpc/context.ts';
import { AppError } from '../trpc/errors.ts';

/**
 * Need to know at record level (Art. 5(1)(f), 25(2), 32 GDPR; ASVS 5 V8.2.2, V8.3.x). One place
 * decides whether a member of staff may see one contact's personal data, and every read of it is
 * written to the audit log:
 * - the DPO and administrators see every contact (their reads are audited all the same);
 * - sales sees the contacts it owns, those of the reps it manages, and those of the leads it (or
 *   its team) owns: exactly the leads it can open (`visibleTo` in the leads router);
 * - marketers work with lists, segments and aggregates, and open one contact only with a reason
 *   they give (`contacts.open`), valid 8 hours for that user and that contact; a contact they
 *   created themselves in the last 8 hours (typed in or imported) they may open without one;
 * - a contact the user may not see answers NOT_FOUND, exactly like an ID that does not exist.
 */

/** How long a marketer's reason to open one contact holds. */
export const CONTACT_ACCESS_HOURS = 8;
const ACCESS_MS = CONTACT_ACCESS_HOURS * 3_600_000;
/** The record and the provenance of its creation are written in one transaction; a minute covers clock and commit. */
const CREATION_SLACK_MS = 60_000;

export const CONTACT_ACCESS_REASONS = ['campaign_check', 'data_subject_request', 'correction', 'complaint', 'other'] as const;
export const ZContactAccessReason = z.enum(CONTACT_ACCESS_REASONS);
export type ContactAccessReason = z.infer<typeof ZContactAccessReason>;

export const ZOpenContactInput = z
  .object({
    id: z.uuid('Not a contact ID'),
    reason: ZContactAccessReason,
    note: z.string().trim().max(500, 'At most 500 characters').optional(),
  })
  .superRefine((input, check) => {
    if (input.reason === 'other' && !input.note) {
      check.addIssue({ code: 'custom', path: ['note'], message: 'Say what the other reason is' });
    }
  });
export type OpenContactInput = z.infer<typeof ZOpenContactInput>;

/**
 * On what ground the user sees the contact: their role (`dpo`, `admin`), ownership (`owner`: the
 * contact or one of its leads is theirs; `team`: a rep they manage owns it), a reason they gave
 * (`reason`), or having entered it themselves moments ago (`creator`).
 */
export type ContactAccessBasis = 'dpo' | 'admin' | 'owner' | 'team' | 'reason' | 'creator';

export interface ContactAccess {
  contactId: string;
  basis: ContactAccessBasis;
  /** The logged reason, where the access rests on one (a marketer's; an admin's when they gave one). */
  reason: ContactAccessReason | null;
  /** The `contact_access` row that holds the reason and its note. */
  grantId: string | null;
  /** When the reason stops holding. */
  expiresAt: Date | null;
}

interface AccessContext {
  db: Db;
  user: SessionUser;
  log: Pick<Logger, 'warn'>;
}

/** Prisma's where for the leads a sales user may open: their own and their team's. */
const leadsOf = (user: SessionUser): Prisma.LeadWhereInput => ({
  OR: [{ ownerId: user.id }, { owner: { salesRep: { managerId: user.id } } }],
});

/**
 * The contacts a user may find in lists. Sales: owned, the team's, and those of leads it or its
 * team owns. DPO, admin and marketers: all (a marketer lists them but opens one only with a reason).
 */
export function contactVisibilityWhere(user: SessionUser): Prisma.ContactWhereInput {
  if (user.role !== 'sales') return {};
  return {
    OR: [{ ownerId: user.id }, { owner: { salesRep: { managerId: user.id } } }, { leads: { some: leadsOf(user) } }],
  };
}

const notFound = (): AppError => new AppError('CONTACT_NOT_FOUND', 'There is no such contact.');

/** The current reason `user` gave to open the contact, if one still holds. */
async function currentGrant(db: Db, userId: string, contactId: string, now: Date) {
  return db.contactAccess.findFirst({
    where: { userId, contactId, expiresAt: { gt: now } },
    orderBy: { expiresAt: 'desc' },
    select: { id: true, reason: true, expiresAt: true },
  });
}

/**
 * Whether the signed-in user may see this contact's personal data, and on what ground. Throws
 * CONTACT_NOT_FOUND for a contact they may not see (the same answer as for an ID that does not
 * exist, and nothing of the record in it) and CONTACT_REASON_REQUIRED for a marketer who has not
 * said why they open it.
 */
export async function assertContactVisible(ctx: AccessContext, contactId: string): Promise<ContactAccess> {
  try {
    return await decideAccess(ctx, contactId);
  } catch (error) {
    // A refused attempt is a security event (ASVS V16.3.2): who tried which ID, and the answer, in
    // the log (IDs and codes only), as the CSRF check logs its refusals. Not in the audit table: a
    // refused call writes nothing to the database.
    if (error instanceof AppError) {
      ctx.log.warn(
        { userId: ctx.user.id, role: ctx.user.role, contactId: isUuid(contactId) ? contactId : null, code: error.code },
        'contact access refused',
      );
    }
    throw error;
  }
}

/** Any 8-4-4-4-12 hex ID PostgreSQL takes as a uuid (not only RFC 9562 versions). */
const isUuid = (value: string): boolean => z.guid().safeParse(value).success;

async function decideAccess(ctx: AccessContext, contactId: string): Promise<ContactAccess> {
  const { db, user } = ctx;
  // A malformed ID is as unknown as any other (the database would reject it as a UUID).
  if (!isUuid(contactId)) throw notFound();
  const none = { reason: null, grantId: null, expiresAt: null };

  if (user.role === 'sales') {
    const contact = await db.contact.findFirst({
      where: { id: contactId, ...contactVisibilityWhere(user) },
      select: { ownerId: true, leads: { where: { ownerId: user.id }, select: { id: true }, take: 1 } },
    });
    if (!contact) throw notFound();
    const isOwn = contact.ownerId === user.id || contact.leads.length > 0;
    return { contactId, basis: isOwn ? 'owner' : 'team', ...none };
  }

  const contact = await db.contact.findUnique({ where: { id: contactId }, select: { createdAt: true } });
  if (!contact) throw notFound();
  if (user.role === 'dpo') return { contactId, basis: 'dpo', ...none };

  const now = new Date();
  const grant = await currentGrant(db, user.id, contactId, now);
  if (user.role === 'admin') {
    return { contactId, basis: 'admin', reason: grant?.reason ?? null, grantId: grant?.id ?? null, expiresAt: grant?.expiresAt ?? null };
  }
  if (grant) return { contactId, basis: 'reason', reason: grant.reason, grantId: grant.id, expiresAt: grant.expiresAt };

  // A marketer who created the record in the last 8 hours (typed it in, or imported it from their
  // file) has seen everything it holds: the record's creation is theirs. A merge into an existing
  // record by an import is not a creation (the record is older than its import).
  const createdAt = contact.createdAt.getTime();
  if (createdAt > now.getTime() - ACCESS_MS) {
    const created = await db.provenance.findFirst({
      where: {
        contactId,
        field: null,
        source: { in: ['staff_entry', 'import'] },
        actor: `user:${user.id}`,
        recordedAt: { gte: new Date(createdAt - CREATION_SLACK_MS), lte: new Date(createdAt + CREATION_SLACK_MS) },
      },
      select: { id: true },
    });
    if (created) return { contactId, basis: 'creator', reason: null, grantId: null, expiresAt: new Date(createdAt + ACCESS_MS) };
  }

  throw new AppError('CONTACT_REASON_REQUIRED', 'Say why you open this contact: the reason is logged.');
}

/**
 * Writes one `contact.read` audit entry: who read which contact, in which view, on what ground.
 * IDs and codes only: the note of a reason stays in `contact_access` (named by `grantId`).
 */
export async function auditContactRead(
  ctx: AccessContext,
  contactId: string,
  access: ContactAccess,
  what: string,
  /** More IDs or keys the view wants on record (a lead's ID, the field keys shown). */
  extra: Record<string, string | string[] | null> = {},
): Promise<void> {
  await audit(ctx.db, {
    actor: `user:${ctx.user.id}`,
    action: 'contact.read',
    entityType: 'contact',
    entityId: contactId,
    details: { ...extra, view: what, basis: access.basis, reason: access.reason, grantId: access.grantId },
  });
}

/**
 * Records a marketer's (or administrator's) reason to open one contact; it holds for 8 hours.
 * The note is free text typed by staff: it is screened like every such text (no special
 * categories, Art. 9(1)) and never copied into the audit log.
 */
export async function grantContactAccess(ctx: AccessContext, input: OpenContactInput): Promise<{ expiresAt: Date }> {
  const contact = await ctx.db.contact.findUnique({ where: { id: input.id }, select: { id: true } });
  if (!contact) throw notFound();
  const note = input.note ? input.note : null;
  if (note) {
    const [special] = screenSpecialCategories(note);
    if (special) {
      throw new AppError(
        'SPECIAL_CATEGORY_DATA',
        `note: this text seems to contain ${special.category.replace(/_/g, ' ')} data ("${special.term}"), which may not be stored (Art. 9(1) GDPR).`,
        'note',
      );
    }
  }
  const grantedAt = new Date();
  const expiresAt = new Date(grantedAt.getTime() + ACCESS_MS);
  const id = randomUUID();
  await ctx.db.$transaction(async (tx) => {
    await tx.contactAccess.create({
      data: { id, userId: ctx.user.id, contactId: input.id, reason: input.reason, note, grantedAt, expiresAt },
    });
    await audit(tx, {
      actor: `user:${ctx.user.id}`,
      action: 'contact.access_granted',
      entityType: 'contact',
      entityId: input.id,
      details: { reason: input.reason, grantId: id, expiresAt: expiresAt.toISOString(), hasNote: note !== null },
    });
  });
  return { expiresAt };
}
