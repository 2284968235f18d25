import { randomUUID } from 'node:crypto';
import { addMonths, differenceInCalendarDays } from 'date-fns';
import type { Client } from '@temporalio/client';
import { normalizeEmail, openRequester, requesterHash, sealRequester, type Db, type Prisma } from '@zweck/db';
import { InvalidUnsubscribeTokenError, verifyDsrVerifyToken } from '@zweck/mail/unsubscribe-token';
import { audit } from '../audit.ts';
import type { ApiEnv } from '../env.ts';
import { AppError } from '../trpc/errors.ts';
import type { DsrStatus, DsrType } from '../routers/requests/requests.schema.ts';
import { signalDsrUpdated } from './dsr.automation.ts';

type Tx = Prisma.TransactionClient;

export interface DsrDeps {
  db: Db;
  temporal: Client;
  env: Pick<ApiEnv, 'SUPPRESSION_KEY' | 'UNSUBSCRIBE_SECRET' | 'TEMPORAL_TASK_QUEUE' | 'DSR_REMINDER_DAYS'>;
}

/** Art. 12(3) sentence 1: without undue delay, at the latest one month after receipt. */
export const dueDateFor = (receivedAt: Date): Date => addMonths(receivedAt, 1);
/** Art. 12(3) sentence 2: the period may be extended by two further months. */
export const MAX_EXTENSION_MONTHS = 2;
export const latestExtensionFor = (dueAt: Date): Date => addMonths(dueAt, MAX_EXTENSION_MONTHS);

export const CLOSED_STATUSES: readonly DsrStatus[] = ['completed', 'rejected'];
/** Types whose action changes the data, after which recipients are told (Art. 19). */
export const ART19_TYPES = ['rectification', 'erasure', 'restriction'] as const;
export type Art19Change = (typeof ART19_TYPES)[number];

/** The reference the person and recipients see: short and without personal data. */
export const dsrReference = (requestId: string): string => `DSR-${requestId.slice(0, 8).toUpperCase()}`;

/** Whole calendar days until the due date in force (negative once it has passed). */
export const daysLeft = (effectiveDueAt: Date, now: Date): number => differenceInCalendarDays(effectiveDueAt, now);

export const automationOf = (deps: DsrDeps) => ({
  temporal: deps.temporal,
  taskQueue: deps.env.TEMPORAL_TASK_QUEUE,
  reminderDays: deps.env.DSR_REMINDER_DAYS,
});

/** A timeline entry; details hold IDs and codes only. */
export async function recordEvent(
  tx: Pick<Tx, 'dsrEvent'>,
  requestId: string,
  kind: string,
  actor: string,
  details: Prisma.InputJsonObject = {},
  idempotencyKey?: string,
): Promise<void> {
  await tx.dsrEvent.create({ data: { requestId, kind, actor, details, ...(idempotencyKey ? { idempotencyKey } : {}) } });
}

/** A request entered by staff, whose identity check they record; it enters the queue at once. */
export async function createStaffRequest(
  deps: DsrDeps,
  input: { type: DsrType; contactId: string; identityMethod: string; receivedAt?: string | undefined },
  actor: string,
  now = new Date(),
): Promise<{ id: string }> {
  const receivedAt = input.receivedAt ? new Date(input.receivedAt) : now;
  if (receivedAt.getTime() > now.getTime() + 60_000) {
    throw new AppError('REQUEST_RECEIVED_IN_FUTURE', 'A request cannot have been received in the future.', 'receivedAt');
  }
  const id = randomUUID();
  await deps.db.$transaction(async (tx) => {
    const contact = await tx.contact.findUnique({ where: { id: input.contactId }, select: { status: true } });
    if (!contact || contact.status === 'erased') throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.', 'contactId');
    await tx.dataSubjectRequest.create({
      data: {
        id,
        type: input.type,
        contactId: input.contactId,
        intake: 'staff',
        receivedAt,
        dueAt: dueDateFor(receivedAt),
        status: 'open',
        identityCheck: { method: input.identityMethod, verifiedAt: now.toISOString(), verifiedBy: actor },
        createdBy: actor,
      },
    });
    await recordEvent(tx, id, 'received', actor, { intake: 'staff', type: input.type });
    await recordEvent(tx, id, 'verified', actor, { method: input.identityMethod, matched: true });
    await audit(tx, {
      actor,
      action: 'dsr.create',
      entityType: 'data_subject_request',
      entityId: id,
      details: { type: input.type, contactId: input.contactId, intake: 'staff' },
    });
  });
  await signalDsrUpdated(automationOf(deps), id);
  return { id };
}

/**
 * A request from the public form. The address is kept only as a keyed hash and sealed (never in
 * clear), the workflow mails the verification link, and the answer to the person is the same
 * whether or not we know the address. A repeat of an unverified request of the same type and
 * address reuses it (no second mail flood).
 */
export async function intakeWebFormRequest(
  deps: DsrDeps,
  input: { email: string; type: DsrType },
  now = new Date(),
): Promise<{ id: string; isNew: boolean }> {
  const hash = requesterHash(deps.env.SUPPRESSION_KEY, input.email);
  const pending = await deps.db.dataSubjectRequest.findFirst({
    where: { requesterHash: hash, type: input.type, status: 'awaiting_verification' },
    select: { id: true },
  });
  if (pending) return { id: pending.id, isNew: false };
  const id = randomUUID();
  await deps.db.$transaction(async (tx) => {
    await tx.dataSubjectRequest.create({
      data: {
        id,
        type: input.type,
        intake: 'web_form',
        receivedAt: now,
        // The period runs from receipt, not from the verification: the earlier, the safer.
        dueAt: dueDateFor(now),
        status: 'awaiting_verification',
        requesterHash: hash,
        requesterSealed: sealRequester(deps.env.SUPPRESSION_KEY, input.email),
        createdBy: 'requester:web_form',
      },
    });
    await recordEvent(tx, id, 'received', 'requester:web_form', { intake: 'web_form', type: input.type });
    await audit(tx, {
      actor: 'requester:web_form',
      action: 'dsr.create',
      entityType: 'data_subject_request',
      entityId: id,
      details: { type: input.type, intake: 'web_form' },
    });
  });
  await signalDsrUpdated(automationOf(deps), id);
  return { id, isNew: true };
}

export type VerifyResult =
  | { status: 'verified'; requestId: string; matched: boolean }
  | { status: 'already_verified'; requestId: string }
  | { status: 'expired' | 'closed'; requestId: string };

/** The request a genuine token names; throws InvalidUnsubscribeTokenError for a forged or malformed one. */
export function claimsOf(secret: string, token: string) {
  return verifyDsrVerifyToken(secret, token);
}

/**
 * The click on the verification link (POST; the GET only asks). A genuine, unexpired token
 * verifies the request (method email_verification, the time), matches it to the contact that has
 * the address (or records that none has), and puts it in the queue.
 */
export async function verifyRequest(deps: DsrDeps, token: string, now = new Date()): Promise<VerifyResult> {
  const claims = verifyDsrVerifyToken(deps.env.UNSUBSCRIBE_SECRET, token);
  const result = await deps.db.$transaction(async (tx): Promise<VerifyResult> => {
    const [row] = await tx.$queryRaw<Array<{ status: DsrStatus; requester_sealed: string | null }>>`
      SELECT status, requester_sealed FROM data_subject_request WHERE id = ${claims.r}::uuid FOR UPDATE`;
    // A token names a request that existed when it was signed; gone means erased with its data.
    if (!row) throw new InvalidUnsubscribeTokenError();
    if (row.status === 'open' || row.status === 'in_progress') return { status: 'already_verified', requestId: claims.r };
    if (row.status !== 'awaiting_verification') return { status: 'closed', requestId: claims.r };
    if (now.getTime() >= Date.parse(claims.e) || row.requester_sealed === null) return { status: 'expired', requestId: claims.r };
    const email = openRequester(deps.env.SUPPRESSION_KEY, row.requester_sealed);
    const contact = await tx.contact.findFirst({
      where: { emailNormalized: normalizeEmail(email), status: { not: 'erased' } },
      select: { id: true },
    });
    await tx.dataSubjectRequest.update({
      where: { id: claims.r },
      data: {
        status: 'open',
        contactId: contact?.id ?? null,
        identityCheck: { method: 'email_verification', verifiedAt: now.toISOString(), verifiedBy: 'requester' },
      },
    });
    await recordEvent(tx, claims.r, 'verified', 'requester:web_form', { method: 'email_verification', matched: contact !== null });
    await audit(tx, {
      actor: 'requester:web_form',
      action: 'dsr.verify',
      entityType: 'data_subject_request',
      entityId: claims.r,
      details: { method: 'email_verification', contactId: contact?.id ?? null },
    });
    return { status: 'verified', requestId: claims.r, matched: contact !== null };
  });
  if (result.status === 'verified') await signalDsrUpdated(automationOf(deps), result.requestId);
  return result;
}

/** The request, locked for a change; refuses a closed one. */
export async function lockOpenRequest(tx: Tx, id: string) {
  await tx.$queryRaw`SELECT id FROM data_subject_request WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.dataSubjectRequest.findUnique({
    where: { id },
    select: { id: true, type: true, status: true, contactId: true, dueAt: true, extendedDueAt: true, intake: true },
  });
  if (!row) throw new AppError('REQUEST_NOT_FOUND', 'There is no such request.', 'id');
  if (CLOSED_STATUSES.includes(row.status))
    throw new AppError('REQUEST_CLOSED', 'This request is closed; nothing about it can change.', 'id');
  return row;
}

/**
 * Extend the period (Art. 12(3) sentence 2): by at most two months past the original due date,
 * with the reason, which the person must be told within the first month.
 */
export async function extendRequest(
  deps: DsrDeps,
  input: { id: string; extendedDueAt: string; reason: string },
  actor: string,
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const row = await lockOpenRequest(tx, input.id);
    const extended = new Date(input.extendedDueAt);
    const latest = latestExtensionFor(row.dueAt);
    if (extended.getTime() <= row.dueAt.getTime()) {
      throw new AppError('REQUEST_EXTENSION_INVALID', 'An extension must end after the original due date.', 'extendedDueAt');
    }
    if (extended.getTime() > latest.getTime()) {
      throw new AppError(
        'REQUEST_EXTENSION_TOO_LONG',
        `The period can be extended by at most two months, to ${latest.toISOString().slice(0, 10)} at the latest (Art. 12(3) GDPR).`,
        'extendedDueAt',
      );
    }
    await tx.dataSubjectRequest.update({ where: { id: input.id }, data: { extendedDueAt: extended, extensionReason: input.reason } });
    await recordEvent(tx, input.id, 'extended', actor, {
      from: (row.extendedDueAt ?? row.dueAt).toISOString(),
      to: extended.toISOString(),
    });
    await audit(tx, {
      actor,
      action: 'dsr.extend',
      entityType: 'data_subject_request',
      entityId: input.id,
      details: { to: extended.toISOString() },
    });
  });
  await signalDsrUpdated(automationOf(deps), input.id);
}

const NEXT_STATUSES: Record<DsrStatus, readonly DsrStatus[]> = {
  awaiting_verification: ['rejected'],
  open: ['in_progress', 'completed', 'rejected'],
  in_progress: ['open', 'completed', 'rejected'],
  completed: [],
  rejected: [],
};

/** Move the request on. Completing an erasure needs the verifier's clean report; rejecting needs the reason (Art. 12(4)). */
export async function setRequestStatus(
  deps: DsrDeps,
  input: { id: string; status: 'open' | 'in_progress' | 'completed' | 'rejected'; note?: string | undefined },
  actor: string,
  now = new Date(),
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const row = await lockOpenRequest(tx, input.id);
    if (!NEXT_STATUSES[row.status].includes(input.status)) {
      throw new AppError(
        'REQUEST_STATUS_INVALID',
        `A request that is ${row.status.replace('_', ' ')} cannot become ${input.status.replace('_', ' ')}.`,
        'status',
      );
    }
    const note = input.note?.trim() ? input.note.trim() : null;
    if (input.status === 'rejected' && note === null) {
      throw new AppError(
        'REQUEST_CLOSING_NOTE_REQUIRED',
        'Say why the request is refused: the person must be told (Art. 12(4) GDPR).',
        'note',
      );
    }
    if (input.status === 'completed' && row.type === 'erasure' && row.contactId !== null) {
      const report = await tx.dsrEvent.findFirst({
        where: { requestId: input.id, kind: 'erasure_verified' },
        orderBy: { at: 'desc' },
        select: { details: true },
      });
      const details = report?.details as { clean?: unknown } | undefined;
      if (details?.clean !== true) {
        throw new AppError(
          'REQUEST_ERASURE_NOT_VERIFIED',
          'The erasure is not done until the verifier finds nothing in any store.',
          'status',
        );
      }
    }
    const closing = CLOSED_STATUSES.includes(input.status);
    await tx.dataSubjectRequest.update({
      where: { id: input.id },
      data: { status: input.status, ...(closing ? { closedAt: now, closingNote: note } : {}) },
    });
    await recordEvent(tx, input.id, 'status_changed', actor, { from: row.status, to: input.status });
    await audit(tx, {
      actor,
      action: 'dsr.status',
      entityType: 'data_subject_request',
      entityId: input.id,
      details: { from: row.status, to: input.status },
    });
  });
  await signalDsrUpdated(automationOf(deps), input.id);
}
