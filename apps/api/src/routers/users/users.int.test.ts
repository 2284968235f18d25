import { setTimeout as sleep } from 'node:timers/promises';
import { createFieldCipher, type Role } from '@zweck/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, findSessionUser, hashToken } from '../../auth/session.ts';
import { newTotpSecret, totpSealContext } from '../../auth/totp.ts';
import type { SessionUser } from '../../trpc/context.ts';
import { createHarness, demoPassword, type Harness } from '../../test/harness.ts';
import { codeOf, rejection } from '../../test/helpers.ts';

const LAST_ADMIN = 'There must be at least one active administrator';

describe('users', () => {
  let h: Harness;
  let ipCounter = 0;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const admin = () => h.callerFor('admin').caller;
  const tokenOf = (url: string) => {
    const match = /^https:\/\/zweck\.test\/welcome\/([A-Za-z0-9_-]{43})$/.exec(url);
    expect(match, url).not.toBeNull();
    return match![1]!;
  };
  /** A caller signed in as the given account (the session's user as the API would load it). */
  const callerAs = async (id: string) => {
    const user: SessionUser = await h.db.user.findUniqueOrThrow({
      where: { id },
      select: { id: true, email: true, displayName: true, role: true },
    });
    return h.callerFor(null, { user }).caller;
  };
  const signIn = async (email: string, password: string) => {
    const { caller } = h.callerFor(null, { ip: `192.0.2.${++ipCounter}` });
    return caller.auth.signIn({ email, password }).then(
      (user) => ({ ok: true as const, id: user.id }),
      (e: unknown) => ({ ok: false as const, appCode: (e as { cause?: { code?: string } }).cause?.code }),
    );
  };
  /** Creates an account through the API and accepts its invitation; returns its ID. */
  const invited = async (role: Role, nick: string, password = 'a long enough passphrase') => {
    const created = await admin().users.create({ email: `${nick}@zweck.test`, displayName: nick, role });
    await h.callerFor(null).caller.users.acceptInvitation({ token: tokenOf(created.invitationUrl), password });
    return created.id;
  };
  const auditOf = (entityId: string) =>
    h.db.auditEvent.findMany({ where: { entityId }, orderBy: { id: 'asc' }, select: { actor: true, action: true, details: true } });

  it('creates a user without a password and a one-time link; the person sets a password with it and signs in', async () => {
    const startedAt = Date.now();
    const created = await admin().users.create({ email: ' Nora.New@Zweck.test ', displayName: 'Nora New', role: 'marketer' });
    const token = tokenOf(created.invitationUrl);
    const stored = await h.db.user.findUniqueOrThrow({
      where: { id: created.id },
      select: { email: true, passwordHash: true, isActive: true },
    });
    expect(stored).toEqual({ email: 'nora.new@zweck.test', passwordHash: null, isActive: true });
    // Only the token's hash is stored, valid 72 hours.
    const invitations = await h.db.userInvitation.findMany({ where: { userId: created.id } });
    expect(invitations).toHaveLength(1);
    expect(invitations[0]!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(invitations)).not.toContain(token);
    const ttl = invitations[0]!.expiresAt.getTime() - startedAt;
    expect(ttl).toBeGreaterThanOrEqual(72 * 3_600_000 - 1000);
    expect(ttl).toBeLessThanOrEqual(72 * 3_600_000 + 60_000);
    expect(created.expiresAt).toEqual(invitations[0]!.expiresAt);

    // No password yet: no password signs in, not even an empty-looking one.
    expect(await signIn('nora.new@zweck.test', 'a long enough passphrase')).toEqual({ ok: false, appCode: 'INVALID_CREDENTIALS' });

    const listed = (await admin().users.list()).find((u) => u.id === created.id);
    expect(listed).toMatchObject({ invitation: 'pending', lastSignInAt: null, role: 'marketer', isActive: true, isSalesRep: false });

    // The password rule applies, with its message and field; a refused password writes nothing.
    const anonymous = h.callerFor(null).caller;
    for (const [password, message] of [
      ['too-short', 'at least 12 characters'],
      ['Nora.New@Zweck.test', 'e-mail address'],
      ['QwErTy123456', 'common or breached'],
    ] as const) {
      const refused = await rejection(anonymous.users.acceptInvitation({ token, password }));
      expect(refused.code).toBe('BAD_REQUEST');
      expect(refused.cause).toMatchObject({ code: 'PASSWORD_NOT_ALLOWED', field: 'password' });
      expect(refused.message).toContain(message);
    }
    expect((await h.db.userInvitation.findFirstOrThrow({ where: { userId: created.id } })).usedAt).toBeNull();
    expect((await h.db.user.findUniqueOrThrow({ where: { id: created.id } })).passwordHash).toBeNull();

    expect(await anonymous.users.acceptInvitation({ token, password: 'nora sets her own passphrase' })).toEqual({
      accepted: true,
      email: 'nora.new@zweck.test',
    });
    expect((await h.db.user.findUniqueOrThrow({ where: { id: created.id } })).passwordHash).toMatch(/^\$argon2id\$/);
    expect(await signIn('Nora.New@zweck.test', 'nora sets her own passphrase')).toEqual({ ok: true, id: created.id });

    const after = (await admin().users.list()).find((u) => u.id === created.id);
    expect(after?.invitation).toBe('accepted');
    expect(after?.invitationExpiresAt).toBeNull();
    expect(after?.lastSignInAt).toBeInstanceOf(Date);

    // Audited by ID, with the actor; no address anywhere.
    const rows = await auditOf(created.id);
    expect(rows.map((r) => r.action)).toEqual([
      'user.created',
      'user.invitation_issued',
      'auth.sign_in_failed',
      'user.invitation_accepted',
      'auth.sign_in',
    ]);
    expect(rows[0]).toEqual({ actor: `user:${h.userId('admin')}`, action: 'user.created', details: { role: 'marketer' } });
    expect(rows[3]).toMatchObject({ actor: `user:${created.id}`, details: { invitationId: invitations[0]!.id } });
    expect(JSON.stringify(rows)).not.toMatch(/nora|zweck\.test/i);
  });

  it('accepts a link once, not after 72 hours, and not after a newer link replaced it', async () => {
    const anonymous = h.callerFor(null).caller;
    const invalid = async (token: string) => {
      const error = await rejection(anonymous.users.acceptInvitation({ token, password: 'another long passphrase' }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.cause).toMatchObject({ code: 'INVITATION_INVALID', field: 'token' });
    };

    // Used once: the second use fails and the password stays the first one.
    const once = await admin().users.create({ email: 'once@zweck.test', displayName: 'Olli Once', role: 'dpo' });
    await anonymous.users.acceptInvitation({ token: tokenOf(once.invitationUrl), password: 'the first passphrase' });
    await invalid(tokenOf(once.invitationUrl));
    expect((await signIn('once@zweck.test', 'the first passphrase')).ok).toBe(true);
    expect(await codeOf(admin().users.reissueInvitation({ id: once.id }))).toBe('CONFLICT');

    // Two uses at the same moment: exactly one gets through.
    const raced = await admin().users.create({ email: 'raced@zweck.test', displayName: 'Rae Raced', role: 'marketer' });
    const both = await Promise.allSettled([
      anonymous.users.acceptInvitation({ token: tokenOf(raced.invitationUrl), password: 'racing passphrase one' }),
      anonymous.users.acceptInvitation({ token: tokenOf(raced.invitationUrl), password: 'racing passphrase two' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await h.db.auditEvent.count({ where: { entityId: raced.id, action: 'user.invitation_accepted' } })).toBe(1);

    // Expired: 72 hours after issue the link is refused.
    const late = await admin().users.create({ email: 'late@zweck.test', displayName: 'Lee Late', role: 'sales' });
    await h.db.userInvitation.updateMany({ where: { userId: late.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await invalid(tokenOf(late.invitationUrl));
    expect((await admin().users.list()).find((u) => u.id === late.id)?.invitation).toBe('expired');

    // A new link replaces the old one; the new one works.
    const again = await admin().users.reissueInvitation({ id: late.id });
    expect(again.invitationUrl).not.toBe(late.invitationUrl);
    expect(await h.db.userInvitation.count({ where: { userId: late.id } })).toBe(1);
    await h.db.userInvitation.updateMany({ where: { userId: late.id }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    await invalid(tokenOf(late.invitationUrl));
    await anonymous.users.acceptInvitation({ token: tokenOf(again.invitationUrl), password: 'late but here now' });
    expect((await signIn('late@zweck.test', 'late but here now')).ok).toBe(true);

    // A deactivated user's link no longer works, and no new one is issued for them.
    const gone = await admin().users.create({ email: 'gone@zweck.test', displayName: 'Gil Gone', role: 'marketer' });
    await admin().users.update({ id: gone.id, isActive: false });
    await invalid(tokenOf(gone.invitationUrl));
    expect((await rejection(admin().users.reissueInvitation({ id: gone.id }))).cause).toMatchObject({ code: 'USER_INACTIVE' });

    // A token nobody was given.
    await invalid('A'.repeat(43));
    expect(await h.db.auditEvent.count({ where: { entityId: late.id, action: 'user.invitation_issued' } })).toBe(2);
  });

  it('refuses, through the API, to demote or deactivate the last active administrator; a second one may step down', async () => {
    const adminId = h.userId('admin');
    const auditBefore = await h.db.auditEvent.count();
    for (const change of [{ role: 'marketer' as const }, { isActive: false }]) {
      const error = await rejection(admin().users.update({ id: adminId, ...change }));
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toBe(LAST_ADMIN);
      expect(error.cause).toMatchObject({ code: 'LAST_ADMIN', field: 'role' in change ? 'role' : 'isActive' });
    }
    expect(await h.db.user.findUniqueOrThrow({ where: { id: adminId }, select: { role: true, isActive: true } })).toEqual({
      role: 'admin',
      isActive: true,
    });
    expect(await h.db.auditEvent.count()).toBe(auditBefore);

    // An invited administrator who has not set a password cannot sign in, so does not count.
    const pending = await admin().users.create({ email: 'pending.admin@zweck.test', displayName: 'Pat Pending', role: 'admin' });
    expect(await codeOf(admin().users.update({ id: adminId, role: 'dpo' }))).toBe('CONFLICT');

    // With a second active administrator, either may step down, themself included.
    await h
      .callerFor(null)
      .caller.users.acceptInvitation({ token: tokenOf(pending.invitationUrl), password: 'pending no more passphrase' });
    const second = await callerAs(pending.id);
    const stepped = await second.users.update({ id: pending.id, role: 'marketer' });
    expect(stepped.user.role).toBe('marketer');
    expect(await codeOf(admin().users.update({ id: adminId, role: 'marketer' }))).toBe('CONFLICT');
    await admin().users.update({ id: pending.id, role: 'admin' });
  });

  it('enforces the guard in the database itself, also against two administrators demoting each other at once', async () => {
    const adminId = h.userId('admin');
    const refusal = (promise: Promise<unknown>) =>
      expect(promise).rejects.toThrow(/LAST_ADMIN: There must be at least one active administrator/);
    const secondId = await invited('admin', 'second.admin');
    // Leave exactly the seeded administrator for the first checks.
    await h.db.user.updateMany({ where: { role: 'admin', id: { not: adminId } }, data: { role: 'marketer' } });

    await refusal(h.db.$executeRaw`UPDATE app_user SET role = 'sales' WHERE role = 'admin'`);
    await refusal(h.db.$executeRaw`UPDATE app_user SET is_active = false WHERE id = ${adminId}::uuid`);
    await refusal(h.db.$executeRaw`UPDATE app_user SET password_hash = NULL WHERE id = ${adminId}::uuid`);
    await refusal(h.db.$executeRaw`DELETE FROM app_user WHERE id = ${adminId}::uuid`);
    // Under REPEATABLE READ the count could be stale: the guard does not run there at all.
    await expect(
      h.db.$transaction((tx) => tx.$executeRaw`UPDATE app_user SET role = 'sales' WHERE id = ${adminId}::uuid`, {
        isolationLevel: 'RepeatableRead',
      }),
    ).rejects.toThrow(/READ COMMITTED/);
    // Changes to anyone else, and harmless changes to the administrator, pass.
    expect(await h.db.$executeRaw`UPDATE app_user SET display_name = display_name WHERE id = ${adminId}::uuid`).toBe(1);

    // Two administrators demote each other in two transactions at the same time. The first holds
    // its change open while the second runs: without the lock both would see the other still in
    // place and commit, leaving none.
    await h.db.user.update({ where: { id: secondId }, data: { role: 'admin' } });
    let firstUpdated!: () => void;
    const firstHasUpdated = new Promise<void>((resolve) => (firstUpdated = resolve));
    const first = h.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`UPDATE app_user SET role = 'marketer' WHERE id = ${secondId}::uuid`;
        firstUpdated();
        await sleep(400);
      },
      { timeout: 10_000 },
    );
    await firstHasUpdated;
    const second = h.db.$transaction((tx) => tx.$executeRaw`UPDATE app_user SET role = 'marketer' WHERE id = ${adminId}::uuid`, {
      timeout: 10_000,
    });
    const outcome = await Promise.allSettled([first, second]);
    expect(outcome[0].status).toBe('fulfilled');
    expect(outcome[1].status).toBe('rejected');
    expect(String((outcome[1] as PromiseRejectedResult).reason)).toContain(LAST_ADMIN);
    expect(await h.db.user.count({ where: { role: 'admin', isActive: true } })).toBe(1);

    // The same race through the API: one demotion gets through, the other answers LAST_ADMIN.
    await h.db.user.update({ where: { id: secondId }, data: { role: 'admin' } });
    const firstAdmin = await callerAs(adminId);
    const secondAdmin = await callerAs(secondId);
    const api = await Promise.allSettled([
      firstAdmin.users.update({ id: secondId, role: 'marketer' }),
      secondAdmin.users.update({ id: adminId, role: 'marketer' }),
    ]);
    expect(api.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = api.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect((rejected.reason as { cause?: { code?: string } }).cause?.code).toBe('LAST_ADMIN');
    expect(await h.db.user.count({ where: { role: 'admin', isActive: true } })).toBe(1);
    // Put the seeded administrator back in charge for the tests that follow.
    await h.db.user.update({ where: { id: adminId }, data: { role: 'admin' } });
  });

  it('ends every session of a user whose role changes or who is deactivated; renaming does not', async () => {
    const id = await invited('marketer', 'session.keeper');
    const a = await createSession(h.db, id, 12);
    const b = await createSession(h.db, id, 12);
    const renamed = await admin().users.update({ id, displayName: 'Sam Keeper' });
    expect(renamed).toMatchObject({ sessionsEnded: 0, user: { displayName: 'Sam Keeper' } });
    expect(await h.db.session.count({ where: { userId: id } })).toBe(2);

    const changed = await admin().users.update({ id, role: 'dpo' });
    expect(changed.sessionsEnded).toBe(2);
    expect(changed.user.role).toBe('dpo');
    expect(await findSessionUser(h.db, a.token)).toBeNull();
    expect(await findSessionUser(h.db, b.token)).toBeNull();

    const c = await createSession(h.db, id, 12);
    expect((await admin().users.update({ id, isActive: false })).sessionsEnded).toBe(1);
    expect(await findSessionUser(h.db, c.token)).toBeNull();
    expect((await signIn('session.keeper@zweck.test', 'a long enough passphrase')).ok).toBe(false);
    await admin().users.update({ id, isActive: true });
    expect((await signIn('session.keeper@zweck.test', 'a long enough passphrase')).ok).toBe(true);

    const rows = (await auditOf(id)).filter((r) => r.action.startsWith('user.') && r.action !== 'user.invitation_issued');
    expect(rows.map((r) => [r.action, r.details])).toEqual([
      ['user.created', { role: 'marketer' }],
      ['user.invitation_accepted', expect.anything()],
      ['user.renamed', {}],
      ['user.role_changed', { from: 'marketer', to: 'dpo', sessionsEnded: 2 }],
      ['user.deactivated', { sessionsEnded: 1 }],
      ['user.reactivated', {}],
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/keeper|Sam/i);
  });

  it('makes a sales user a rep with a manager, and takes the rep out of lead routing when the role changes', async () => {
    const managerId = await invited('sales', 'sales.manager');
    const created = await admin().users.create({ email: 'rep@zweck.test', displayName: 'Rita Rep', role: 'sales', managerId });
    expect(await h.db.salesRep.findUniqueOrThrow({ where: { userId: created.id }, select: { isActive: true, managerId: true } })).toEqual({
      isActive: true,
      managerId,
    });
    expect((await admin().users.list()).find((u) => u.id === created.id)).toMatchObject({ isSalesRep: true, managerId });

    await admin().users.update({ id: created.id, role: 'marketer' });
    expect((await h.db.salesRep.findUniqueOrThrow({ where: { userId: created.id } })).isActive).toBe(false);
    await admin().users.update({ id: created.id, role: 'sales', managerId: null });
    expect(await h.db.salesRep.findUniqueOrThrow({ where: { userId: created.id }, select: { isActive: true, managerId: true } })).toEqual({
      isActive: true,
      managerId: null,
    });

    // A new manager alone leaves a rep the scoring page paused as it is.
    await h.db.salesRep.update({ where: { userId: created.id }, data: { isActive: false } });
    await admin().users.update({ id: created.id, managerId });
    expect(await h.db.salesRep.findUniqueOrThrow({ where: { userId: created.id }, select: { isActive: true, managerId: true } })).toEqual({
      isActive: false,
      managerId,
    });

    // A manager must be another active sales user; a non-sales user has none.
    const badManager = await rejection(admin().users.update({ id: created.id, managerId: h.userId('marketer') }));
    expect(badManager.cause).toMatchObject({ code: 'SALES_USER_NOT_FOUND', field: 'managerId' });
    const self = await rejection(admin().users.update({ id: created.id, managerId: created.id }));
    expect(self.cause).toMatchObject({ field: 'managerId' });
    const notSales = await rejection(admin().users.create({ email: 'm2@zweck.test', displayName: 'M', role: 'marketer', managerId }));
    expect(notSales.code).toBe('BAD_REQUEST');
    expect(notSales.message).toContain('managerId');
  });

  it('resets a second factor: authenticator and recovery codes gone, sessions ended, audited', async () => {
    const id = await invited('dpo', 'lost.phone');
    const cipher = createFieldCipher(h.env.FIELD_ENCRYPTION_KEYS);
    const secretSealed = cipher.seal(newTotpSecret(), totpSealContext(id));
    await h.db.userTotp.create({ data: { userId: id, secretSealed, confirmedAt: new Date() } });
    await h.db.recoveryCode.createMany({
      data: [1, 2, 3].map((n) => ({ id: `00000000-0000-4000-8000-00000000000${n}`, userId: id, codeHash: `hash-${n}` })),
    });
    const session = await createSession(h.db, id, 12);
    expect((await admin().users.list()).find((u) => u.id === id)?.secondFactor).toBe('enrolled');

    expect(await admin().users.resetSecondFactor({ id })).toEqual({ reset: true, wasEnrolled: true });
    expect(await h.db.userTotp.count({ where: { userId: id } })).toBe(0);
    expect(await h.db.recoveryCode.count({ where: { userId: id } })).toBe(0);
    expect(await findSessionUser(h.db, session.token)).toBeNull();
    expect((await admin().users.list()).find((u) => u.id === id)?.secondFactor).toBe('not_enrolled');
    const rows = await h.db.auditEvent.findMany({
      where: { entityId: id, action: 'user.second_factor_reset' },
      select: { actor: true, details: true },
    });
    expect(rows).toEqual([{ actor: `user:${h.userId('admin')}`, details: { wasEnrolled: true } }]);

    expect((await rejection(admin().users.resetSecondFactor({ id: '00000000-0000-4000-8000-000000000000' }))).code).toBe('NOT_FOUND');
    expect(await codeOf(h.callerFor('dpo').caller.users.resetSecondFactor({ id }))).toBe('FORBIDDEN');
  });

  it('is for administrators only (acceptInvitation excepted), and bad input names the field and writes nothing', async () => {
    const target = h.userId('marketer');
    for (const role of ['marketer', 'sales', 'dpo'] as const) {
      const { caller } = h.callerFor(role);
      expect(await codeOf(caller.users.list()), role).toBe('FORBIDDEN');
      expect(await codeOf(caller.users.create({ email: `x-${role}@zweck.test`, displayName: 'X', role: 'admin' })), role).toBe('FORBIDDEN');
      expect(await codeOf(caller.users.update({ id: target, role: 'admin' })), role).toBe('FORBIDDEN');
      expect(await codeOf(caller.users.reissueInvitation({ id: target })), role).toBe('FORBIDDEN');
    }
    const signedOut = h.callerFor(null).caller;
    expect(await codeOf(signedOut.users.list())).toBe('UNAUTHORIZED');
    expect(await codeOf(signedOut.users.create({ email: 'y@zweck.test', displayName: 'Y', role: 'admin' }))).toBe('UNAUTHORIZED');
    expect((await h.db.user.findUniqueOrThrow({ where: { id: target } })).role).toBe('marketer');

    const counts = async () => [await h.db.user.count(), await h.db.userInvitation.count(), await h.db.auditEvent.count()];
    const before = await counts();
    const bad = await rejection(
      admin().users.create({ email: 'not-an-address', displayName: ' ', role: 'owner' as 'admin', managerId: 'x' }),
    );
    expect(bad.code).toBe('BAD_REQUEST');
    for (const field of ['email', 'displayName', 'role', 'managerId']) expect(bad.message).toContain(`${field}:`);
    const taken = await rejection(admin().users.create({ email: 'Marketer@zweck.test', displayName: 'Twin', role: 'marketer' }));
    expect(taken.code).toBe('CONFLICT');
    expect(taken.cause).toMatchObject({ code: 'USER_EMAIL_TAKEN', field: 'email' });
    const unknown = await rejection(admin().users.update({ id: '00000000-0000-4000-8000-000000000000', role: 'dpo' }));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.cause).toMatchObject({ code: 'USER_NOT_FOUND', field: 'id' });
    expect((await rejection(admin().users.update({ id: 'nope' }))).message).toContain('id:');
    expect((await rejection(signedOut.users.acceptInvitation({ token: 'short', password: '' }))).message).toMatch(/token:.*password:/);
    expect(await counts()).toEqual(before);
  });

  it('signs the demo administrator in as before', async () => {
    expect((await signIn('admin@zweck.test', demoPassword('admin'))).ok).toBe(true);
  });
});
