import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SinkProcess {
  smtpPort: number;
  process: ChildProcess;
  stop(): void;
}

/**
 * The sink in a process of its own, as a real mail server would be, so that a benchmark does not
 * count the sink's parsing against the sender. Ports are chosen by the system; it keeps its
 * messages in memory (the parent's sink directory is not passed on).
 */
export async function spawnSinkProcess(parentEnv: NodeJS.ProcessEnv): Promise<SinkProcess> {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: fileURLToPath(new URL('../', import.meta.url)),
    env: {
      ...Object.fromEntries(Object.entries(parentEnv).filter(([k]) => k !== 'ZWECK_SINK_DIR')),
      ZWECK_SMTP_PORT: '0',
      ZWECK_SINK_HTTP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const smtpPort = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /SMTP on 127\.0\.0\.1:(\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`mail sink exited with ${code}`)));
  });
  return { smtpPort, process: child, stop: () => void child.kill('SIGTERM') };
}
