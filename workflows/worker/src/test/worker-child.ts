import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../worker.ts';

const workerDir = fileURLToPath(new URL('../../', import.meta.url));

/** The workflow code bundled once into a file, so that each worker started from it skips webpack. */
export async function writeWorkflowBundle(label: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  const path = join(tmpdir(), `zweck-${label}-${process.pid}-workflows.js`);
  await writeFile(path, code);
  return path;
}

export interface WorkerChildEnv {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_TASK_QUEUE: string;
  /** As the worker's env reads it: `id:base64key[,...]`. */
  TEMPORAL_PAYLOAD_KEYS: string;
  SMTP_URL: string;
  SMTP_POOL_SIZE: string;
  PUBLIC_URL: string;
  UNSUBSCRIBE_SECRET: string;
  SUPPRESSION_KEY: string;
  WORKFLOW_BUNDLE_PATH: string;
}

export interface WorkerChild {
  pid: number;
  /** What the worker printed so far, for a failing test's message. */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** Peak resident memory so far (VmHWM), in MiB; null once the process is gone. */
  peakRssMiB(): Promise<number | null>;
}

/**
 * The product's worker (`src/main.ts`, as infra/up.sh runs it) as a process of its own, so that a
 * test can kill it outright or stop it gracefully, and a benchmark can read its memory apart from
 * its own. Resolves once the worker polls its queue.
 */
export async function startWorkerChild(env: WorkerChildEnv, nodeArgs: readonly string[] = []): Promise<WorkerChild> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: workerDir,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', TEMPORAL_NAMESPACE: 'default', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 150_000;
  while (!output.includes('"msg":"worker started"')) {
    if (child.exitCode !== null) throw new Error(`the worker exited (code ${child.exitCode}) before it started:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    pid,
    output: () => output,
    exited,
    kill: (signal) => void child.kill(signal),
    async peakRssMiB() {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
        return kib === undefined ? null : Math.round(Number(kib) / 1024);
      } catch {
        return null;
      }
    },
  };
}
