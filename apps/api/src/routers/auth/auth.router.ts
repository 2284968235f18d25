import { setTimeout as sleep } from 'node:timers/promises';
import { TRPCError } from '@trpc/server';
import { createFieldCipher } from '@zweck/db';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { hashPassword, verifyPassword } from '../../auth/password.ts';
import { checkPassword, PASSWORD_MAX_LENGTH, PASSWORD_PROBLEM_MESSAGES } from '../../auth/password-policy.ts';
import { createSession, deleteOtherSessions, deleteSession } from '../../auth/session.ts';
import {
  acceptTotpCode,
  confirmEnrollment,
  isSecondFactorRequired,
  otpauthUri,
  PENDING_SESSION_MINUTES,
  qrCodeSvg,
  replaceRecoveryCodes,
  SECOND_FACTOR_OPTIONAL_ROLES,
  secondFactorStatus,
  spendRecoveryCode,
  startEnrollment,
  unusedRecoveryCodes,
} from '../../auth/totp.ts';
import {
  auditAccountRef,
  clearAccountFailures,
  recordFailure,
  retryAfterSeconds,
  throttleKeys,
  type ThrottleConfig,
} from '../../auth/throttle.ts';
import type { ApiEnv } from '../../env.ts';
import type { Context, SessionUser } from '../../trpc/context.ts';
import { AppError } from '../../trpc/errors.ts';
import { ALL_ROLES, procedureFor, publicProcedure, router } from '../../trpc/init.ts';

export const ZSignInInput = z.object({
  email: z.email('Enter your e-mail address').max(254),
  password: z.string().min(1, 'Enter your password').max(1024),
});

export const ZChangePasswordInput = z.object({
  currentPassword: z.string().min(1, 'Enter your current password').max(1024),
  // The rule itself (length, common passwords, e-mail) is checked below, with its own message.
  newPassword: z
    .string()
    .min(1, 'Enter a new password')
    .max(PASSWORD_MAX_LENGTH * 4),
});

const ZSessionUser = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(['admin', 'marketer', 'sales', 'dpo']),
});

const ZSecondFactorStep = z.enum(['none', 'verify', 'enroll']);

export const ZTotpCodeInput = z.object({
  code: z
    .string()
    .transform((v) => v.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6 digits your authenticator app shows')),
});

export const ZRecoveryCodeInput = z.object({
  code: z.string().trim().min(1, 'Enter one of your recovery codes').max(64),
});

export const ZDisableTotpInput = z.object({
  password: z.string().min(1, 'Enter your password').max(1024),
});

// One message for an unknown account and a wrong password: the answer never tells which.
const BAD_CREDENTIALS = 'E-mail address or password is not correct.';

const throttleConfig = (env: ApiEnv): ThrottleConfig => ({
  windowMinutes: env.SIGN_IN_WINDOW_MINUTES,
  maxPerAccount: env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
  maxPerAddress: env.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
});

/** Pads a failed answer to a constant duration, so that its timing tells nothing about the cause. */
async function padFailure(ctx: Context, startedAt: number): Promise<void> {
  const left = ctx.env.SIGN_IN_FAILURE_DELAY_MS - (performance.now() - startedAt);
  if (left > 0) await sleep(left);
}

function throttled(ctx: Context, code: 'SIGN_IN_THROTTLED' | 'PASSWORD_CHANGE_THROTTLED', seconds: number): AppError {
  ctx.setHeader?.('retry-after', String(seconds));
  return new AppError(code, `Too many failed attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).`);
}

/**
 * The second step of signing in, and a signed-in user's own second factor: callable with a
 * session that waits for its second factor or with a signed-in one; without either, UNAUTHORIZED.
 * Declared public for the router walk (there is no role yet), the middleware is the guard.
 */
const secondFactorProcedure = (reason: string) =>
  publicProcedure(reason).use(({ ctx, next }) => {
    const pending = ctx.secondFactorPendingUser ?? null;
    const user = ctx.user ?? pending;
    if (user === null) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in.', cause: new AppError('NOT_SIGNED_IN', 'Please sign in.') });
    }
    return next({ ctx: { ...ctx, factorUser: user satisfies SessionUser, isPending: pending !== null } });
  });

/** Only a session waiting for its second factor (the sign-in's second step). */
const pendingSessionProcedure = (reason: string) =>
  secondFactorProcedure(reason).use(({ ctx, next }) => {
    if (!ctx.isPending) {
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'Sign in with your password first.',
        cause: new AppError('NOT_SIGNED_IN', 'Sign in with your password first.'),
      });
    }
    return next();
  });

const cipherOf = (ctx: Context) => createFieldCipher(ctx.env.FIELD_ENCRYPTION_KEYS);

/**
 * A failed code counts like a failed password (ASVS 5 V6.3.1): the same throttle, per account
 * and per address, so that guessing codes is as slow as guessing passwords.
 */
async function refuseCode(
  ctx: Context,
  user: SessionUser,
  startedAt: number,
  method: 'totp' | 'recovery_code',
  reason: 'wrong' | 'used',
  error: AppError,
): Promise<never> {
  const keys = throttleKeys(ctx.env.SUPPRESSION_KEY, user.email, ctx.ip);
  await recordFailure(ctx.db, keys, throttleConfig(ctx.env));
  await audit(ctx.db, {
    actor: `user:${user.id}`,
    action: 'auth.second_factor_failed',
    entityType: 'user',
    entityId: user.id,
    details: { method, reason },
  });
  await padFailure(ctx, startedAt);
  throw error;
}

async function assertNotThrottled(ctx: Context, user: SessionUser, startedAt: number): Promise<void> {
  const keys = throttleKeys(ctx.env.SUPPRESSION_KEY, user.email, ctx.ip);
  const wait = await retryAfterSeconds(ctx.db, keys, throttleConfig(ctx.env));
  if (wait === null) return;
  await audit(ctx.db, { actor: `user:${user.id}`, action: 'auth.sign_in_throttled', entityType: 'user', entityId: user.id });
  await padFailure(ctx, startedAt);
  throw throttled(ctx, 'SIGN_IN_THROTTLED', wait);
}

/**
 * The sign-in is complete: the password-only session (or the session that enrolled) ends and a
 * new one with a new token takes its place (ASVS 5 V7.2.4: a new token when the authentication
 * changes), the failures of the account are forgiven, and the sign-in is audited.
 */
async function completeSignIn(
  ctx: Context,
  user: SessionUser,
  method: string,
  action: 'auth.sign_in' | 'auth.session_renewed' = 'auth.sign_in',
): Promise<void> {
  if (ctx.sessionTokenHash) await deleteSession(ctx.db, ctx.sessionTokenHash);
  const session = await createSession(ctx.db, user.id, ctx.env.SESSION_TTL_HOURS);
  ctx.setSessionCookie(session.token, ctx.env.SESSION_TTL_HOURS * 3600);
  await clearAccountFailures(ctx.db, throttleKeys(ctx.env.SUPPRESSION_KEY, user.email, ctx.ip));
  await audit(ctx.db, {
    actor: `user:${user.id}`,
    action,
    entityType: 'user',
    entityId: user.id,
    details: { secondFactor: method },
  });
}

const toSessionUser = (user: SessionUser): SessionUser => ({
  id: user.id,
  email: user.email,
  displayName: user.displayName,
  role: user.role,
});

export const authRouter = router({
  signIn: publicProcedure('signing in is how a session starts')
    .input(ZSignInInput)
    .output(ZSessionUser.extend({ secondFactor: ZSecondFactorStep }))
    .mutation(async ({ ctx, input }) => {
      const startedAt = performance.now();
      const email = input.email.trim().toLowerCase();
      const keys = throttleKeys(ctx.env.SUPPRESSION_KEY, email, ctx.ip);
      const config = throttleConfig(ctx.env);
      const user = await ctx.db.user.findUnique({
        where: { email },
        select: { id: true, email: true, displayName: true, role: true, passwordHash: true, isActive: true },
      });
      // The audit log names accounts by ID; an address nobody has is kept as a keyed hash only.
      const subject = user ? { entityId: user.id } : { entityId: null, details: { accountRef: auditAccountRef(keys) } };

      const wait = await retryAfterSeconds(ctx.db, keys, config);
      if (wait !== null) {
        await audit(ctx.db, { actor: 'anonymous', action: 'auth.sign_in_throttled', entityType: 'user', ...subject });
        await padFailure(ctx, startedAt);
        throw throttled(ctx, 'SIGN_IN_THROTTLED', wait);
      }

      // An unknown or deactivated account still costs one argon2 verification (of a dummy hash).
      const ok = await verifyPassword(user?.isActive ? user.passwordHash : null, input.password);
      if (!user || !ok) {
        await recordFailure(ctx.db, keys, config);
        await audit(ctx.db, { actor: 'anonymous', action: 'auth.sign_in_failed', entityType: 'user', ...subject });
        await padFailure(ctx, startedAt);
        throw new AppError('INVALID_CREDENTIALS', BAD_CREDENTIALS);
      }
      const sessionUser = toSessionUser(user);
      const enrolled = (await secondFactorStatus(ctx.db, user.id)) === 'enrolled';
      const secondFactor = enrolled ? 'verify' : isSecondFactorRequired(user.role) ? 'enroll' : 'none';
      if (secondFactor === 'none') {
        // A new token at every sign-in: a session fixed before sign-in is worthless after it.
        await completeSignIn(ctx, sessionUser, 'none');
        return { ...sessionUser, secondFactor };
      }
      // The password alone opens a short session that signs nobody in: it serves the second step
      // (or the forced enrolment) only. The account's failures are not forgiven yet, so that a
      // known password does not reset the throttle on guessing codes.
      if (ctx.sessionTokenHash) await deleteSession(ctx.db, ctx.sessionTokenHash);
      const pending = await createSession(ctx.db, user.id, PENDING_SESSION_MINUTES / 60, new Date(), { secondFactorPending: true });
      ctx.setSessionCookie(pending.token, PENDING_SESSION_MINUTES * 60);
      await audit(ctx.db, {
        actor: `user:${user.id}`,
        action: 'auth.second_factor_required',
        entityType: 'user',
        entityId: user.id,
        details: { step: secondFactor },
      });
      return { ...sessionUser, secondFactor };
    }),

  /** The sign-in's second step: a code from the authenticator app, accepted once. */
  verifySecondFactor: pendingSessionProcedure('the second step of signing in, after the password')
    .input(ZTotpCodeInput)
    .output(ZSessionUser)
    .mutation(async ({ ctx, input }) => {
      const startedAt = performance.now();
      const user = ctx.factorUser;
      await assertNotThrottled(ctx, user, startedAt);
      const check = await acceptTotpCode(ctx.db, cipherOf(ctx), user.id, input.code);
      if (check === 'not_enrolled') throw new AppError('SECOND_FACTOR_NOT_ENROLLED', 'This account has no second factor yet.');
      if (check === 'wrong') {
        await refuseCode(
          ctx,
          user,
          startedAt,
          'totp',
          'wrong',
          new AppError('SECOND_FACTOR_CODE_WRONG', 'The code is not correct.', 'code'),
        );
      }
      if (check === 'used') {
        await refuseCode(
          ctx,
          user,
          startedAt,
          'totp',
          'used',
          new AppError('SECOND_FACTOR_CODE_USED', 'This code was used already.', 'code'),
        );
      }
      await completeSignIn(ctx, user, 'totp');
      return toSessionUser(user);
    }),

  /** The sign-in's second step with a recovery code instead (the phone is lost): each code works once. */
  useRecoveryCode: pendingSessionProcedure('the second step of signing in, with a recovery code')
    .input(ZRecoveryCodeInput)
    .output(ZSessionUser.extend({ recoveryCodesLeft: z.number().int().min(0) }))
    .mutation(async ({ ctx, input }) => {
      const startedAt = performance.now();
      const user = ctx.factorUser;
      await assertNotThrottled(ctx, user, startedAt);
      if ((await secondFactorStatus(ctx.db, user.id)) !== 'enrolled') {
        throw new AppError('SECOND_FACTOR_NOT_ENROLLED', 'This account has no second factor yet.');
      }
      if (!(await spendRecoveryCode(ctx.db, user.id, input.code))) {
        await refuseCode(
          ctx,
          user,
          startedAt,
          'recovery_code',
          'wrong',
          new AppError('RECOVERY_CODE_WRONG', 'The recovery code is not correct, or it was used already.', 'code'),
        );
      }
      const recoveryCodesLeft = await unusedRecoveryCodes(ctx.db, user.id);
      await audit(ctx.db, {
        actor: `user:${user.id}`,
        action: 'auth.second_factor_recovery_code_used',
        entityType: 'user',
        entityId: user.id,
        details: { recoveryCodesLeft },
      });
      await completeSignIn(ctx, user, 'recovery_code');
      return { ...toSessionUser(user), recoveryCodesLeft };
    }),

  /**
   * Starts setting up an authenticator app: a new secret (sealed at rest), as an otpauth URI, its
   * QR code and the base32 text to type. Forced for admin and DPO at their first sign-in, optional
   * for the other roles (from their account page).
   */
  beginTotpEnrollment: secondFactorProcedure('setting up the second factor, also during the forced enrolment before sign-in completes')
    .output(z.object({ otpauthUri: z.string(), secret: z.string(), qrSvg: z.string() }))
    .mutation(async ({ ctx }) => {
      const user = ctx.factorUser;
      const secret = await startEnrollment(ctx.db, cipherOf(ctx), user.id);
      if (secret === null) throw new AppError('SECOND_FACTOR_ALREADY_ENROLLED', 'A second factor is already set up.');
      const uri = otpauthUri(secret, user.email);
      await audit(ctx.db, {
        actor: `user:${user.id}`,
        action: 'auth.second_factor_enrollment_started',
        entityType: 'user',
        entityId: user.id,
      });
      return { otpauthUri: uri, secret, qrSvg: await qrCodeSvg(uri) };
    }),

  /**
   * Confirms the app with its first code; answers the ten recovery codes, shown this once. A
   * session waiting for enrolment becomes a signed-in one with a new token; a signed-in user who
   * enrols gets a new token too, and their other sessions (opened without the factor) end.
   */
  confirmTotpEnrollment: secondFactorProcedure('confirming the second factor, also during the forced enrolment before sign-in completes')
    .input(ZTotpCodeInput)
    .output(z.object({ recoveryCodes: z.array(z.string()), user: ZSessionUser }))
    .mutation(async ({ ctx, input }) => {
      const startedAt = performance.now();
      const user = ctx.factorUser;
      await assertNotThrottled(ctx, user, startedAt);
      const result = await confirmEnrollment(ctx.db, cipherOf(ctx), user.id, input.code);
      if (result === 'already_enrolled') throw new AppError('SECOND_FACTOR_ALREADY_ENROLLED', 'A second factor is already set up.');
      if (result === 'not_started') throw new AppError('SECOND_FACTOR_ENROLLMENT_NOT_STARTED', 'Start the set-up first.');
      if (result === 'wrong') {
        await refuseCode(
          ctx,
          user,
          startedAt,
          'totp',
          'wrong',
          new AppError('SECOND_FACTOR_CODE_WRONG', 'The code is not correct.', 'code'),
        );
      }
      const recoveryCodes = await replaceRecoveryCodes(ctx.db, user.id);
      await audit(ctx.db, { actor: `user:${user.id}`, action: 'auth.second_factor_enrolled', entityType: 'user', entityId: user.id });
      if (!ctx.isPending) await deleteOtherSessions(ctx.db, user.id, ctx.sessionTokenHash);
      // A signed-in user who enrols gets a new token too; only a pending session completes a sign-in here.
      await completeSignIn(ctx, user, 'totp_enrolled', ctx.isPending ? 'auth.sign_in' : 'auth.session_renewed');
      return { recoveryCodes, user: toSessionUser(user) };
    }),

  /** New recovery codes (the old ones stop working), with a current code as proof; shown once. */
  regenerateRecoveryCodes: procedureFor(...ALL_ROLES)
    .input(ZTotpCodeInput)
    .output(z.object({ recoveryCodes: z.array(z.string()) }))
    .mutation(async ({ ctx, input }) => {
      const startedAt = performance.now();
      await assertNotThrottled(ctx, ctx.user, startedAt);
      const check = await acceptTotpCode(ctx.db, cipherOf(ctx), ctx.user.id, input.code);
      if (check === 'not_enrolled') throw new AppError('SECOND_FACTOR_NOT_ENROLLED', 'There is no second factor to renew codes for.');
      if (check !== 'ok') {
        const code = check === 'used' ? 'SECOND_FACTOR_CODE_USED' : 'SECOND_FACTOR_CODE_WRONG';
        await refuseCode(ctx, ctx.user, startedAt, 'totp', check, new AppError(code, 'The code is not correct.', 'code'));
      }
      const recoveryCodes = await replaceRecoveryCodes(ctx.db, ctx.user.id);
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'auth.second_factor_recovery_codes_renewed',
        entityType: 'user',
        entityId: ctx.user.id,
      });
      return { recoveryCodes };
    }),

  /** Switches the second factor off, with the password as proof; refused where the role requires it. */
  disableTotp: procedureFor(...SECOND_FACTOR_OPTIONAL_ROLES)
    .input(ZDisableTotpInput)
    .output(z.object({ disabled: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const startedAt = performance.now();
      await assertNotThrottled(ctx, ctx.user, startedAt);
      const { passwordHash } = await ctx.db.user.findUniqueOrThrow({ where: { id: ctx.user.id }, select: { passwordHash: true } });
      if (!(await verifyPassword(passwordHash, input.password))) {
        await recordFailure(ctx.db, throttleKeys(ctx.env.SUPPRESSION_KEY, ctx.user.email, ctx.ip), throttleConfig(ctx.env));
        await audit(ctx.db, {
          actor: `user:${ctx.user.id}`,
          action: 'auth.second_factor_disable_failed',
          entityType: 'user',
          entityId: ctx.user.id,
        });
        await padFailure(ctx, startedAt);
        throw new AppError('CURRENT_PASSWORD_WRONG', 'The password is not correct.', 'password');
      }
      if ((await secondFactorStatus(ctx.db, ctx.user.id)) !== 'enrolled') {
        throw new AppError('SECOND_FACTOR_NOT_ENROLLED', 'There is no second factor to switch off.');
      }
      await ctx.db.$transaction([
        ctx.db.userTotp.deleteMany({ where: { userId: ctx.user.id } }),
        ctx.db.recoveryCode.deleteMany({ where: { userId: ctx.user.id } }),
      ]);
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'auth.second_factor_disabled',
        entityType: 'user',
        entityId: ctx.user.id,
      });
      return { disabled: true as const };
    }),

  /** The caller's own second factor: set up or not, required or not, recovery codes left. */
  secondFactor: secondFactorProcedure('the second step of signing in asks what it is waiting for; signed-in users see their own')
    .output(
      z.object({
        status: z.enum(['enrolled', 'not_enrolled']),
        required: z.boolean(),
        recoveryCodesLeft: z.number().int().min(0),
        sessionPending: z.boolean(),
      }),
    )
    .query(async ({ ctx }) => {
      const user = ctx.factorUser;
      const status = await secondFactorStatus(ctx.db, user.id);
      return {
        status,
        required: isSecondFactorRequired(user.role),
        recoveryCodesLeft: status === 'enrolled' ? await unusedRecoveryCodes(ctx.db, user.id) : 0,
        sessionPending: ctx.isPending,
      };
    }),

  /**
   * The signed-in user changes their own password: the current one proves it is them (a session
   * left open is not enough), the new one must pass the rule, and every other session ends.
   */
  changePassword: procedureFor(...ALL_ROLES)
    .input(ZChangePasswordInput)
    .output(z.object({ changed: z.literal(true), otherSessionsEnded: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const startedAt = performance.now();
      const keys = throttleKeys(ctx.env.SUPPRESSION_KEY, ctx.user.email, ctx.ip);
      const config = throttleConfig(ctx.env);
      const wait = await retryAfterSeconds(ctx.db, keys, config);
      if (wait !== null) {
        await padFailure(ctx, startedAt);
        throw throttled(ctx, 'PASSWORD_CHANGE_THROTTLED', wait);
      }
      const user = await ctx.db.user.findUniqueOrThrow({ where: { id: ctx.user.id }, select: { passwordHash: true, email: true } });
      if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
        // Guessing the current password from an open session counts like a failed sign-in.
        await recordFailure(ctx.db, keys, config);
        await audit(ctx.db, {
          actor: `user:${ctx.user.id}`,
          action: 'auth.password_change_failed',
          entityType: 'user',
          entityId: ctx.user.id,
        });
        await padFailure(ctx, startedAt);
        throw new AppError('CURRENT_PASSWORD_WRONG', 'The current password is not correct.', 'currentPassword');
      }
      const problem = checkPassword(input.newPassword, user.email);
      if (problem) {
        throw new AppError('PASSWORD_NOT_ALLOWED', PASSWORD_PROBLEM_MESSAGES[problem], 'newPassword', {
          newPassword: [PASSWORD_PROBLEM_MESSAGES[problem]],
        });
      }
      await ctx.db.user.update({ where: { id: ctx.user.id }, data: { passwordHash: await hashPassword(input.newPassword) } });
      const otherSessionsEnded = await deleteOtherSessions(ctx.db, ctx.user.id, ctx.sessionTokenHash);
      await audit(ctx.db, {
        actor: `user:${ctx.user.id}`,
        action: 'auth.password_changed',
        entityType: 'user',
        entityId: ctx.user.id,
        details: { otherSessionsEnded },
      });
      return { changed: true as const, otherSessionsEnded };
    }),

  // Ends whatever session the cookie names: a complete one, or one that has the password only
  // (someone who stops at the second step leaves nothing behind). Without a session it only clears the cookie.
  signOut: publicProcedure("ending one's own session needs no role, and a password-only session must be endable too")
    .output(z.object({ signedOut: z.literal(true) }))
    .mutation(async ({ ctx }) => {
      if (ctx.sessionTokenHash) await deleteSession(ctx.db, ctx.sessionTokenHash);
      ctx.setSessionCookie(null);
      const user = ctx.user ?? ctx.secondFactorPendingUser ?? null;
      if (user) await audit(ctx.db, { actor: `user:${user.id}`, action: 'auth.sign_out', entityType: 'user', entityId: user.id });
      return { signedOut: true as const };
    }),

  me: publicProcedure('the UI asks whether it is signed in before showing anything')
    .output(ZSessionUser.nullable())
    .query(({ ctx }) => ctx.user),
});
