import { createHash } from 'node:crypto';
import type { AllowedDecision } from '@zweck/policy';
import nodemailer from 'nodemailer';

export interface MailerConfig {
  /** smtp://host:port or smtps://user:pass@host:port */
  smtpUrl: string;
  /** The sender, e.g. `"Zweck GmbH" <news@zweck.example>` */
  from: string;
  /** Connections kept open to the SMTP server. */
  maxConnections?: number;
  /**
   * The envelope sender (Return-Path), where bounces and complaints go: the product's own
   * `bounces@MAIL_DOMAIN`, processed by the API's inbound listener. Absent: the From address.
   */
  returnPath?: string;
}

export interface OutgoingMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** RFC 5322 Message-ID, `<...@...>`, deterministic per send (see `messageIdFor`). */
  messageId: string;
  /**
   * RFC 2369 / RFC 8058: an HTTPS one-click link and a mailto fallback. Every marketing message
   * has one; a transactional message (a double opt-in confirmation) has none.
   */
  unsubscribe: { url: string; mailto: string } | null;
  /** Files for the person, e.g. the JSON-LD consent receipts; marketing mail carries none. */
  attachments?: { filename: string; content: string; contentType: string }[];
}

export interface SendResult {
  messageId: string;
  /** The SMTP server's final answer, e.g. `250 Queued as ...`. */
  response: string;
}

/** Thrown when the SMTP server refuses a message; carries its answer and whether retrying can help. */
export class SmtpRejectedError extends Error {
  override readonly name = 'SmtpRejectedError';
  constructor(
    readonly response: string,
    readonly isPermanent: boolean,
  ) {
    super(`SMTP refused the message: ${response}`);
  }
}

/** A Message-ID derived from the idempotency key: a resend after a crash carries the same ID. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const digest = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40);
  return `<${digest}@${domain}>`;
}

export interface Mailer {
  /**
   * Send one message. The first argument is the policy's "yes" for this very send: the type can
   * only come from `decide()` in packages/policy, so no code path can send without asking it.
   */
  send(decision: AllowedDecision, message: OutgoingMessage): Promise<SendResult>;
  close(): void;
}

/** The only module in the product that holds a mail transport (an architecture test checks it). */
export function createMailer(config: MailerConfig): Mailer {
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    pool: true,
    maxConnections: config.maxConnections ?? 5,
  } as Parameters<typeof nodemailer.createTransport>[0]);

  return {
    async send(decision, message) {
      // The type already guarantees this; the check guards against a decision forged with a cast.
      if (decision.allowed !== true || decision.action !== 'send') {
        throw new TypeError('mailer.send needs an allowing policy decision for the action "send"');
      }
      try {
        const info = (await transport.sendMail({
          from: config.from,
          ...(config.returnPath ? { envelope: { from: config.returnPath, to: message.to } } : {}),
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: message.messageId,
          attachments: (message.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
          headers: message.unsubscribe
            ? {
                // One List-Unsubscribe header with both URIs (RFC 2369); nodemailer's `list` option
                // would write one header per URI. RFC 8058's companion header it does not write at all.
                'List-Unsubscribe': `<${message.unsubscribe.url}>, <${message.unsubscribe.mailto}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              }
            : {},
        })) as { messageId: string; response: string };
        return { messageId: info.messageId, response: info.response };
      } catch (error) {
        const { responseCode, response } = error as { responseCode?: number; response?: string };
        if (typeof responseCode === 'number') {
          throw new SmtpRejectedError(response ?? String(responseCode), responseCode >= 500);
        }
        throw error;
      }
    },
    close() {
      transport.close();
    },
  };
}
