import type { AddressInfo, Server } from 'node:net';
import { findTokenCandidates, unsubscribeMailbox, verifyUnsubscribeToken } from '@zweck/mail/unsubscribe-token';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { ApiDeps } from '../trpc/context.ts';
import { withdrawByToken, type WithdrawResult } from './unsubscribe.service.ts';
import { bounceMailbox } from '@zweck/mail/tracking-token';
import { processFeedback } from '../feedback/feedback.service.ts';

export interface UnsubscribeMailListener {
  /** The port it listens on (useful when started on port 0). */
  port: number;
  /** Stops accepting connections and lets sessions in flight finish (up to a few seconds). */
  stop(): Promise<void>;
}

export interface UnsubscribeMailListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Largest message accepted, in bytes; larger ones are refused with 552. */
  maxBytes: number;
}

/** An SMTP reply: smtp-server sends `responseCode` and the message (it adds the enhanced status code). */
class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The pseudonymous outcome of one inbound session step: what the log says, and all it says. */
type Outcome = WithdrawResult['status'] | 'recipient_refused' | 'no_token' | 'invalid_token' | 'error';

const ANSWER: Record<WithdrawResult['status'], string> = {
  withdrawn: 'Unsubscribed: you will receive no more of these messages',
  already_withdrawn: 'Already unsubscribed: nothing changed',
  contact_gone: 'Nothing to unsubscribe: there is no such subscription',
};

/**
 * The mailto unsubscribe (RFC 2369): an SMTP listener for the one mailbox every marketing
 * message names in `List-Unsubscribe`, `unsubscribe@MAIL_DOMAIN`. It refuses every other
 * recipient at RCPT TO, refuses oversized messages, reads the signed token from the subject (the
 * body is the fallback, for clients that move or quote it), and withdraws exactly as the one-click
 * POST does, through the same function. A message without a genuine token is refused with a clear
 * answer and changes nothing. Nothing here logs or stores an address: the sender's is never read,
 * and the log carries only the outcome.
 */
export async function startUnsubscribeMailListener(
  deps: Pick<ApiDeps, 'db' | 'env' | 'log' | 'temporal'>,
  options: UnsubscribeMailListenerOptions,
): Promise<UnsubscribeMailListener> {
  const mailbox = unsubscribeMailbox(deps.env.MAIL_DOMAIN);
  // Bounces (DSNs) and complaints (ARF) come back to the envelope sender of every message we send.
  const bounces = bounceMailbox(deps.env.MAIL_DOMAIN);
  const feedbackDeps = {
    db: deps.db,
    temporal: deps.temporal,
    suppressionKey: deps.env.SUPPRESSION_KEY,
    taskQueue: deps.env.TEMPORAL_TASK_QUEUE,
  };
  const secret = deps.env.UNSUBSCRIBE_SECRET;
  const log = deps.log.child({ component: 'unsubscribe-mail' });
  const note = (outcome: Outcome, extra: Record<string, string> = {}): void => log.info({ outcome, ...extra }, 'mailto unsubscribe');

  /** The first genuine unsubscribe token: the subject's candidates first, then the body's. */
  const findToken = (subject: string, body: string): { token: string } | 'no_token' | 'invalid_token' => {
    const candidates = [...findTokenCandidates(subject), ...findTokenCandidates(body)];
    for (const candidate of candidates) {
      try {
        verifyUnsubscribeToken(secret, candidate);
        return { token: candidate };
      } catch {
        // Not genuine (a forged token, another kind of link): try the next one.
      }
    }
    return candidates.length === 0 ? 'no_token' : 'invalid_token';
  };

  const handle = async (raw: Buffer, ip: string | null): Promise<string> => {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
    const found = findToken(parsed.subject ?? '', parsed.text ?? '');
    if (found === 'no_token') {
      note('no_token');
      throw new SmtpReply(
        550,
        'No unsubscribe token found: please send the message your mail program prepared, unchanged. Nothing was changed',
      );
    }
    if (found === 'invalid_token') {
      note('invalid_token');
      throw new SmtpReply(550, 'The unsubscribe token is not valid. Nothing was changed');
    }
    const result = await withdrawByToken(deps, secret, found.token, { method: 'mailto_unsubscribe', ip });
    note(result.status, { purposeId: result.purposeId });
    return ANSWER[result.status];
  };

  const smtp = new SMTPServer({
    banner: 'Zweck unsubscribe service',
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes,
    maxClients: 100,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    disableReverseLookup: true,
    // smtp-server's own log would carry envelope addresses.
    logger: false,
    onRcptTo(address, session, callback) {
      const to = address.address.trim().toLowerCase();
      const earlier = session.envelope.rcptTo[0]?.address.trim().toLowerCase();
      if (earlier !== undefined && earlier !== to) {
        return callback(new SmtpReply(452, 'One mailbox per message, please: send the rest separately'));
      }
      if (to === mailbox || to === bounces) return callback();
      note('recipient_refused');
      callback(new SmtpReply(550, `Recipient not accepted: this server takes only unsubscribe requests, for ${mailbox}`));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit smtp-server answers 552 itself; keep nothing beyond it.
        if (size <= options.maxBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(new SmtpReply(552, 'Message too big: an unsubscribe request needs its subject only'));
        const isFeedback = session.envelope.rcptTo[0]?.address.trim().toLowerCase() === bounces;
        const work = isFeedback
          ? processFeedback(feedbackDeps, Buffer.concat(chunks)).then((outcome) => {
              // The outcome only: a report's content (addresses) never reaches the log.
              log.info({ outcome }, 'mail feedback');
              return `Report processed (${outcome})`;
            })
          : handle(Buffer.concat(chunks), session.remoteAddress || null);
        work.then(
          (answer) => callback(null, answer),
          (error: unknown) => {
            if (error instanceof SmtpReply) return callback(error);
            // The name only: a database error's message can quote values.
            log.error(
              { outcome: 'error' satisfies Outcome, err: error instanceof Error ? error.name : 'unknown' },
              'mailto unsubscribe failed',
            );
            // Transient: the sending server retries, and the withdrawal is idempotent.
            callback(new SmtpReply(451, 'Temporary failure, please try again later'));
          },
        );
      });
    },
  });
  // Socket errors of single sessions (a client hanging up mid-command) must not end the process.
  smtp.on('error', (error: Error & { code?: string }) => log.warn({ err: error.code ?? error.name }, 'inbound SMTP session error'));

  await new Promise<void>((resolve, reject) => {
    const server = (smtp as unknown as { server: Server }).server;
    server.once('error', reject);
    smtp.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = ((smtp as unknown as { server: Server }).server.address() as AddressInfo).port;
  return {
    port,
    stop: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
