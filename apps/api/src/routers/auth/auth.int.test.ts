import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../auth/session.ts';
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
    expect(await h.db.auditEvent.count({ where: { action: 'auth.sign_in_failed' } })).toBe(2);
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
