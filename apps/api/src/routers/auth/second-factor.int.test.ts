import { createFieldCipher } from '@zweck/db';
import { DEMO_TOTP_SECRETS } from '@zweck/db/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../auth/password.ts';
import { createSession, hashToken, SESSION_COOKIE } from '../../auth/session.ts';
import {
  resetSecondFactor,
  SECOND_FACTOR_OPTIONAL_ROLES,
  SECOND_FACTOR_REQUIRED_ROLES,
  secondFactorStatus,
  totpCode,
  totpSealContext,
} from '../../auth/totp.ts';
import { ALL_ROLES } from '../../trpc/init.ts';
import { createHttpHarness, demoPassword, type Harness } from '../../test/harness.ts';
import { codeOf, rejection } from '../../test/helpers.ts';
import type { FastifyInstance } from 'fastify';

type HttpHarness = Harness & { app: FastifyInstance };
const JSON_CSRF = { 'content-type': 'application/json', 'x-zweck-csrf': '1' };

interface TrpcAnswer<T> {
  status: number;
  data: T | null;
  code: string | null;
  appCode: string | null;
  /** The session cookie this answer set ('' when it cleared it), or null when it set none. */
  cookie: string | null;
}

/** The code of `secret` at `now + stepsAhead` steps: the next step is inside the ±1 window, so no test waits 30 s. */
const codeAt = (secret: string, stepsAhead = 0) => totpCode(secret, new Date(Date.now() + stepsAhead * 30_000));

describe('the second factor (TOTP) over HTTP', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await createHttpHarness();
  });
  afterAll(async () => h?.close());

  async function call<T>(
    path: string,
    input: unknown,
    token: string | null,
    kind: 'query' | 'mutation' = 'mutation',
  ): Promise<TrpcAnswer<T>> {
    const cookies: Record<string, string> = token ? { [SESSION_COOKIE]: token } : {};
    const response =
      kind === 'mutation'
        ? await h.app.inject({ method: 'POST', url: `/trpc/${path}`, headers: JSON_CSRF, cookies, payload: JSON.stringify(input ?? {}) })
        : await h.app.inject({
            method: 'GET',
            url: `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
            cookies,
          });
    const body = response.json<{ result?: { data: T }; error?: { data: { code: string; appCode: string | null } } }>();
    return {
      status: response.statusCode,
      data: body.result?.data ?? null,
      code: body.error?.data.code ?? null,
      appCode: body.error?.data.appCode ?? null,
      cookie: response.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? null,
    };
  }

  const signIn = async (email: string, password: string) => {
    const answer = await call<{ id: string; secondFactor: 'none' | 'verify' | 'enroll' }>('auth.signIn', { email, password }, null);
    expect(answer.code).toBeNull();
    return { step: answer.data!.secondFactor, token: answer.cookie! };
  };
  const me = async (token: string) => (await call<{ id: string } | null>('auth.me', undefined, token, 'query')).data;
  const actions = async (userId: string) =>
    (await h.db.auditEvent.findMany({ where: { entityId: userId }, orderBy: { id: 'asc' }, select: { action: true } })).map(
      (a) => a.action,
    );

  it('ends a password-only session on sign-out: someone who stops at the second step leaves no session behind', async () => {
    const pending = await signIn('dpo@zweck.test', demoPassword('dpo'));
    expect(pending.step).toBe('verify');
    expect(await h.db.session.count({ where: { tokenHash: hashToken(pending.token) } })).toBe(1);
    expect((await call('auth.signOut', {}, pending.token)).code).toBeNull();
    expect(await h.db.session.count({ where: { tokenHash: hashToken(pending.token) } })).toBe(0);
    expect((await call('auth.verifySecondFactor', { code: codeAt(DEMO_TOTP_SECRETS['dpo@zweck.test']!) }, pending.token)).code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('asks the enrolled DPO for a code; the password-only session is nobody signed in; a used code is refused', async () => {
    const dpoId = h.userId('dpo');
    const secret = DEMO_TOTP_SECRETS['dpo@zweck.test']!;
    const pending = await signIn('dpo@zweck.test', demoPassword('dpo'));
    expect(pending.step).toBe('verify');
    // A short session (10 minutes) that signs nobody in.
    const row = await h.db.session.findUniqueOrThrow({ where: { tokenHash: hashToken(pending.token) } });
    expect(row.secondFactorPending).toBe(true);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(10 * 60_000);
    expect(await me(pending.token)).toBeNull();
    expect((await call('contacts.list', {}, pending.token, 'query')).code).toBe('UNAUTHORIZED');
    expect((await call('auth.changePassword', { currentPassword: 'x', newPassword: 'y' }, pending.token)).code).toBe('UNAUTHORIZED');
    expect((await call('auth.regenerateRecoveryCodes', { code: codeAt(secret) }, pending.token)).code).toBe('UNAUTHORIZED');
    // Without any session the second step does not exist.
    expect((await call('auth.verifySecondFactor', { code: codeAt(secret) }, null)).code).toBe('UNAUTHORIZED');

    const status = await call<{ status: string; required: boolean; sessionPending: boolean }>(
      'auth.secondFactor',
      undefined,
      pending.token,
      'query',
    );
    expect(status.data).toMatchObject({ status: 'enrolled', required: true, sessionPending: true });

    const wrongCode = String((Number(codeAt(secret)) + 500_000) % 1_000_000).padStart(6, '0');
    const wrong = await call('auth.verifySecondFactor', { code: wrongCode }, pending.token);
    expect({ code: wrong.code, appCode: wrong.appCode, cookie: wrong.cookie }).toEqual({
      code: 'BAD_REQUEST',
      appCode: 'SECOND_FACTOR_CODE_WRONG',
      cookie: null,
    });
    expect((await call('auth.verifySecondFactor', { code: '12345' }, pending.token)).code).toBe('BAD_REQUEST');

    const code = codeAt(secret);
    const verified = await call<{ id: string }>('auth.verifySecondFactor', { code }, pending.token);
    expect(verified.data?.id).toBe(dpoId);
    // A new token: the password-only one is gone.
    expect(verified.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verified.cookie).not.toBe(pending.token);
    expect(await h.db.session.count({ where: { tokenHash: hashToken(pending.token) } })).toBe(0);
    expect((await me(verified.cookie!))?.id).toBe(dpoId);
    expect((await call('contacts.list', {}, verified.cookie, 'query')).code).toBeNull();
    const full = await h.db.session.findUniqueOrThrow({ where: { tokenHash: hashToken(verified.cookie!) } });
    expect(full.secondFactorPending).toBe(false);

    // The same code again (a replay, or a shoulder-surfed code) is refused, even with the password.
    const again = await signIn('dpo@zweck.test', demoPassword('dpo'));
    const replay = await call('auth.verifySecondFactor', { code }, again.token);
    expect({ code: replay.code, appCode: replay.appCode }).toEqual({ code: 'BAD_REQUEST', appCode: 'SECOND_FACTOR_CODE_USED' });
    expect(await me(again.token)).toBeNull();
    // The next step's code (clock drift of one step is allowed) is a new code.
    expect((await call<{ id: string }>('auth.verifySecondFactor', { code: codeAt(secret, 1) }, again.token)).data?.id).toBe(dpoId);

    const audited = await actions(dpoId);
    expect(audited).toEqual(expect.arrayContaining(['auth.second_factor_required', 'auth.second_factor_failed', 'auth.sign_in']));
    const failures = await h.db.auditEvent.findMany({
      where: { entityId: dpoId, action: 'auth.second_factor_failed' },
      select: { details: true },
    });
    expect(failures.map((f) => f.details)).toEqual([
      { method: 'totp', reason: 'wrong' },
      { method: 'totp', reason: 'used' },
    ]);
    await h.db.signInFailure.deleteMany();
  });

  it('makes an administrator without a second factor enrol before anything else; the secret is stored sealed', async () => {
    const email = 'new-admin@zweck.test';
    const password = 'a long admin passphrase';
    const { id } = await h.db.user.create({
      data: { email, displayName: 'Nina New-Admin', role: 'admin', passwordHash: await hashPassword(password) },
      select: { id: true },
    });
    const pending = await signIn(email, password);
    expect(pending.step).toBe('enroll');
    expect(await me(pending.token)).toBeNull();
    expect((await call('contacts.list', {}, pending.token, 'query')).code).toBe('UNAUTHORIZED');
    const verify = await call('auth.verifySecondFactor', { code: '123456' }, pending.token);
    expect(verify.appCode).toBe('SECOND_FACTOR_NOT_ENROLLED');
    expect((await call('auth.confirmTotpEnrollment', { code: '123456' }, pending.token)).appCode).toBe(
      'SECOND_FACTOR_ENROLLMENT_NOT_STARTED',
    );

    const begun = await call<{ otpauthUri: string; secret: string; qrSvg: string }>('auth.beginTotpEnrollment', {}, pending.token);
    const { secret, otpauthUri, qrSvg } = begun.data!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Zweck:new-admin%40zweck\.test\?issuer=Zweck&/);
    expect(qrSvg).toMatch(/^<svg /);

    // At rest only ciphertext, bound to this user; the database refuses a clear secret outright.
    const stored = await h.db.userTotp.findUniqueOrThrow({ where: { userId: id } });
    expect(stored.secretSealed).not.toContain(secret);
    expect(stored.secretSealed).toMatch(/^zf1\./);
    expect(stored.confirmedAt).toBeNull();
    const cipher = createFieldCipher(h.env.FIELD_ENCRYPTION_KEYS);
    expect(cipher.open(stored.secretSealed, totpSealContext(id))).toBe(secret);
    expect(() => cipher.open(stored.secretSealed, totpSealContext(h.userId('dpo')))).toThrow();
    await expect(h.db.$executeRaw`UPDATE user_totp SET secret_sealed = ${secret} WHERE user_id = ${id}::uuid`).rejects.toThrow();
    // Still pending: nothing is possible but the enrolment.
    expect(await secondFactorStatus(h.db, id)).toBe('not_enrolled');

    expect((await call('auth.confirmTotpEnrollment', { code: codeAt(secret, 10) }, pending.token)).appCode).toBe(
      'SECOND_FACTOR_CODE_WRONG',
    );
    const confirmed = await call<{ recoveryCodes: string[]; user: { id: string } }>(
      'auth.confirmTotpEnrollment',
      { code: codeAt(secret) },
      pending.token,
    );
    expect(confirmed.data?.user.id).toBe(id);
    const codes = confirmed.data!.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    // Stored as argon2id hashes only.
    const rows = await h.db.recoveryCode.findMany({ where: { userId: id }, select: { codeHash: true, usedAt: true } });
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(r.codeHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(rows)).not.toContain(codes[0]!.replace('-', ''));
    // A new token, and now signed in.
    expect(confirmed.cookie).not.toBe(pending.token);
    expect((await me(confirmed.cookie!))?.id).toBe(id);
    expect(await secondFactorStatus(h.db, id)).toBe('enrolled');
    expect((await call('auth.beginTotpEnrollment', {}, confirmed.cookie)).appCode).toBe('SECOND_FACTOR_ALREADY_ENROLLED');
    // Required for the role: it cannot be switched off.
    const disable = await call('auth.disableTotp', { password }, confirmed.cookie);
    expect({ code: disable.code, appCode: disable.appCode }).toEqual({ code: 'FORBIDDEN', appCode: 'ROLE_NOT_ALLOWED' });
    expect(await secondFactorStatus(h.db, id)).toBe('enrolled');

    // A recovery code signs in once (typed in capitals without the dash, as people do), then never again.
    const first = await signIn(email, password);
    expect(first.step).toBe('verify');
    const used = await call<{ id: string; recoveryCodesLeft: number }>(
      'auth.useRecoveryCode',
      { code: codes[0]!.replace('-', '').toUpperCase() },
      first.token,
    );
    expect(used.data).toMatchObject({ id, recoveryCodesLeft: 9 });
    expect((await me(used.cookie!))?.id).toBe(id);
    const second = await signIn(email, password);
    const reused = await call('auth.useRecoveryCode', { code: codes[0] }, second.token);
    expect({ code: reused.code, appCode: reused.appCode }).toEqual({ code: 'BAD_REQUEST', appCode: 'RECOVERY_CODE_WRONG' });
    expect(await me(second.token)).toBeNull();
    expect((await call('auth.useRecoveryCode', { code: 'zzzzz-zzzzz' }, second.token)).appCode).toBe('RECOVERY_CODE_WRONG');

    // New codes with a current code: the old ones stop working.
    const renewed = await call<{ recoveryCodes: string[] }>('auth.regenerateRecoveryCodes', { code: codeAt(secret, 1) }, used.cookie);
    expect(renewed.data?.recoveryCodes).toHaveLength(10);
    expect((await call('auth.useRecoveryCode', { code: codes[1] }, second.token)).appCode).toBe('RECOVERY_CODE_WRONG');
    const left = await call<{ recoveryCodesLeft: number }>('auth.secondFactor', undefined, used.cookie, 'query');
    expect(left.data?.recoveryCodesLeft).toBe(10);

    expect(await actions(id)).toEqual(
      expect.arrayContaining([
        'auth.second_factor_required',
        'auth.second_factor_enrollment_started',
        'auth.second_factor_enrolled',
        'auth.second_factor_recovery_code_used',
        'auth.second_factor_recovery_codes_renewed',
        'auth.second_factor_failed',
        'auth.sign_in',
      ]),
    );
    await h.db.signInFailure.deleteMany();

    // An administrator resets it (the phone is lost): factor, codes and sessions are gone; the next sign-in enrols again.
    await resetSecondFactor(h.db, id, `user:${h.userId('admin')}`);
    expect(await secondFactorStatus(h.db, id)).toBe('not_enrolled');
    expect(await h.db.recoveryCode.count({ where: { userId: id } })).toBe(0);
    expect(await h.db.session.count({ where: { userId: id } })).toBe(0);
    expect((await signIn(email, password)).step).toBe('enroll');
    expect(await h.db.auditEvent.count({ where: { entityId: id, action: 'auth.second_factor_reset' } })).toBe(0 + 1);
  });

  it('requires it for admin and DPO, and lets exactly the other roles switch it off', () => {
    expect([...SECOND_FACTOR_REQUIRED_ROLES].sort()).toEqual(['admin', 'dpo']);
    expect([...SECOND_FACTOR_OPTIONAL_ROLES, ...SECOND_FACTOR_REQUIRED_ROLES].sort()).toEqual([...ALL_ROLES].sort());
  });

  it('lets other roles sign in with the password alone, enrol if they wish, and switch it off with the password', async () => {
    const marketer = await signIn('marketer@zweck.test', demoPassword('marketer'));
    expect(marketer.step).toBe('none');
    expect((await me(marketer.token))?.id).toBe(h.userId('marketer'));

    const begun = await call<{ secret: string }>('auth.beginTotpEnrollment', {}, marketer.token);
    const confirmed = await call<{ recoveryCodes: string[] }>(
      'auth.confirmTotpEnrollment',
      { code: codeAt(begun.data!.secret) },
      marketer.token,
    );
    expect(confirmed.data?.recoveryCodes).toHaveLength(10);
    // Enrolling rotates the token.
    expect(confirmed.cookie).not.toBe(marketer.token);
    expect(await me(marketer.token)).toBeNull();
    expect((await signIn('marketer@zweck.test', demoPassword('marketer'))).step).toBe('verify');

    expect((await call('auth.disableTotp', { password: 'not the password' }, confirmed.cookie)).appCode).toBe('CURRENT_PASSWORD_WRONG');
    expect((await call('auth.disableTotp', { password: demoPassword('marketer') }, confirmed.cookie)).data).toEqual({ disabled: true });
    expect(await h.db.recoveryCode.count({ where: { userId: h.userId('marketer') } })).toBe(0);
    expect((await signIn('marketer@zweck.test', demoPassword('marketer'))).step).toBe('none');
    expect(await h.db.auditEvent.count({ where: { entityId: h.userId('marketer'), action: 'auth.second_factor_disabled' } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { entityId: h.userId('marketer'), action: 'auth.session_renewed' } })).toBe(1);
    await h.db.signInFailure.deleteMany();
  });

  it('counts failed codes toward the sign-in throttle, which a correct password does not reset', async () => {
    const dpo = await h.db.user.findUniqueOrThrow({
      where: { id: h.userId('dpo') },
      select: { id: true, email: true, displayName: true, role: true },
    });
    const env = { ...h.env, SIGN_IN_MAX_FAILURES_PER_ACCOUNT: 3, SIGN_IN_FAILURE_DELAY_MS: 0 };
    const secret = DEMO_TOTP_SECRETS['dpo@zweck.test']!;
    const pendingCaller = async () => {
      const session = await createSession(h.db, dpo.id, 10 / 60, new Date(), { secondFactorPending: true });
      return h.callerFor(null, { env, secondFactorPendingUser: dpo, sessionTokenHash: hashToken(session.token), ip: '192.0.2.50' });
    };
    const wrong = String((Number(codeAt(secret)) + 1) % 1_000_000).padStart(6, '0');
    const { caller } = await pendingCaller();
    for (let i = 0; i < 2; i++)
      expect((await rejection(caller.auth.verifySecondFactor({ code: wrong }))).cause.code).toBe('SECOND_FACTOR_CODE_WRONG');
    // The password is right: the failures of the code stay counted.
    const password = h.callerFor(null, { env, ip: '192.0.2.50' });
    expect((await password.caller.auth.signIn({ email: dpo.email, password: demoPassword('dpo') })).secondFactor).toBe('verify');
    expect((await rejection(caller.auth.useRecoveryCode({ code: 'aaaaa-aaaaa' }))).cause.code).toBe('RECOVERY_CODE_WRONG');

    // The fourth attempt is refused before the code is looked at, even a right one, and so is the password.
    const { caller: later, cookies } = await pendingCaller();
    const refused = await rejection(later.auth.verifySecondFactor({ code: codeAt(secret, 1) }));
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.cause.code).toBe('SIGN_IN_THROTTLED');
    expect(cookies).toEqual([]);
    expect(await codeOf(password.caller.auth.signIn({ email: dpo.email, password: demoPassword('dpo') }))).toBe('TOO_MANY_REQUESTS');
    await h.db.signInFailure.deleteMany();
  });
});
