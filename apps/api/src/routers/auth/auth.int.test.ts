import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../auth/password.ts';
import { createSession, findSessionUser, hashToken } from '../../auth/session.ts';
import type { AppError } from '../../trpc/errors.ts';
import { createHarness, demoPassword, type Harness } from '../../test/harness.ts';

describe('auth', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const failure = async (email: string, password: string) => {
    const { caller, cookies } = h.callerFor(null);
    const error = await caller.auth.signIn({ email, password }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect(cookies).toEqual([]);
    return { code: (error as TRPCError).code, message: (error as TRPCError).message };
  };

  it('answers a wrong password and an unknown account alike', async () => {
    const wrongPassword = await failure('marketer@zweck.test', 'not-the-password');
    const unknownUser = await failure('nobody@zweck.test', 'whatever-password');
    expect(wrongPassword).toEqual({ code: 'UNAUTHORIZED', message: 'E-mail address or password is not correct.' });
    expect(unknownUser).toEqual(wrongPassword);
    expect(await h.db.session.count()).toBe(0);
    const audited = await h.db.auditEvent.findMany({
      where: { action: 'auth.sign_in_failed' },
      orderBy: { id: 'asc' },
      select: { entityId: true, details: true },
    });
    expect(audited).toHaveLength(2);
    // IDs only: the known account by its ID, the unknown one as a keyed hash; no client address.
    expect(audited[0]).toEqual({ entityId: h.userId('marketer'), details: {} });
    expect(audited[1]!.entityId).toBeNull();
    expect(audited[1]!.details).toEqual({ accountRef: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown });
    expect(JSON.stringify(audited)).not.toContain('nobody@zweck.test');
    expect(JSON.stringify(audited)).not.toContain('203.0.113');
    await h.db.signInFailure.deleteMany();
  });

  it('signs in with argon2id, stores only the token hash, and signs out', async () => {
    const { caller, cookies } = h.callerFor(null);
    const user = await caller.auth.signIn({ email: 'Marketer@Zweck.test', password: demoPassword('marketer') });
    expect(user.role).toBe('marketer');
    const token = cookies[0];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    const stored = await h.db.session.findMany({ select: { tokenHash: true } });
    expect(stored).toEqual([{ tokenHash: hashToken(token!) }]);
    expect((await h.db.user.findFirstOrThrow({ where: { role: 'marketer' } })).passwordHash).toMatch(/^\$argon2id\$/);

    // Sign-out removes the session behind the caller's cookie and clears the cookie.
    const signedIn = h.callerFor('marketer', { sessionTokenHash: hashToken(token!) });
    await signedIn.caller.auth.signOut();
    expect(signedIn.cookies).toEqual([null]);
    expect(await h.db.session.count()).toBe(0);
  });

  it('names the field of bad input', async () => {
    const { caller } = h.callerFor(null);
    const error = (await caller.auth.signIn({ email: 'not-an-address', password: 'x' }).catch((e: unknown) => e)) as TRPCError;
    expect(error.code).toBe('BAD_REQUEST');
  });
});

describe('sign-in throttling, sessions and passwords', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const attempt = async (email: string, password: string, ip: string, env?: Partial<Harness['env']>) => {
    const headers: Record<string, string> = {};
    const { caller, cookies } = h.callerFor(null, {
      ip,
      setHeader: (name, value) => (headers[name] = value),
      ...(env ? { env: { ...h.env, ...env } } : {}),
    });
    const started = performance.now();
    const error = await caller.auth.signIn({ email, password }).then(
      () => null,
      (e: unknown) => e as TRPCError,
    );
    const ms = performance.now() - started;
    return { error, cookies, headers, ms, appCode: (error?.cause as { code?: string } | undefined)?.code ?? null };
  };

  it('answers the 11th attempt within 15 minutes with 429 and Retry-After, alike for a known and an unknown account', async () => {
    const known = [];
    const unknown = [];
    for (let i = 0; i < 10; i++) {
      known.push(await attempt('admin@zweck.test', `wrong-password-${i}`, '198.51.100.1'));
      unknown.push(await attempt('ghost@zweck.test', `wrong-password-${i}`, '198.51.100.2'));
    }
    for (const r of [...known, ...unknown]) {
      expect(r.appCode).toBe('INVALID_CREDENTIALS');
      // A constant minimum answer time, whatever the cause (argon2 alone takes less).
      expect(r.ms).toBeGreaterThanOrEqual(h.env.SIGN_IN_FAILURE_DELAY_MS - 5);
    }
    // The 11th, even with the right password, is refused without looking at it.
    const eleventh = await attempt('admin@zweck.test', demoPassword('admin'), '198.51.100.1');
    const eleventhUnknown = await attempt('ghost@zweck.test', 'whatever-password', '198.51.100.2');
    expect(eleventh.error?.code).toBe('TOO_MANY_REQUESTS');
    expect(eleventh.appCode).toBe('SIGN_IN_THROTTLED');
    expect(eleventh.cookies).toEqual([]);
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(Number(eleventh.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect({ code: eleventhUnknown.error?.code, message: eleventhUnknown.error?.message, appCode: eleventhUnknown.appCode }).toEqual({
      code: eleventh.error?.code,
      message: eleventh.error?.message,
      appCode: eleventh.appCode,
    });
    expect(eleventhUnknown.ms).toBeGreaterThanOrEqual(h.env.SIGN_IN_FAILURE_DELAY_MS - 5);
    // Counted in PostgreSQL, as keyed hashes only.
    const rows = await h.db.signInFailure.findMany({ select: { accountKey: true, addressKey: true } });
    expect(rows).toHaveLength(20);
    expect(JSON.stringify(rows)).not.toMatch(/admin|ghost|198\.51/);
    expect(await h.db.auditEvent.count({ where: { action: 'auth.sign_in_throttled' } })).toBe(2);
  });

  it('throttles a client address that tries many accounts, and prunes failures that left the window', async () => {
    const env = { SIGN_IN_MAX_FAILURES_PER_ADDRESS: 3 };
    for (const who of ['a', 'b', 'c'])
      expect((await attempt(`${who}@zweck.test`, 'wrong-password', '192.0.2.7', env)).appCode).toBe('INVALID_CREDENTIALS');
    const fourth = await attempt('marketer@zweck.test', demoPassword('marketer'), '192.0.2.7', env);
    expect(fourth.appCode).toBe('SIGN_IN_THROTTLED');
    // From another address the same account signs in.
    expect((await attempt('marketer@zweck.test', demoPassword('marketer'), '192.0.2.8', env)).error).toBeNull();

    // Failures older than the window no longer count and are deleted at the next failure.
    await h.db.signInFailure.updateMany({ data: { failedAt: new Date(Date.now() - 16 * 60_000) } });
    expect((await attempt('admin@zweck.test', demoPassword('admin'), '198.51.100.1')).error).toBeNull();
    expect((await attempt('d@zweck.test', 'wrong-password', '192.0.2.7', env)).appCode).toBe('INVALID_CREDENTIALS');
    expect(await h.db.signInFailure.count()).toBe(1);
  });

  it('ends a session after the idle timeout and after the absolute timeout, server-side', async () => {
    const now = new Date();
    const userId = h.userId('sales');
    const idle = await createSession(h.db, userId, h.env.SESSION_TTL_HOURS, now);
    const busy = await createSession(h.db, userId, h.env.SESSION_TTL_HOURS, now);
    const old = await createSession(h.db, userId, h.env.SESSION_TTL_HOURS, new Date(now.getTime() - 12 * 3_600_000 - 1000));
    const idleMinutes = h.env.SESSION_IDLE_MINUTES;

    // Used 29 minutes after the last request: alive, and the use counts.
    const at29 = new Date(now.getTime() + (idleMinutes - 1) * 60_000);
    expect((await findSessionUser(h.db, busy.token, { idleMinutes, now: at29 }))?.user.id).toBe(userId);
    expect((await h.db.session.findUniqueOrThrow({ where: { tokenHash: hashToken(busy.token) } })).lastSeenAt).toEqual(at29);

    // Unused for 30 minutes: gone, and deleted.
    const at30 = new Date(now.getTime() + idleMinutes * 60_000);
    expect(await findSessionUser(h.db, idle.token, { idleMinutes, now: at30 })).toBeNull();
    expect(await h.db.session.count({ where: { tokenHash: hashToken(idle.token) } })).toBe(0);
    expect((await findSessionUser(h.db, busy.token, { idleMinutes, now: at30 }))?.user.id).toBe(userId);

    // Kept busy, it still ends 12 hours after sign-in.
    await h.db.session.update({ where: { tokenHash: hashToken(old.token) }, data: { lastSeenAt: now } });
    expect(await findSessionUser(h.db, old.token, { idleMinutes, now })).toBeNull();
    expect(await h.db.session.count({ where: { tokenHash: hashToken(old.token) } })).toBe(0);
    await h.db.session.deleteMany();
  });

  it('changes a password only with the current one and a new one that passes the rule, and ends the other sessions', async () => {
    const email = 'changer@zweck.test';
    const user = await h.db.user.create({
      data: { email, displayName: 'Chris Changer', role: 'marketer', passwordHash: await hashPassword('the old long passphrase') },
      select: { id: true, email: true, displayName: true, role: true },
    });
    const mine = await createSession(h.db, user.id, 12);
    const elsewhere = await createSession(h.db, user.id, 12);
    const { caller } = h.callerFor(null, { user, sessionTokenHash: hashToken(mine.token), ip: '192.0.2.99' });
    const refused = async (currentPassword: string, newPassword: string) => {
      const error = (await caller.auth.changePassword({ currentPassword, newPassword }).catch((e: unknown) => e)) as TRPCError;
      const cause = error.cause as AppError;
      return { code: error.code, appCode: cause.code, field: cause.field };
    };
    expect(await refused('not the old one at all', 'a brand new passphrase')).toEqual({
      code: 'BAD_REQUEST',
      appCode: 'CURRENT_PASSWORD_WRONG',
      field: 'currentPassword',
    });
    const policy = { code: 'BAD_REQUEST', appCode: 'PASSWORD_NOT_ALLOWED', field: 'newPassword' };
    expect(await refused('the old long passphrase', 'too-short')).toEqual(policy);
    expect(await refused('the old long passphrase', 'QwErTy123456')).toEqual(policy);
    expect(await refused('the old long passphrase', 'Changer@Zweck.test')).toEqual(policy);
    expect(await h.db.session.count({ where: { userId: user.id } })).toBe(2);

    expect(await caller.auth.changePassword({ currentPassword: 'the old long passphrase', newPassword: 'a brand new passphrase' })).toEqual(
      {
        changed: true,
        otherSessionsEnded: 1,
      },
    );
    expect(await findSessionUser(h.db, elsewhere.token)).toBeNull();
    expect((await findSessionUser(h.db, mine.token))?.user.id).toBe(user.id);
    expect((await attempt(email, 'the old long passphrase', '192.0.2.100')).appCode).toBe('INVALID_CREDENTIALS');
    expect((await attempt(email, 'a brand new passphrase', '192.0.2.100')).error).toBeNull();
    expect(await h.db.auditEvent.count({ where: { action: 'auth.password_changed', entityId: user.id } })).toBe(1);
  });
});
