// Starts the whole product for the end-to-end spec: a fresh database with the seed, the admin UI
// built, the API serving it and a worker on a task queue of its own, against the real PostgreSQL,
// Temporal and SMTP sink that infra/ provides. Sets ZWECK_E2E_URL and ZWECK_E2E_MAIL_SINK_URL.
// With ZWECK_E2E_URL already set it starts nothing and the spec runs against that installation.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { build } from 'vite';
import { shareDemoSessions } from './sessions';

// The seeded users whose role requires a second factor: signed in once, their sessions shared by the specs.
const SHARED_DEMO_USERS = [
  { email: 'admin@zweck.test', password: 'zweck-admin-demo' },
  { email: 'dpo@zweck.test', password: 'zweck-dpo-demo' },
];

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(webDir, '../..');
const artifactsDir = join(webDir, 'e2e', 'artifacts');

// The same defaults as infra/lib.sh, so that `pnpm up` (or infra/services.sh start) is all it takes.
const config = {
  pgServerUrl: process.env.ZWECK_PG_SERVER_URL ?? `postgresql://zweck@127.0.0.1:${process.env.ZWECK_PG_PORT ?? '54329'}/postgres`,
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${process.env.ZWECK_TEMPORAL_PORT ?? '7239'}`,
  temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  smtpUrl: process.env.SMTP_URL ?? `smtp://127.0.0.1:${process.env.ZWECK_SMTP_PORT ?? '2525'}`,
  mailSinkUrl: process.env.MAIL_SINK_URL ?? `http://127.0.0.1:${process.env.ZWECK_SINK_HTTP_PORT ?? '8025'}`,
};

const secret = (): string => randomBytes(36).toString('base64url'); // 48 characters

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

interface Started {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

function start(name: string, cwd: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const logFile = join(artifactsDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { name, child, logFile, exited };
}

const tail = (file: string): string => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
};

/** Resolves once `ready()` is true; fails when the process exits first or time runs out. */
async function waitFor(proc: Started, what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${proc.name} exited (code ${exitCode}) before ${what}:\n${tail(proc.logFile)}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${proc.name}: no ${what} within ${timeoutMs / 1000}s:\n${tail(proc.logFile)}`);
}

async function stop(proc: Started | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await proc.exited;
  clearTimeout(timer);
}

async function run(command: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, command, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command.join(' ')} failed (code ${code}):\n${output}`);
}

/** The production build, as users get it (vitest sets NODE_ENV=test, which would give React's development build). */
async function buildWeb(outDir: string): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: webDir,
      configFile: join(webDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  process.env.ZWECK_E2E_MAIL_SINK_URL ??= config.mailSinkUrl;
  if (process.env.ZWECK_E2E_URL) {
    await shareDemoSessions(process.env.ZWECK_E2E_URL, SHARED_DEMO_USERS);
    return undefined;
  }

  mkdirSync(artifactsDir, { recursive: true });
  let database: TestDatabase | undefined;
  let api: Started | undefined;
  let worker: Started | undefined;
  // Its own build directory: rebuilding apps/web/dist would pull the assets from under a running `pnpm up`.
  const webDist = mkdtempSync(join(tmpdir(), 'zweck-e2e-web-'));

  const teardown = async (): Promise<void> => {
    await Promise.all([stop(api), stop(worker)]);
    await database?.drop();
    rmSync(webDist, { recursive: true, force: true });
  };

  try {
    database = await createTestDatabase(config.pgServerUrl, 'e2e').catch((error: unknown) => {
      throw new Error(
        `e2e setup: no PostgreSQL at ${config.pgServerUrl} (start the local services with \`pnpm up\`, or set ZWECK_PG_SERVER_URL): ${String(error)}`,
      );
    });
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      // Seed, API and worker seal free-text personal data with the same key ring.
      FIELD_ENCRYPTION_KEYS: `e2e-field-1:${randomBytes(32).toString('base64')}`,
    };
    await run(['--import', 'tsx', 'scripts/seed.ts'], join(repoRoot, 'apps/api'), baseEnv);
    await buildWeb(webDist);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      HOST: '127.0.0.1',
      PORT: String(port),
      TEMPORAL_ADDRESS: config.temporalAddress,
      TEMPORAL_NAMESPACE: config.temporalNamespace,
      // A queue of its own, so that a development worker never picks up the test's workflows.
      TEMPORAL_TASK_QUEUE: `e2e-${randomBytes(4).toString('hex')}`,
      SMTP_URL: config.smtpUrl,
      MAIL_SINK_URL: config.mailSinkUrl,
      PUBLIC_URL: url,
      UNSUBSCRIBE_SECRET: secret(),
      SUPPRESSION_KEY: secret(),
      // API and worker share the key that encrypts every payload Temporal stores.
      TEMPORAL_PAYLOAD_KEYS: `e2e-1:${randomBytes(32).toString('base64')}`,
      WEB_DIST_DIR: webDist,
      LOG_LEVEL: 'warn',
    };

    // The worker logs "worker started" at info once it polls its queue: that line is its readiness.
    worker = start('worker', join(repoRoot, 'workflows/worker'), ['--import', 'tsx', 'src/main.ts'], { ...env, LOG_LEVEL: 'info' });
    api = start('api', join(repoRoot, 'apps/api'), ['--import', 'tsx', 'src/main.ts'], env);

    await waitFor(api, 'answer on /healthz', async () => (await fetch(`${url}/healthz`)).ok, 60_000);
    const workerLog = worker.logFile;
    await waitFor(worker, 'start-up', () => Promise.resolve(readFileSync(workerLog, 'utf8').includes('"msg":"worker started"')), 120_000);

    await shareDemoSessions(url, SHARED_DEMO_USERS);
    process.env.ZWECK_E2E_URL = url;
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
