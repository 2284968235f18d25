import { z } from 'zod';
import { audit, truncateIp } from '../../audit.ts';
import { verifyPassword } from '../../auth/password.ts';
import { createSession, deleteSession } from '../../auth/session.ts';
import { AppError } from '../../trpc/errors.ts';
import { ALL_ROLES, procedureFor, publicProcedure, router } from '../../trpc/init.ts';

export const ZSignInInput = z.object({
  email: z.email('Enter your e-mail address').max(254),
  password: z.string().min(1, 'Enter your password').max(1024),
});

const ZSessionUser = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(['admin', 'marketer', 'sales', 'dpo']),
});

// One message for an unknown account and a wrong password: the answer never tells which.
const BAD_CREDENTIALS = 'E-mail address or password is not correct.';

export const authRouter = router({
  signIn: publicProcedure('signing in is how a session starts')
    .input(ZSignInInput)
    .output(ZSessionUser)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.db.user.findUnique({
        where: { email: input.email.trim().toLowerCase() },
        select: { id: true, email: true, displayName: true, role: true, passwordHash: true, isActive: true },
      });
      const ok = await verifyPassword(user?.isActive ? user.passwordHash : null, input.password);
      if (!user || !ok) {
        await audit(ctx.db, {
          actor: 'anonymous',
          action: 'auth.sign_in_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          details: { ip: truncateIp(ctx.ip) },
        });
        throw new AppError('INVALID_CREDENTIALS', BAD_CREDENTIALS);
      }
      // A new token at every sign-in: a session fixed before sign-in is worthless after it.
      if (ctx.sessionTokenHash) await deleteSession(ctx.db, ctx.sessionTokenHash);
      const session = await createSession(ctx.db, user.id, ctx.env.SESSION_TTL_HOURS);
      ctx.setSessionCookie(session.token, ctx.env.SESSION_TTL_HOURS * 3600);
      await audit(ctx.db, {
        actor: `user:${user.id}`,
        action: 'auth.sign_in',
        entityType: 'user',
        entityId: user.id,
        details: { ip: truncateIp(ctx.ip) },
      });
      return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
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
