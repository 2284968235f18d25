import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';

/**
 * The sink's bounce and complaint mode, for development and tests: chosen recipients make it
 * behave as a receiving mail system that refuses, bounces or complains, so that the product's
 * handling of what comes back can be exercised against real SMTP.
 *
 * By the recipient's local part (case-insensitive):
 * - `bounce-sync…`: refused at RCPT TO with `550 5.1.1` (a synchronous hard bounce);
 * - `bounce…`: accepted, then a delivery status notification (RFC 3464, status 5.1.1) is mailed to
 *   the message's envelope sender;
 * - `softbounce…`: accepted, then a DSN with status 4.2.2 (mailbox full; action `delayed`);
 * - `complain…`: accepted, then an ARF complaint (RFC 5965, feedback type `abuse`) is mailed to
 *   the envelope sender, as a mailbox provider's feedback loop would.
 * Reports go to `relay` (the product's inbound SMTP listener), with the null sender `<>` as
 * RFC 5321 § 4.5.5 requires, so that a report can never bounce in its turn.
 */
export interface FeedbackOptions {
  relay: { host: string; port: number };
  /** The name the sink reports as (Reporting-MTA, Received-From-MTA). */
  hostname?: string;
  /** Wait before a report is sent, in milliseconds (a real MTA reports later than the answer). */
  delayMs?: number;
}

export type FeedbackRule = 'sync_bounce' | 'dsn_hard' | 'dsn_soft' | 'complaint';

export function feedbackRuleFor(address: string): FeedbackRule | null {
  const local = address.split('@')[0]?.toLowerCase() ?? '';
  if (local.startsWith('bounce-sync')) return 'sync_bounce';
  if (local.startsWith('bounce')) return 'dsn_hard';
  if (local.startsWith('softbounce')) return 'dsn_soft';
  if (local.startsWith('complain')) return 'complaint';
  return null;
}

/** The header block of a raw message: what a DSN may return instead of the whole message (RFC 3462 text/rfc822-headers). */
const headerBlock = (raw: string): string => {
  const end = raw.search(/\r?\n\r?\n/);
  return (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n/g, '\r\n');
};

export function deliveryStatusReport(input: {
  hostname: string;
  to: string;
  recipient: string;
  originalRaw: string;
  soft: boolean;
  date?: Date;
}): string {
  const boundary = `dsn-${randomUUID()}`;
  const status = input.soft ? '4.2.2' : '5.1.1';
  const diagnostic = input.soft ? '452 4.2.2 Mailbox full' : '550 5.1.1 The email account that you tried to reach does not exist';
  return [
    `From: Mail Delivery System <mailer-daemon@${input.hostname}>`,
    `To: <${input.to}>`,
    `Subject: ${input.soft ? 'Delivery delayed' : 'Undelivered Mail Returned to Sender'}`,
    `Date: ${(input.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${randomUUID()}@${input.hostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    input.soft ? 'Your message has not been delivered yet; delivery will be retried.' : 'Your message could not be delivered.',
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${input.hostname}`,
    '',
    `Final-Recipient: rfc822; ${input.recipient}`,
    `Action: ${input.soft ? 'delayed' : 'failed'}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(input.originalRaw),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

export function complaintReport(input: { hostname: string; to: string; originalRaw: string; mailFrom: string; date?: Date }): string {
  const boundary = `arf-${randomUUID()}`;
  const date = input.date ?? new Date();
  return [
    `From: Feedback Loop <fbl@${input.hostname}>`,
    `To: <${input.to}>`,
    'Subject: Complaint about a message from your domain',
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${randomUUID()}@${input.hostname}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'This is an e-mail abuse report for a message received from your domain.',
    '',
    `--${boundary}`,
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: zweck-mail-sink/1.0',
    'Version: 1',
    `Original-Mail-From: <${input.mailFrom}>`,
    `Arrival-Date: ${date.toUTCString()}`,
    `Reported-Domain: ${input.mailFrom.split('@')[1] ?? ''}`,
    '',
    `--${boundary}`,
    'Content-Type: message/rfc822',
    '',
    input.originalRaw.replace(/\r?\n/g, '\r\n').replace(/\r\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

export interface FeedbackSender {
  /** Sends the reports a received message calls for, after the configured delay; never throws. */
  afterReceived(input: { mailFrom: string | null; recipients: readonly string[]; raw: string }): void;
  /** Resolves when every report under way has been sent (or failed). */
  settled(): Promise<void>;
  close(): void;
}

export function createFeedbackSender(options: FeedbackOptions): FeedbackSender {
  const hostname = options.hostname ?? 'sink.zweck.test';
  // The sink is infrastructure, not the product: it speaks SMTP to the product as a foreign mail
  // system would, so it may use its own SMTP client (the product's single transport rule is
  // about the product's code).
  const transport = nodemailer.createTransport({ host: options.relay.host, port: options.relay.port, secure: false, ignoreTLS: true });
  const pending = new Set<Promise<void>>();

  const send = async (to: string, raw: string): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 50));
    try {
      await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
    } catch (error) {
      // No addresses in the sink's log either: the reason only.
      console.error(`mail sink: a report could not be delivered (${error instanceof Error ? error.message.split('\n')[0] : 'error'})`);
    }
  };

  return {
    afterReceived({ mailFrom, recipients, raw }) {
      if (!mailFrom) return;
      for (const recipient of recipients) {
        const rule = feedbackRuleFor(recipient);
        let report: string | null = null;
        if (rule === 'dsn_hard' || rule === 'dsn_soft') {
          report = deliveryStatusReport({ hostname, to: mailFrom, recipient, originalRaw: raw, soft: rule === 'dsn_soft' });
        } else if (rule === 'complaint') {
          report = complaintReport({ hostname, to: mailFrom, originalRaw: raw, mailFrom });
        }
        if (report === null) continue;
        const work = send(mailFrom, report).finally(() => pending.delete(work));
        pending.add(work);
      }
    },
    async settled() {
      await Promise.all([...pending]);
    },
    close() {
      transport.close();
    },
  };
}
