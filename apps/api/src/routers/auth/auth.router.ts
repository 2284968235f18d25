import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { hashPassword, verifyPassword } from '../../auth/password.ts';
import { checkPassword, PASSWORD_MAX_LENGTH, PASSWORD_PROBLEM_MESSAGES } from '../../auth/password-policy.ts';
import { createSession, deleteOtherSessions, deleteSession } from '../../auth/session.ts';
import {
  auditAccountRef,
  clearAccountFailures,
  recordFailure,
  retryAfterSeconds,
  throttleKeys,
  type ThrottleConfig,
} from '../../auth/throttle.ts';
import type { ApiEnv } from '../../env.ts';
import type { Context } from '../../trpc/context.ts';
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

export const authRouter = router({
  signIn: publicProcedure('signing in is how a session starts')
    .input(ZSignInInput)
    .output(ZSessionUser)
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
      await clearAccountFailures(ctx.db, keys);
      // A new token at every sign-in: a session fixed before sign-in is worthless after it.
      if (ctx.sessionTokenHash) await deleteSession(ctx.db, ctx.sessionTokenHash);
      const session = await createSession(ctx.db, user.id, ctx.env.SESSION_TTL_HOURS);
      ctx.setSessionCookie(session.token, ctx.env.SESSION_TTL_HOURS * 3600);
      await audit(ctx.db, { actor: `user:${user.id}`, action: 'auth.sign_in', entityType: 'user', entityId: user.id });
      return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
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

  signOut: procedureFor(...ALL_ROLES)
    .output(z.object({ signedOut: z.literal(true) }))
    .mutation(async ({ ctx }) => {
      if (ctx.sessionTokenHash) await deleteSession(ctx.db, ctx.sessionTokenHash);
      ctx.setSessionCookie(null);
      await audit(ctx.db, { actor: `user:${ctx.user.id}`, action: 'auth.sign_out', entityType: 'user', entityId: ctx.user.id });
      return { signedOut: true as const };
    }),

  me: publicProcedure('the UI asks whether it is signed in before showing anything')
    .output(ZSessionUser.nullable())
    .query(({ ctx }) => ctx.user),
});
