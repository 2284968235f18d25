import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Harness } from './harness.ts';

const apiDir = fileURLToPath(new URL('../..', import.meta.url));

/** `id:base64key,...` with the current key first, as the env files write a key ring. */
export function ringText(ring: { currentKeyId: string; keys: ReadonlyMap<string, Buffer> }): string {
  return [...ring.keys]
    .sort(([a], [b]) => Number(b === ring.currentKeyId) - Number(a === ring.currentKeyId))
    .map(([id, key]) => `${id}:${key.toString('base64')}`)
    .join(',');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

export interface ApiProcess {
  url: string;
  port: number;
  pid: number;
  /** Everything the process wrote to standard output and error, as a file. */
  logFile: string;
  log(): Promise<string>;
  /** Resolves with the exit code (null when a signal ended it) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, and SIGKILL if it is still there after 15 s. */
  stop(): Promise<void>;
}

/**
 * The product's API as its own process (`src/main.ts`, as infra/up.sh runs it) on the harness's
 * database, Temporal queue and keys, its standard output and error written to `logFile`.
 * Resolves once /healthz answers.
 */
export async function startApiProcess(h: Harness, logFile: string, extraEnv: Record<string, string> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const out = createWriteStream(logFile);
  await once(out, 'open');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: apiDir,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: h.env.DATABASE_URL,
      TEMPORAL_ADDRESS: h.env.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: h.env.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: h.env.TEMPORAL_TASK_QUEUE ?? '',
      TEMPORAL_PAYLOAD_KEYS: ringText(h.env.TEMPORAL_PAYLOAD_KEYS),
      FIELD_ENCRYPTION_KEYS: ringText(h.env.FIELD_ENCRYPTION_KEYS),
      PUBLIC_URL: h.env.PUBLIC_URL,
      MAIL_DOMAIN: h.env.MAIL_DOMAIN,
      UNSUBSCRIBE_SECRET: h.env.UNSUBSCRIBE_SECRET,
      SUPPRESSION_KEY: h.env.SUPPRESSION_KEY,
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      // Let the pipes drain before the file is read.
      setTimeout(() => out.end(() => resolve({ code, signal })), 50);
    }),
  );
  const log = () => readFile(logFile, 'utf8');

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited (code ${child.exitCode}) before it answered:\n${await log()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the API did not answer /healthz in time:\n${await log()}`);
    }
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    port,
    pid: child.pid!,
    logFile,
    log,
    exited,
    kill: (signal) => void child.kill(signal),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
