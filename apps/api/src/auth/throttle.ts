import { createHmac, hkdfSync } from 'node:crypto';
import type { Db } from '@zweck/db';

/**
 * Sign-in throttling (ASVS 5 V6.3.1), counted in PostgreSQL so that every API instance sees the
 * same failures and a restart forgets nothing. Failures are counted per account (the address
 * typed, whether or not an account has it, so that the answer never tells which) and per client
 * address. Both are stored as keyed hashes only and pruned once they leave the window.
 */
export interface ThrottleConfig {
  windowMinutes: number;
  maxPerAccount: number;
  maxPerAddress: number;
}

export interface ThrottleKeys {
  accountKey: string;
  addressKey: string;
}

/** A key of its own for these hashes, derived from the installation's keyed-hash secret. */
const throttleKey = (secret: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'zweck', 'sign-in-throttle', 32));

const keyed = (key: Buffer, value: string): string => createHmac('sha256', key).update(value).digest('base64url');

export function throttleKeys(secret: string, email: string, ip: string | null): ThrottleKeys {
  const key = throttleKey(secret);
  return { accountKey: keyed(key, `account:${email.trim().toLowerCase()}`), addressKey: keyed(key, `address:${ip ?? 'unknown'}`) };
}

/** Seconds until the next attempt may be made, or null when the attempt may go ahead. */
export async function retryAfterSeconds(db: Db, keys: ThrottleKeys, config: ThrottleConfig, now = new Date()): Promise<number | null> {
  const windowMs = config.windowMinutes * 60_000;
  const since = new Date(now.getTime() - windowMs);
  const waits = await Promise.all(
    [
      { where: { accountKey: keys.accountKey, failedAt: { gt: since } }, max: config.maxPerAccount },
      { where: { addressKey: keys.addressKey, failedAt: { gt: since } }, max: config.maxPerAddress },
    ].map(async ({ where, max }) => {
      const count = await db.signInFailure.count({ where });
      if (count < max) return 0;
      // Attempts may resume when enough failures have left the window to bring the count below max.
      const freeing = await db.signInFailure.findFirst({
        where,
        orderBy: { failedAt: 'asc' },
        skip: count - max,
        select: { failedAt: true },
      });
      return freeing ? Math.max(1, Math.ceil((freeing.failedAt.getTime() + windowMs - now.getTime()) / 1000)) : 1;
    }),
  );
  const wait = Math.max(...waits);
  return wait > 0 ? wait : null;
}

export async function recordFailure(db: Db, keys: ThrottleKeys, config: ThrottleConfig, now = new Date()): Promise<void> {
  await db.signInFailure.create({ data: { ...keys, failedAt: now } });
  // Pruned here rather than by a schedule: nothing outside the window is ever read again.
  await db.signInFailure.deleteMany({ where: { failedAt: { lt: new Date(now.getTime() - config.windowMinutes * 60_000) } } });
}

/** A successful sign-in forgives the account's failures (the address's stay counted). */
export async function clearAccountFailures(db: Db, keys: ThrottleKeys): Promise<void> {
  await db.signInFailure.deleteMany({ where: { accountKey: keys.accountKey } });
}

/** The keyed reference of an account in the audit log when no user has the address typed. */
export const auditAccountRef = (keys: ThrottleKeys): string => keys.accountKey;
