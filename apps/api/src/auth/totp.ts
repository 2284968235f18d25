import { randomInt, randomUUID } from 'node:crypto';
import type { Db, FieldCipher, Role } from '@zweck/db';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { audit } from '../audit.ts';
import { hashPassword, verifyPassword } from './password.ts';

/**
 * The second factor (issue 6; ASVS 5 V6.5 and V6.6): a time-based one-time password (RFC 6238,
 * HMAC-SHA-1, 6 digits, 30-second steps) from an authenticator app, and ten single-use recovery
 * codes. The shared secret is sealed with the field key ring before it reaches PostgreSQL, bound
 * to its user (`user:<userId>:totp`): a dump or a backup holds no usable secret.
 */

/** Roles that must have a second factor: they see everything (DPO) or can change who sees what (admin). */
export const SECOND_FACTOR_REQUIRED_ROLES: readonly Role[] = ['admin', 'dpo'];
export const isSecondFactorRequired = (role: Role): boolean => SECOND_FACTOR_REQUIRED_ROLES.includes(role);
/** The roles that may switch their second factor off (the complement; a test keeps the two in step). */
export const SECOND_FACTOR_OPTIONAL_ROLES = ['marketer', 'sales'] as const satisfies readonly [Role, ...Role[]];

/** A session opened by the password alone lives this long: enough to type a code, not to linger. */
export const PENDING_SESSION_MINUTES = 10;
export const RECOVERY_CODE_COUNT = 10;

const ISSUER = 'Zweck';
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** One step either side of now: a phone clock a little off still works (RFC 6238 section 5.2). */
const DRIFT_STEPS = 1;

/** The GCM additional data of a user's sealed secret (docs: issue6-interfaces, "Sealing contexts"). */
export const totpSealContext = (userId: string): string => `user:${userId}:totp`;

/** A fresh secret of 160 bits (RFC 4226 section 4 recommends at least that), in base32. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

const totpOf = (secretBase32: string, label = 'Zweck'): TOTP =>
  new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS });

/** The otpauth:// URI an authenticator app reads from the QR code. The label is the account's address. */
export const otpauthUri = (secretBase32: string, accountLabel: string): string => totpOf(secretBase32, accountLabel).toString();

/** The QR code of the URI as an SVG document (shown as a data: image; the CSP allows data: images). */
export const qrCodeSvg = (uri: string): Promise<string> => QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });

/** The current code of a secret: the demo script and tests use it; the server never needs to. */
export const totpCode = (secretBase32: string, now: Date = new Date()): string =>
  totpOf(secretBase32).generate({ timestamp: now.getTime() });

/** The 30-second step a code of `secretBase32` belongs to, if it is one of now ± one step; otherwise null. */
export function matchingStep(secretBase32: string, code: string, now: Date = new Date()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secretBase32).validate({ token: code, timestamp: now.getTime(), window: DRIFT_STEPS });
  if (delta === null) return null;
  return TOTP.counter({ period: PERIOD_SECONDS, timestamp: now.getTime() }) + delta;
}

export type SecondFactorStatus = 'enrolled' | 'not_enrolled';

export async function secondFactorStatus(db: Db, userId: string): Promise<SecondFactorStatus> {
  const row = await db.userTotp.findUnique({ where: { userId }, select: { confirmedAt: true } });
  return row?.confirmedAt ? 'enrolled' : 'not_enrolled';
}

/**
 * Removes a user's second factor and recovery codes and ends every session of the user (an
 * administrator does this for someone who lost their phone; the user enrols again at the next
 * sign-in if the role requires it). `actor` names who did it in the audit log.
 */
export async function resetSecondFactor(db: Db, userId: string, actor = 'system:second-factor'): Promise<void> {
  const [, codes, sessions] = await db.$transaction([
    db.userTotp.deleteMany({ where: { userId } }),
    db.recoveryCode.deleteMany({ where: { userId } }),
    db.session.deleteMany({ where: { userId } }),
  ]);
  await audit(db, {
    actor,
    action: 'auth.second_factor_reset',
    entityType: 'user',
    entityId: userId,
    details: { recoveryCodesRemoved: codes.count, sessionsEnded: sessions.count },
  });
}

export type CodeCheck = 'ok' | 'wrong' | 'used' | 'not_enrolled';

/**
 * Checks a code against the user's confirmed secret and, when it matches, records its step so
 * that the same code (or an older one) is never accepted again (ASVS 5 V6.5.1). The step is
 * written with a condition on the previous one, so two requests racing with one code cannot
 * both win.
 */
export async function acceptTotpCode(db: Db, cipher: FieldCipher, userId: string, code: string, now = new Date()): Promise<CodeCheck> {
  const row = await db.userTotp.findUnique({ where: { userId }, select: { secretSealed: true, confirmedAt: true, lastUsedStep: true } });
  if (!row?.confirmedAt) return 'not_enrolled';
  const step = matchingStep(cipher.open(row.secretSealed, totpSealContext(userId)), code, now);
  if (step === null) return 'wrong';
  if (row.lastUsedStep !== null && BigInt(step) <= row.lastUsedStep) return 'used';
  const { count } = await db.userTotp.updateMany({
    where: { userId, confirmedAt: { not: null }, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: BigInt(step) } }] },
    data: { lastUsedStep: BigInt(step) },
  });
  return count === 1 ? 'ok' : 'used';
}

/** Starts (or restarts) an enrolment: a new secret, sealed, not yet confirmed. Refuses over a confirmed one. */
export async function startEnrollment(db: Db, cipher: FieldCipher, userId: string): Promise<string | null> {
  if ((await secondFactorStatus(db, userId)) === 'enrolled') return null;
  const secret = newTotpSecret();
  const secretSealed = cipher.seal(secret, totpSealContext(userId));
  await db.userTotp.upsert({
    where: { userId },
    create: { userId, secretSealed },
    update: { secretSealed, confirmedAt: null, lastUsedStep: null, createdAt: new Date() },
  });
  return secret;
}

/** Confirms an enrolment with the first code from the app: from then on the factor counts. */
export async function confirmEnrollment(
  db: Db,
  cipher: FieldCipher,
  userId: string,
  code: string,
  now = new Date(),
): Promise<'ok' | 'wrong' | 'not_started' | 'already_enrolled'> {
  const row = await db.userTotp.findUnique({ where: { userId }, select: { secretSealed: true, confirmedAt: true } });
  if (!row) return 'not_started';
  if (row.confirmedAt) return 'already_enrolled';
  const step = matchingStep(cipher.open(row.secretSealed, totpSealContext(userId)), code, now);
  if (step === null) return 'wrong';
  const { count } = await db.userTotp.updateMany({
    where: { userId, confirmedAt: null, secretSealed: row.secretSealed },
    data: { confirmedAt: now, lastUsedStep: BigInt(step) },
  });
  return count === 1 ? 'ok' : 'not_started';
}

// Crockford's base32 alphabet without I, L, O, U: codes are read off paper and typed again.
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** `xxxxx-xxxxx`: 50 random bits, enough for a code that is hashed, single use and throttled. */
function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]!);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** Lower case, without spaces and dashes; the confusable letters read as the digits they look like. */
export const normaliseRecoveryCode = (code: string): string =>
  code.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');

/** Replaces every recovery code of the user with ten new ones; returns them in clear, to be shown once. */
export async function replaceRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const hashes = await Promise.all(codes.map((code) => hashPassword(normaliseRecoveryCode(code))));
  await db.$transaction([
    db.recoveryCode.deleteMany({ where: { userId } }),
    db.recoveryCode.createMany({ data: hashes.map((codeHash) => ({ id: randomUUID(), userId, codeHash })) }),
  ]);
  return codes;
}

export const unusedRecoveryCodes = (db: Db, userId: string): Promise<number> => db.recoveryCode.count({ where: { userId, usedAt: null } });

/**
 * Uses one recovery code: true when it was an unused code of the user, which is then spent. The
 * row is marked with a condition on `used_at`, so a code cannot be used twice even at once.
 */
export async function spendRecoveryCode(db: Db, userId: string, code: string, now = new Date()): Promise<boolean> {
  const normalised = normaliseRecoveryCode(code);
  if (!/^[0-9a-z]{10}$/.test(normalised)) return false;
  const rows = await db.recoveryCode.findMany({ where: { userId, usedAt: null }, select: { id: true, codeHash: true } });
  for (const row of rows) {
    if (await verifyPassword(row.codeHash, normalised)) {
      const { count } = await db.recoveryCode.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
      return count === 1;
    }
  }
  return false;
}
