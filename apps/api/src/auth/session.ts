import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '@zweck/db';
import type { SessionUser } from '../trpc/context.ts';

export const SESSION_COOKIE = 'zweck_session';

/** Only the hash of a session token is stored: a leaked database does not hand out sessions. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function createSession(
  db: Db,
  userId: string,
  ttlHours: number,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url'); // 256 bits
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  await db.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

export async function findSessionUser(db: Db, token: string, now = new Date()): Promise<{ user: SessionUser; tokenHash: string } | null> {
  const tokenHash = hashToken(token);
  const session = await db.session.findUnique({
    where: { tokenHash },
    select: { expiresAt: true, user: { select: { id: true, email: true, displayName: true, role: true, isActive: true } } },
  });
  if (!session || session.expiresAt <= now || !session.user.isActive) return null;
  const { isActive: _active, ...user } = session.user;
  return { user, tokenHash };
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash } });
}
