import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Db, type Prisma, type Role } from '@zweck/db';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { hashPassword } from '../../auth/password.ts';
import { checkPassword, PASSWORD_PROBLEM_MESSAGES } from '../../auth/password-policy.ts';
import { hashToken } from '../../auth/session.ts';
import { resetSecondFactor, secondFactorStatus } from '../../auth/totp.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, publicProcedure, router } from '../../trpc/init.ts';
import { invitationUrl, isLastAdminViolation, issueInvitation } from './invitations.ts';
import {
  ZAcceptInvitationInput,
  ZCreateUserInput,
  ZInvitationOut,
  ZUpdateUserInput,
  ZUpdateUserOut,
  ZUserIdInput,
  ZUserOut,
  type UserOut,
} from './users.schema.ts';

const LAST_ADMIN_MESSAGE = 'There must be at least one active administrator';

const userSelect = {
  id: true,
  email: true,
  displayName: true,
  role: true,
  isActive: true,
  createdAt: true,
  salesRep: { select: { managerId: true, isActive: true } },
  invitations: { where: { usedAt: null }, orderBy: { createdAt: 'desc' }, take: 1, select: { expiresAt: true } },
} as const satisfies Prisma.UserSelect;

/**
 * The users as the administration shows them. The password hash never leaves the database: which
 * users have one is asked separately, as a set of IDs.
 */
async function loadUsers(db: Db, where: Prisma.UserWhereInput, now = new Date()): Promise<UserOut[]> {
  const users = await db.user.findMany({ where, orderBy: [{ isActive: 'desc' }, { displayName: 'asc' }], select: userSelect });
  const ids = users.map((u) => u.id);
  const [withoutPassword, signIns, secondFactors] = await Promise.all([
    db.user.findMany({ where: { id: { in: ids }, passwordHash: null }, select: { id: true } }),
    // The last sign-in is read from the audit log rather than stored a second time.
    db.auditEvent.groupBy({
      by: ['entityId'],
      where: { action: 'auth.sign_in', entityType: 'user', entityId: { in: ids } },
      _max: { at: true },
    }),
    Promise.all(ids.map(async (id) => [id, await secondFactorStatus(db, id)] as const)),
  ]);
  const secondFactor = new Map(secondFactors);
  const pending = new Set(withoutPassword.map((u) => u.id));
  const lastSignIn = new Map(signIns.map((s) => [s.entityId, s._max.at]));
  return users.map((u) => {
    const link = u.invitations[0];
    return {
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      role: u.role,
      isActive: u.isActive,
      createdAt: u.createdAt,
      lastSignInAt: lastSignIn.get(u.id) ?? null,
      secondFactor: secondFactor.get(u.id) ?? 'not_enrolled',
      invitation: !pending.has(u.id) ? 'accepted' : link && link.expiresAt > now ? 'pending' : 'expired',
      invitationExpiresAt: pending.has(u.id) ? (link?.expiresAt ?? null) : null,
      managerId: u.salesRep?.managerId ?? null,
      isSalesRep: u.role === 'sales' && u.salesRep?.isActive === true,
    };
  });
}

async function loadUser(db: Db, id: string): Promise<UserOut> {
  const [user] = await loadUsers(db, { id });
  if (!user) throw new AppError('USER_NOT_FOUND', 'There is no such user.', 'id');
  return user;
}

/** A sales manager is an active user with the role Sales (as in scoring.saveRep), and not the rep themself. */
async function assertManager(db: Db, managerId: string | null | undefined, userId: string | null): Promise<void> {
  if (managerId === null || managerId === undefined) return;
  const manager = await db.user.findUnique({ where: { id: managerId }, select: { role: true, isActive: true } });
  if (manager?.role !== 'sales' || !manager.isActive || managerId === userId)
    throw new AppError('SALES_USER_NOT_FOUND', 'Choose another active user with the role Sales as the manager.', 'managerId');
}

const lastAdmin = (field: string) => new AppError('LAST_ADMIN', LAST_ADMIN_MESSAGE, field, { [field]: [LAST_ADMIN_MESSAGE] });

/**
 * Whom lead routing may pick follows the role: a user who becomes a sales user is a rep taking new
 * leads (the territories are set on the scoring page), anyone else is not. The routing query
 * (packages/leads/src/handoff.ts) looks at sales_rep.is_active, not at the role, so a user moved
 * out of sales must have the row switched off here. The row stays, for their leads and history.
 * A change of manager alone leaves whether the rep takes new leads as the scoring page set it.
 */
async function syncSalesRep(
  tx: Prisma.TransactionClient,
  userId: string,
  change: { role: Role; becameSales: boolean; managerId: string | null | undefined },
): Promise<void> {
  if (change.role !== 'sales') {
    await tx.salesRep.updateMany({ where: { userId }, data: { isActive: false } });
    return;
  }
  const manager = change.managerId === undefined ? {} : { managerId: change.managerId };
  await tx.salesRep.upsert({
    where: { userId },
    create: { userId, isActive: true, managerId: change.managerId ?? null },
    update: { ...(change.becameSales ? { isActive: true } : {}), ...manager },
  });
}

export const usersRouter = router({
  /** Everyone with an account: role, state, last sign-in, invitation. */
  list: procedureFor('admin')
    .output(ZUserOut.array())
    .query(({ ctx }) => loadUsers(ctx.db, {})),

  /**
   * A new account without a password, and a one-time link (72 hours) with which the person sets
   * their own. The administrator hands the link over; it is shown once, here, and never stored.
   */
  create: procedureFor('admin')
    .input(ZCreateUserInput)
    .output(ZInvitationOut)
    .mutation(async ({ ctx, input }) => {
      await assertManager(ctx.db, input.managerId, null);
      const id = randomUUID();
      const actor = `user:${ctx.user.id}`;
      try {
        const invitation = await ctx.db.$transaction(async (tx) => {
          await tx.user.create({ data: { id, email: input.email, displayName: input.displayName, role: input.role, passwordHash: null } });
          if (input.role === 'sales') await syncSalesRep(tx, id, { role: 'sales', becameSales: true, managerId: input.managerId ?? null });
          const issued = await issueInvitation(tx, id);
          await audit(tx, { actor, action: 'user.created', entityType: 'user', entityId: id, details: { role: input.role } });
          await audit(tx, {
            actor,
            action: 'user.invitation_issued',
            entityType: 'user',
            entityId: id,
            details: { invitationId: issued.id, expiresAt: issued.expiresAt.toISOString() },
          });
          return issued;
        });
        return { id, invitationUrl: invitationUrl(ctx.env.PUBLIC_URL, invitation.token), expiresAt: invitation.expiresAt };
      } catch (error) {
        if (isUniqueViolation(error, 'email'))
          throw new AppError('USER_EMAIL_TAKEN', 'A user with this e-mail address already exists.', 'email');
        throw error;
      }
    }),

  /**
   * Name, role, active or not, and a sales user's manager. A role change or a deactivation ends
   * every session of the user at once (the next request signs in again, with the new rights and,
   * where the new role requires it, the second factor). The database refuses a change that would
   * leave no active administrator, whoever makes it (LAST_ADMIN).
   */
  update: procedureFor('admin')
    .input(ZUpdateUserInput)
    .output(ZUpdateUserOut)
    .mutation(async ({ ctx, input }) => {
      const before = await ctx.db.user.findUnique({ where: { id: input.id }, select: { role: true, isActive: true, displayName: true } });
      if (!before) throw new AppError('USER_NOT_FOUND', 'There is no such user.', 'id');
      const role = input.role ?? before.role;
      if (input.managerId !== undefined && input.managerId !== null && role !== 'sales')
        throw new AppError('SALES_USER_NOT_FOUND', 'Only a sales user has a sales manager.', 'managerId');
      await assertManager(ctx.db, input.managerId, input.id);

      const roleChanged = input.role !== undefined && input.role !== before.role;
      const activeChanged = input.isActive !== undefined && input.isActive !== before.isActive;
      const renamed = input.displayName !== undefined && input.displayName !== before.displayName;
      const actor = `user:${ctx.user.id}`;
      try {
        const sessionsEnded = await ctx.db.$transaction(async (tx) => {
          await tx.user.update({
            where: { id: input.id },
            data: {
              ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
              ...(input.role !== undefined ? { role: input.role } : {}),
              ...(input.isActive !== undefined ? { isActive: input.isActive } : {}),
            },
          });
          if (roleChanged || input.managerId !== undefined)
            await syncSalesRep(tx, input.id, { role, becameSales: roleChanged && role === 'sales', managerId: input.managerId });
          let sessionsEnded = 0;
          if (roleChanged || (activeChanged && input.isActive === false)) {
            sessionsEnded = (await tx.session.deleteMany({ where: { userId: input.id } })).count;
          }
          const entity = { actor, entityType: 'user', entityId: input.id } as const;
          if (renamed) await audit(tx, { ...entity, action: 'user.renamed' });
          if (roleChanged)
            await audit(tx, { ...entity, action: 'user.role_changed', details: { from: before.role, to: role, sessionsEnded } });
          if (activeChanged)
            await audit(tx, {
              ...entity,
              action: input.isActive ? 'user.reactivated' : 'user.deactivated',
              details: input.isActive ? {} : { sessionsEnded },
            });
          if (input.managerId !== undefined && !roleChanged)
            await audit(tx, { ...entity, action: 'user.sales_manager_changed', details: { managerId: input.managerId } });
          return sessionsEnded;
        });
        return { user: await loadUser(ctx.db, input.id), sessionsEnded };
      } catch (error) {
        if (isLastAdminViolation(error)) throw lastAdmin(input.role !== undefined && roleChanged ? 'role' : 'isActive');
        throw error;
      }
    }),

  /**
   * For someone who lost their authenticator and their recovery codes: the second factor and the
   * codes are removed and the user's sessions end (auth/totp.ts); where the role requires a second
   * factor, the next sign-in enrols a new one before anything else.
   */
  resetSecondFactor: procedureFor('admin')
    .input(ZUserIdInput)
    .output(z.object({ reset: z.literal(true), wasEnrolled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.db.user.findUnique({ where: { id: input.id }, select: { id: true } });
      if (!user) throw new AppError('USER_NOT_FOUND', 'There is no such user.', 'id');
      const wasEnrolled = (await secondFactorStatus(ctx.db, input.id)) === 'enrolled';
      const actor = `user:${ctx.user.id}`;
      await resetSecondFactor(ctx.db, input.id, actor);
      await audit(ctx.db, { actor, action: 'user.second_factor_reset', entityType: 'user', entityId: input.id, details: { wasEnrolled } });
      return { reset: true as const, wasEnrolled };
    }),

  /** A new one-time link for a user who has not set a password yet; the earlier unused links stop working. */
  reissueInvitation: procedureFor('admin')
    .input(ZUserIdInput)
    .output(ZInvitationOut)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.db.user.findUnique({ where: { id: input.id }, select: { isActive: true } });
      if (!user) throw new AppError('USER_NOT_FOUND', 'There is no such user.', 'id');
      if (!user.isActive) throw new AppError('USER_INACTIVE', 'This user is deactivated. Reactivate them first.', 'id');
      const issued = await ctx.db.$transaction(async (tx) => {
        // Checked inside the transaction that issues: a password set meanwhile is not overwritten later.
        const pending = await tx.user.count({ where: { id: input.id, passwordHash: null } });
        if (pending === 0) throw new AppError('INVITATION_NOT_PENDING', 'This user has already set a password.', 'id');
        const invitation = await issueInvitation(tx, input.id);
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'user.invitation_issued',
          entityType: 'user',
          entityId: input.id,
          details: { invitationId: invitation.id, expiresAt: invitation.expiresAt.toISOString(), replaced: invitation.replaced },
        });
        return invitation;
      });
      return { id: input.id, invitationUrl: invitationUrl(ctx.env.PUBLIC_URL, issued.token), expiresAt: issued.expiresAt };
    }),

  /**
   * The invited person sets their first password with the link's token. The link works once, for
   * 72 hours, for an active user without a password; any other case gets one answer
   * (INVITATION_INVALID). No session starts here: the person signs in next, through the same door
   * as everyone (throttle, second factor).
   */
  acceptInvitation: publicProcedure('the invited person has no account to sign in with until they set a password')
    .input(ZAcceptInvitationInput)
    .output(z.object({ accepted: z.literal(true), email: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const now = new Date();
      const invalid = () =>
        new AppError(
          'INVITATION_INVALID',
          'This invitation link is not valid: it was used already, it expired, or a newer link replaced it.',
          'token',
        );
      const invitation = await ctx.db.userInvitation.findUnique({
        where: { tokenHash: hashToken(input.token) },
        select: { id: true, userId: true, expiresAt: true, usedAt: true, user: { select: { email: true, isActive: true } } },
      });
      if (!invitation || invitation.usedAt !== null || invitation.expiresAt <= now || !invitation.user.isActive) throw invalid();
      const problem = checkPassword(input.password, invitation.user.email);
      if (problem) {
        throw new AppError('PASSWORD_NOT_ALLOWED', PASSWORD_PROBLEM_MESSAGES[problem], 'password', {
          password: [PASSWORD_PROBLEM_MESSAGES[problem]],
        });
      }
      const passwordHash = await hashPassword(input.password);
      await ctx.db.$transaction(async (tx) => {
        // Conditional writes: of two uses of one link at the same moment, only one gets through.
        const used = await tx.userInvitation.updateMany({ where: { id: invitation.id, usedAt: null }, data: { usedAt: now } });
        const set = await tx.user.updateMany({
          where: { id: invitation.userId, passwordHash: null, isActive: true },
          data: { passwordHash },
        });
        if (used.count !== 1 || set.count !== 1) throw invalid();
        await audit(tx, {
          actor: `user:${invitation.userId}`,
          action: 'user.invitation_accepted',
          entityType: 'user',
          entityId: invitation.userId,
          details: { invitationId: invitation.id },
        });
      });
      return { accepted: true as const, email: invitation.user.email };
    }),
});
