import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../test/api-process.ts';
import { createHarness, demoPassword, type Harness } from '../test/harness.ts';

/** How the TCP connection attempt ends: the listener took it, or nobody listens any more. */
function tryConnect(port: number): Promise<'connected' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? resolve('refused') : reject(error)));
  });
}

/**
 * A sign-in whose body arrives in two parts: the request is in flight (headers read, CSRF checked,
 * body awaited) until `finish()` sends the rest. No test-only route: a slow client on a real one.
 */
function slowSignIn(port: number, email: string, password: string) {
  const body = JSON.stringify({ email, password });
  const half = Math.floor(body.length / 2);
  const socket: Socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(
        [
          'POST /trpc/auth.signIn HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          'Content-Type: application/json',
          'x-zweck-csrf: 1',
          `Content-Length: ${Buffer.byteLength(body)}`,
          'Connection: close',
          '',
          '',
        ].join('\r\n') + body.slice(0, half),
      );
      resolve();
    });
    socket.once('error', reject);
  });
  return {
    opened,
    finish: () => socket.write(body.slice(half)),
    /** The raw HTTP answer, once the server closed the connection. */
    answer: closed,
    destroy: () => socket.destroy(),
  };
}

describe('graceful shutdown of the API process (SIGTERM)', () => {
  let h: Harness;
  let dir: string;
  let api: ApiProcess | null = null;

  beforeAll(async () => {
    h = await createHarness();
    dir = mkdtempSync(join(tmpdir(), 'zweck-shutdown-'));
  });
  afterAll(async () => {
    await api?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the request in flight with 200, refuses new connections, and exits 0 promptly', async () => {
    api = await startApiProcess(h, join(dir, 'api-graceful.log'));
    const request = slowSignIn(api.port, 'marketer@zweck.test', demoPassword('marketer'));
    await request.opened;
    // The server has the headers and half the body.
    await new Promise((r) => setTimeout(r, 300));

    const signalledAt = Date.now();
    api.kill('SIGTERM');
    // New connections are refused while the old request is still open.
    await expect.poll(() => tryConnect(api!.port), { timeout: 10_000, interval: 50 }).toBe('refused');
    expect(api.pid).toBeGreaterThan(0);
    expect(await Promise.race([api.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 200))])).toBe('running');

    request.finish();
    const answer = await request.answer;
    expect(answer, answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/set-cookie: __Host-zweck_session=/i);

    const exit = await api.exited;
    const seconds = (Date.now() - signalledAt) / 1000;
    const log = await api.log();
    expect(exit, log).toEqual({ code: 0, signal: null });
    console.info(`API: SIGTERM to exit 0 with a request in flight: ${seconds.toFixed(2)} s`);
    expect(seconds, 'SIGTERM to exit, in seconds').toBeLessThan(10);
    expect(log).toContain('"msg":"shutting down"');
    expect(log).toContain('"msg":"API stopped"');
    // The request that finished during the shutdown is in the request log, by route pattern.
    expect(log).toMatch(/"route":"\/trpc\/:path","status":200[^\n]*"msg":"request"/);
    api = null;
  }, 120_000);

  it('ends anyway when a request never finishes: exit 1 after SHUTDOWN_TIMEOUT_SECONDS, with a log line', async () => {
    api = await startApiProcess(h, join(dir, 'api-stuck.log'), { SHUTDOWN_TIMEOUT_SECONDS: '2' });
    const request = slowSignIn(api.port, 'marketer@zweck.test', demoPassword('marketer'));
    await request.opened;
    await new Promise((r) => setTimeout(r, 300));

    const signalledAt = Date.now();
    api.kill('SIGTERM');
    const exit = await api.exited;
    const seconds = (Date.now() - signalledAt) / 1000;
    const log = await api.log();
    request.destroy();
    expect(exit, log).toEqual({ code: 1, signal: null });
    console.info(`API: SIGTERM to exit 1 with a request left hanging (timeout 2 s): ${seconds.toFixed(2)} s`);
    expect(seconds).toBeGreaterThanOrEqual(2);
    expect(seconds).toBeLessThan(8);
    expect(log).toContain('"msg":"shutdown timed out: exiting with requests still open"');
    expect(log).not.toContain('"msg":"API stopped"');
    api = null;
  }, 120_000);
});
