// Sessions of the seeded admin and DPO, shared by every spec. Their roles require a second factor,
// and a TOTP code is accepted once per 30-second step, so specs running in parallel cannot each
// sign them in through the UI. The global set-up signs both in once over HTTP (password, then the
// code from their published demo secret) and hands the session tokens to the specs in an
// environment variable; `signIn(page, DPO)` puts the token into the browser context. No spec may
// sign these sessions out (a spec that needs to sign out or change a password uses its own user).
import { DEMO_TOTP_SECRETS } from '@zweck/db/seed';
import { Secret, TOTP } from 'otpauth';

export const SESSION_COOKIE = '__Host-zweck_session';
const SHARED_SESSIONS_ENV = 'ZWECK_E2E_SHARED_SESSIONS';
const JSON_CSRF = { 'content-type': 'application/json', 'x-zweck-csrf': '1' };

/** The code of a base32 TOTP secret, `stepsAhead` 30-second steps from now (the server accepts ±1 step). */
export function totpCode(secret: string, stepsAhead = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + stepsAhead * 30_000 });
}

/** Milliseconds until the next 30-second step begins. */
export const msToNextStep = (): number => 30_000 - (Date.now() % 30_000);

export const demoTotpSecret = (email: string): string | undefined => DEMO_TOTP_SECRETS[email];

interface TrpcAnswer<T> {
  data: T | null;
  appCode: string | null;
  cookie: string | null;
}

async function mutation<T>(baseUrl: string, path: string, input: unknown, token: string | null): Promise<TrpcAnswer<T>> {
  const response = await fetch(`${baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { ...JSON_CSRF, ...(token ? { cookie: `${SESSION_COOKIE}=${token}` } : {}) },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { result?: { data: T }; error?: { data?: { appCode?: string | null } } };
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return {
    data: body.result?.data ?? null,
    appCode: body.error?.data?.appCode ?? (body.result ? null : 'UNKNOWN'),
    cookie: setCookie ? setCookie.slice(SESSION_COOKIE.length + 1).split(';')[0]! : null,
  };
}

/** A tRPC mutation over HTTP with a session token (outside any browser); throws on an error answer. */
export async function trpcMutationWithToken<T>(baseUrl: string, path: string, input: unknown, token: string | null): Promise<T> {
  const answer = await mutation<T>(baseUrl, path, input, token);
  if (answer.data === null) throw new Error(`${path} failed: ${answer.appCode ?? 'no answer'}`);
  return answer.data;
}

/**
 * Signs a user in over HTTP: the password, then (if the account has a second factor) a code of
 * `secret`. A code a parallel sign-in used already in this step is refused: then the next step's
 * code (inside the server's ±1 window), and if need be the step after, once it has begun.
 */
export async function signInOverHttp(baseUrl: string, email: string, password: string, secret?: string): Promise<string> {
  const first = await mutation<{ secondFactor: 'none' | 'verify' | 'enroll' }>(baseUrl, 'auth.signIn', { email, password }, null);
  if (!first.data || !first.cookie) throw new Error(`signing in ${email} failed: ${first.appCode}`);
  if (first.data.secondFactor === 'none') return first.cookie;
  if (first.data.secondFactor === 'enroll' || !secret) throw new Error(`${email} has no second factor the e2e set-up knows`);
  for (let attempt = 0; attempt < 4; attempt++) {
    if (attempt === 2) await new Promise((r) => setTimeout(r, msToNextStep() + 200));
    const verified = await mutation(baseUrl, 'auth.verifySecondFactor', { code: totpCode(secret, attempt % 2) }, first.cookie);
    if (verified.data && verified.cookie) return verified.cookie;
    if (verified.appCode !== 'SECOND_FACTOR_CODE_USED') throw new Error(`second factor of ${email} refused: ${verified.appCode}`);
  }
  throw new Error(`no unused code for ${email}`);
}

/** Signs in the seeded admin and DPO once and hands their tokens to the specs (global set-up). */
export async function shareDemoSessions(baseUrl: string, users: readonly { email: string; password: string }[]): Promise<void> {
  const sessions: Record<string, string> = {};
  for (const user of users) sessions[user.email] = await signInOverHttp(baseUrl, user.email, user.password, demoTotpSecret(user.email));
  process.env[SHARED_SESSIONS_ENV] = JSON.stringify(sessions);
}

/** The shared session token of a seeded user whose role requires a second factor, if the set-up made one. */
export function sharedSessionOf(email: string): string | undefined {
  const raw = process.env[SHARED_SESSIONS_ENV];
  return raw ? (JSON.parse(raw) as Record<string, string>)[email] : undefined;
}
