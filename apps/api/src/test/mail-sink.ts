import { startMailSink } from '@zweck/mail-sink';
import { createMailSinkClient, type MailSinkClient, type StoredMessageSummary } from '@zweck/mail-sink/client';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Harness } from './harness.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';

export interface SendingWorker {
  /** The sink's HTTP API. */
  sink: MailSinkClient;
  worker: WorkerProcess;
  /** The messages in the sink that `which` selects, parsed from the raw message as a mail client would. */
  parsedMails(which: (message: StoredMessageSummary) => boolean): Promise<ParsedMail[]>;
  stop(): Promise<void>;
}

/**
 * A real SMTP sink on free ports and the product's worker process (on the harness's task queue)
 * sending into it, for tests that need mail actually sent.
 */
export async function startSendingWorker(h: Harness): Promise<SendingWorker> {
  const mailSink = await startMailSink({ smtpPort: 0, httpPort: 0 });
  const sinkUrl = `http://127.0.0.1:${mailSink.httpPort}`;
  const sink = createMailSinkClient(sinkUrl);
  const worker = await startWorkerProcess(h, `smtp://127.0.0.1:${mailSink.smtpPort}`).catch(async (error: unknown) => {
    await mailSink.stop();
    throw error;
  });
  return {
    sink,
    worker,
    async parsedMails(which) {
      const mine = (await sink.list()).filter(which);
      return Promise.all(mine.map(async (m) => simpleParser(await (await fetch(`${sinkUrl}/api/messages/${m.id}/raw`)).text())));
    },
    async stop() {
      await worker.stop();
      await mailSink.stop();
    },
  };
}
