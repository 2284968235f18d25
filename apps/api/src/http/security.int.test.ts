import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, hashToken, SESSION_COOKIE } from '../auth/session.ts';
import { createServer } from '../server.ts';
import { createHttpHarness, demoPassword, type Harness } from '../test/harness.ts';
import type { FastifyInstance } from 'fastify';

type HttpHarness = Harness & { app: FastifyInstance };

const JSON_CSRF = { 'content-type': 'application/json', 'x-zweck-csrf': '1' };

describe('HTTP security: cookie, CSRF, headers, errors', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await createHttpHarness();
  });
  afterAll(async () => h?.close());

  const signIn = (cookie?: string) =>
    h.app.inject({
      method: 'POST',
      url: '/trpc/auth.signIn',
      headers: JSON_CSRF,
      ...(cookie ? { cookies: { [SESSION_COOKIE]: cookie } } : {}),
      payload: { email: 'marketer@zweck.test', password: demoPassword('marketer') },
    });
  const me = async (token: string) => {
    const response = await h.app.inject({ method: 'GET', url: '/trpc/auth.me', cookies: { [SESSION_COOKIE]: token } });
    return response.json<{ result: { data: { id: string } | null } }>().result.data;
  };

  it('sets a __Host- cookie: Secure, HttpOnly, SameSite=Strict, Path=/, no Domain, 256 bits', async () => {
    const response = await signIn();
    expect(response.statusCode).toBe(200);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/^__Host-zweck_session=[A-Za-z0-9_-]{43};/);
    expect(header).toContain('Secure');
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/');
    expect(header).not.toMatch(/Domain=/i);
  });

  it('never promotes a cookie set before sign-in (session fixation), and sign-out ends the session server-side', async () => {
    // An attacker plants a session of their own (or any value) in the victim's browser.
    const planted = await createSession(h.db, h.userId('sales'), 1);
    const response = await signIn(planted.token);
    const token = response.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    expect(token).not.toBe(planted.token);
    expect(await me(planted.token)).toBeNull();
    expect(await h.db.session.count({ where: { tokenHash: hashToken(planted.token) } })).toBe(0);
    expect((await me(token))?.id).toBe(h.userId('marketer'));

    const out = await h.app.inject({ method: 'POST', url: '/trpc/auth.signOut', headers: JSON_CSRF, cookies: { [SESSION_COOKIE]: token } });
    expect(out.statusCode).toBe(200);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    // The token a thief kept from before the sign-out is worthless.
    expect(await me(token)).toBeNull();
    expect(await h.db.session.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
  });

  it('refuses mutations sent as a form or text, or without the CSRF header, and writes nothing', async () => {
    const session = await createSession(h.db, h.userId('marketer'), 1);
    const cookies = { [SESSION_COOKIE]: session.token };
    const auditBefore = await h.db.auditEvent.count();
    const attempts = [
      { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-zweck-csrf': '1' }, payload: 'a=1', status: 415 },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1', status: 415 },
      { headers: { 'content-type': 'text/plain' }, payload: '{}', status: 415 },
      { headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--\r\n', status: 415 },
      { headers: { 'content-type': 'application/json' }, payload: '{}', status: 403 },
      { headers: { 'content-type': 'application/json', 'x-zweck-csrf': 'yes' }, payload: '{}', status: 403 },
    ];
    for (const attempt of attempts) {
      // signOut would delete the session; contacts.create would write a contact.
      for (const url of ['/trpc/auth.signOut', '/trpc/contacts.create']) {
        const response = await h.app.inject({ method: 'POST', url, cookies, headers: attempt.headers, payload: attempt.payload });
        expect(response.statusCode, `${url} ${JSON.stringify(attempt.headers)}`).toBe(attempt.status);
      }
    }
    expect(await h.db.session.count({ where: { tokenHash: hashToken(session.token) } })).toBe(1);
    expect(await h.db.contact.count()).toBe(0);
    expect(await h.db.auditEvent.count()).toBe(auditBefore);
    // A sign-in by form (login CSRF) is refused too.
    const form = await h.app.inject({
      method: 'POST',
      url: '/trpc/auth.signIn',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=marketer%40zweck.test&password=${demoPassword('marketer')}`,
    });
    expect(form.statusCode).toBe(415);
    expect(form.headers['set-cookie']).toBeUndefined();
    // The same call done right goes through.
    const ok = await h.app.inject({ method: 'POST', url: '/trpc/auth.signOut', cookies, headers: JSON_CSRF, payload: '{}' });
    expect(ok.statusCode).toBe(200);
    expect(await h.db.session.count({ where: { tokenHash: hashToken(session.token) } })).toBe(0);
  });

  it('sends the security headers on the API and on the admin HTML; HSTS only over https', async () => {
    const webDir = mkdtempSync(join(tmpdir(), 'zweck-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Zweck</title><script type="module" src="/assets/app.js"></script>');
    const httpsServer = createServer({ ...h.deps, env: { ...h.env, WEB_DIST_DIR: webDir } });
    const httpServer = createServer({ ...h.deps, env: { ...h.env, PUBLIC_URL: 'http://127.0.0.1:4000' } });
    try {
      const api = await h.app.inject({ method: 'GET', url: '/trpc/auth.me' });
      const html = await httpsServer.app.inject({ method: 'GET', url: '/contacts/some-page' });
      expect(html.headers['content-type']).toContain('text/html');
      for (const response of [api, html]) {
        const csp = String(response.headers['content-security-policy']);
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self';");
        expect(csp).not.toMatch(/script-src[^;]*unsafe/);
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("object-src 'none'");
        expect(response.headers['x-frame-options']).toBe('DENY');
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['permissions-policy']).toContain('camera=()');
        expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      }
      expect(api.headers['cache-control']).toBe('no-store');
      const plain = await httpServer.app.inject({ method: 'GET', url: '/trpc/auth.me' });
      expect(plain.headers['strict-transport-security']).toBeUndefined();
      expect(String(plain.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    } finally {
      await httpsServer.stop();
      await httpServer.stop();
      rmSync(webDir, { recursive: true, force: true });
    }
  });

  it('answers a throttled sign-in over HTTP with 429 and Retry-After', async () => {
    const server = createServer({ ...h.deps, env: { ...h.env, SIGN_IN_MAX_FAILURES_PER_ACCOUNT: 1, SIGN_IN_FAILURE_DELAY_MS: 0 } });
    try {
      const attempt = () =>
        server.app.inject({
          method: 'POST',
          url: '/trpc/auth.signIn',
          headers: JSON_CSRF,
          payload: { email: 'throttled@zweck.test', password: 'wrong-password' },
        });
      expect((await attempt()).statusCode).toBe(401);
      const second = await attempt();
      expect(second.statusCode).toBe(429);
      expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
      expect(second.json<{ error: { data: { appCode: string } } }>().error.data.appCode).toBe('SIGN_IN_THROTTLED');
    } finally {
      await server.stop();
      await h.db.signInFailure.deleteMany();
    }
  });

  it('limits request bodies: 256 KiB for procedures, more only for the import', async () => {
    const big = JSON.stringify({ email: 'a@zweck.test', password: 'x'.repeat(300 * 1024) });
    const response = await h.app.inject({ method: 'POST', url: '/trpc/auth.signIn', headers: JSON_CSRF, payload: big });
    expect(response.statusCode).toBe(413);
    expect(await h.db.signInFailure.count()).toBe(0);
  });

  it('answers an unexpected error with a reference and no internals; the log has the reference, not the message', async () => {
    const canary = 'canary-7f3a@example.org';
    const lines: string[] = [];
    const log = pino(
      { level: 'error' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    // A database that fails the way a real one can, with a message quoting personal data.
    const failing = new Proxy(h.db, {
      get(target, prop, receiver) {
        if (prop === 'session') {
          return {
            findUnique: () => Promise.reject(new Error(`duplicate key (email)=(${canary}) violates constraint`)),
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const server = createServer({ ...h.deps, db: failing, log });
    try {
      for (const url of ['/trpc/auth.me', '/api/subject-archive/00000000-0000-4000-8000-000000000000']) {
        const response = await server.app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: 'any-token' } });
        expect(response.statusCode, url).toBe(500);
        const body = response.body;
        expect(body).not.toContain(canary);
        expect(body).not.toContain('duplicate key');
        expect(body).not.toMatch(/\bat .*\.ts:\d+/);
        expect(body).not.toContain('"stack"');
        const correlationId = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(body)?.[1];
        expect(correlationId, body).toBeDefined();
        const logged = lines.filter((l) => l.includes(correlationId!));
        expect(logged.length, lines.join('\n')).toBeGreaterThan(0);
        expect(logged.join('\n')).toContain('"frames"');
      }
      expect(lines.join('\n')).not.toContain(canary);
    } finally {
      await server.stop();
    }
  });
});
