import { initTRPC, TRPCError } from '@trpc/server';
import type { Role } from '@zweck/db';
import { z } from 'zod';
import type { Context, SessionUser } from './context.ts';
import { correlationIdOf, GENERIC_ERROR_MESSAGE } from './correlation.ts';
import { AppError, toTRPCError } from './errors.ts';

/**
 * Who may call a procedure. Every procedure carries one, and only the builders below exist, so a
 * procedure without a declared access rule cannot be written (the router walk test proves it).
 */
export type Access = { roles: readonly [Role, ...Role[]] } | { public: string };
export interface ProcedureMeta {
  access: Access;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const isZod = cause instanceof z.ZodError;
      // An unexpected error answers a generic sentence and a reference; the details go to the log only.
      const isUnexpected = error.code === 'INTERNAL_SERVER_ERROR';
      const correlationId = isUnexpected ? correlationIdOf(error) : null;
      return {
        ...shape,
        message: isUnexpected ? `${GENERIC_ERROR_MESSAGE} Reference: ${correlationId}` : shape.message,
        data: {
          ...shape.data,
          correlationId,
          // Internals never reach the client: the stack is dropped outside development.
          stack: undefined,
          appCode: cause instanceof AppError ? cause.code : null,
          field: cause instanceof AppError ? (cause.field ?? null) : null,
          // Bad input names the fields that were wrong.
          fieldErrors: isZod ? z.flattenError(cause).fieldErrors : cause instanceof AppError ? (cause.fieldErrors ?? null) : null,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** One sentence per problem: which field, what is wrong (instead of zod's JSON dump). */
export const describeZodError = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');

/** Domain errors and bad input thrown anywhere below become their transport error here, once. */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    throw toTRPCError(result.error.cause);
  }
  if (!result.ok && result.error.cause instanceof z.ZodError && result.error.code === 'BAD_REQUEST') {
    throw new TRPCError({ code: 'BAD_REQUEST', message: describeZodError(result.error.cause), cause: result.error.cause });
  }
  return result;
});

const base = t.procedure.use(mapAppErrors);

/** Reachable without signing in; the reason is part of the declaration. */
export const publicProcedure = (reason: string) => base.meta({ access: { public: reason } });

/**
 * Callable by the given roles only. No session: UNAUTHORIZED. A session with another role:
 * FORBIDDEN. Inside, `ctx.user` is the signed-in user.
 */
export const procedureFor = (...roles: [Role, ...Role[]]) =>
  base.meta({ access: { roles } }).use(({ ctx, next }) => {
    if (ctx.user === null) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in.', cause: new AppError('NOT_SIGNED_IN', 'Please sign in.') });
    }
    if (!roles.includes(ctx.user.role)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `This needs one of the roles: ${roles.join(', ')}.`,
        cause: new AppError('ROLE_NOT_ALLOWED', `This needs one of the roles: ${roles.join(', ')}.`),
      });
    }
    return next({ ctx: { ...ctx, user: ctx.user satisfies SessionUser } });
  });

export const ALL_ROLES = ['admin', 'marketer', 'sales', 'dpo'] as const satisfies readonly [Role, ...Role[]];
