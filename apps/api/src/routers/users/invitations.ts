import { randomBytes, randomUUID } from 'node:crypto';
import type { Prisma } from '@zweck/db';
import { hashToken } from '../../auth/session.ts';

/** An invitation link is valid this long (ASVS 5 V6.4.1: an initial secret expires after a short time). */
export const INVITATION_TTL_HOURS = 72;

/** The page of the admin UI that takes the token and sets the first password. */
export const invitationUrl = (publicUrl: string, token: string): string => new URL(`/welcome/${token}`, publicUrl).toString();

/**
 * A new one-time link for a user who has not set a password yet. Only the SHA-256 of the 256-bit
 * token is stored; the links issued before and not used are deleted, so that only the newest works.
 */
export async function issueInvitation(
  tx: Prisma.TransactionClient,
  userId: string,
  now = new Date(),
): Promise<{ id: string; token: string; expiresAt: Date; replaced: number }> {
  const { count: replaced } = await tx.userInvitation.deleteMany({ where: { userId, usedAt: null } });
  const token = randomBytes(32).toString('base64url'); // 256 bits
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_HOURS * 3_600_000);
  const id = randomUUID();
  await tx.userInvitation.create({ data: { id, userId, tokenHash: hashToken(token), createdAt: now, expiresAt } });
  return { id, token, expiresAt, replaced };
}

/**
 * True when the database refused a change because it would leave no active administrator (the
 * trigger `zweck_last_admin_guard` of migration 20261129194000_user_admin). The driver adapter
 * carries PostgreSQL's message inside the error Prisma throws; it is found there by its marker.
 */
export function isLastAdminViolation(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): boolean => {
    if (depth > 6 || value === null || seen.has(value)) return false;
    if (typeof value === 'string') return value.includes('LAST_ADMIN: There must be at least one active administrator');
    if (typeof value !== 'object') return false;
    seen.add(value);
    const record = value as Record<string, unknown>;
    return ['message', 'meta', 'cause', 'driverAdapterError', 'originalMessage'].some((key) => visit(record[key], depth + 1));
  };
  return visit(error, 0);
}
