import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Harness } from './harness.ts';

const workerDir = fileURLToPath(new URL('../../../../workflows/worker', import.meta.url));

export interface WorkerProcess {
  /** What the worker printed so far, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The product's worker as its own process (`src/main.ts`, as infra/up.sh runs it) on the
 * harness's database, task queue and payload keys, sending through `smtpUrl`. The API may not
 * import the worker (docs/ARCHITECTURE.md), so tests that need mail actually sent start it the
 * way production does. Resolves once the worker polls its queue.
 */
export async function startWorkerProcess(h: Harness, smtpUrl: string, extraEnv: Record<string, string> = {}): Promise<WorkerProcess> {
  const ring = h.env.TEMPORAL_PAYLOAD_KEYS;
  const keyText = [...ring.keys]
    .sort(([a], [b]) => Number(b === ring.currentKeyId) - Number(a === ring.currentKeyId))
    .map(([id, key]) => `${id}:${key.toString('base64')}`)
    .join(',');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: workerDir,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: h.env.DATABASE_URL,
      TEMPORAL_ADDRESS: h.env.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: h.env.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: h.env.TEMPORAL_TASK_QUEUE,
      TEMPORAL_PAYLOAD_KEYS: keyText,
      SMTP_URL: smtpUrl,
      PUBLIC_URL: h.env.PUBLIC_URL,
      MAIL_DOMAIN: h.env.MAIL_DOMAIN,
      UNSUBSCRIBE_SECRET: h.env.UNSUBSCRIBE_SECRET,
      SUPPRESSION_KEY: h.env.SUPPRESSION_KEY,
      CONTROLLER_NAME: h.env.CONTROLLER_NAME,
      PRIVACY_NOTICE_URL: h.env.PRIVACY_NOTICE_URL,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 150_000;
  while (!output.includes('"msg":"worker started"')) {
    if (child.exitCode !== null) throw new Error(`the worker exited (code ${child.exitCode}) before it started:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
