import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '@zweck/db';
import type { SessionUser } from '../trpc/context.ts';

/**
 * The `__Host-` prefix makes the browser refuse the cookie unless it is Secure, has Path=/ and no
 * Domain: no sibling subdomain can set or overwrite it (session fixation through a subdomain).
 * Chromium keeps Secure cookies on http://localhost and http://127.0.0.1 (both count as
 * potentially trustworthy origins), so development and the e2e tests use the same cookie.
 */
export const SESSION_COOKIE = '__Host-zweck_session';

/** Idle timeout when the caller has no configuration at hand; the API's env sets the real one. */
export const DEFAULT_IDLE_MINUTES = 30;

/** lastSeenAt is written at most this often: one write a minute per session, not one per request. */
const TOUCH_EVERY_MS = 60_000;

/** Only the hash of a session token is stored: a leaked database does not hand out sessions. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * A fresh token of 256 random bits; `ttlHours` is the absolute lifetime, counted from sign-in. A
 * session with `secondFactorPending` was opened by the password alone: it signs nobody in and
 * serves only the second step (auth/totp.ts).
 */
export async function createSession(
  db: Db,
  userId: string,
  ttlHours: number,
  now = new Date(),
  options: { secondFactorPending?: boolean } = {},
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url'); // 256 bits
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  await db.session.create({
    data: {
      tokenHash: hashToken(token),
      userId,
      expiresAt,
      createdAt: now,
      lastSeenAt: now,
      secondFactorPending: options.secondFactorPending ?? false,
    },
  });
  return { token, expiresAt };
}

/**
 * The user behind a session token, or null when there is none, it passed its absolute lifetime,
 * it was idle too long, or the user was deactivated. An ended session is deleted at once. A
 * session still waiting for its second factor counts as none, unless `allowSecondFactorPending`
 * (only the tRPC context asks, for the second-factor procedures).
 */
export async function findSessionUser(
  db: Db,
  token: string,
  options: { idleMinutes?: number; now?: Date; allowSecondFactorPending?: boolean } = {},
): Promise<{ user: SessionUser; tokenHash: string; secondFactorPending: boolean } | null> {
  const now = options.now ?? new Date();
  const idleMs = (options.idleMinutes ?? DEFAULT_IDLE_MINUTES) * 60_000;
  const tokenHash = hashToken(token);
  const session = await db.session.findUnique({
    where: { tokenHash },
    select: {
      expiresAt: true,
      lastSeenAt: true,
      secondFactorPending: true,
      user: { select: { id: true, email: true, displayName: true, role: true, isActive: true } },
    },
  });
  if (!session) return null;
  if (session.expiresAt <= now || session.lastSeenAt.getTime() + idleMs <= now.getTime() || !session.user.isActive) {
    await deleteSession(db, tokenHash);
    return null;
  }
  if (session.secondFactorPending && !options.allowSecondFactorPending) return null;
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await db.session.updateMany({ where: { tokenHash }, data: { lastSeenAt: now } });
  }
  const { isActive: _active, ...user } = session.user;
  return { user, tokenHash, secondFactorPending: session.secondFactorPending };
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash } });
}

/** After a password change every other session of the user ends (ASVS 7.4.3). */
export async function deleteOtherSessions(db: Db, userId: string, keepTokenHash: string | null): Promise<number> {
  const { count } = await db.session.deleteMany({
    where: { userId, ...(keepTokenHash ? { tokenHash: { not: keepTokenHash } } : {}) },
  });
  return count;
}
