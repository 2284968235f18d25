import type { Db } from '@zweck/db';

/**
 * A permanent SMTP refusal at send time (a synchronous bounce), read from the server's answer.
 * `bounced`: the receiving server refused the recipient (RFC 3463 status 5.1.x address, 5.2.x
 * mailbox, or a bare 550/551/553 without an enhanced status); anything else (content, size,
 * policy) refused the message, not the address, and stays `failed`. `isHard`: the address does not
 * work, so it is marked undeliverable; a full mailbox (5.2.2) is not.
 */
export interface SmtpBounce {
  /** The enhanced status code (RFC 3463), e.g. `5.1.1`, or null when the server gave none. */
  status: string | null;
  /** The basic reply code, e.g. 550. */
  code: number | null;
  isHard: boolean;
}

export function syncBounceOf(smtpResponse: string | null): SmtpBounce | null {
  if (smtpResponse === null) return null;
  const code = /^\s*(\d{3})/.exec(smtpResponse)?.[1];
  const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(smtpResponse)?.[1] ?? null;
  const basic = code === undefined ? null : Number(code);
  if (basic === null || basic < 500) return null;
  const isRecipient = status === null ? basic === 550 || basic === 551 || basic === 553 : /^5\.[12]\./.test(status);
  if (!isRecipient) return null;
  return { status, code: basic, isHard: status !== '5.2.2' };
}

/**
 * Records what a synchronous bounce means beyond the recipient's outcome: a hard one marks the
 * address undeliverable (accuracy, Art. 5(1)(d): it does not work; it says nothing about consent),
 * and the bounce is an interaction of the contact. One statement. The details hold the status
 * codes only, never the server's text, which can quote the address.
 *
 * Written from the worker, which cannot signal workflows, so a journey waiting for a bounce does
 * not hear of a synchronous one; bounces that come back as reports pass the API's
 * `recordInteraction`, which signals.
 */
export async function recordSyncBounce(
  db: Db,
  input: { contactId: string; campaignId: string | null; messageRef: string; bounce: SmtpBounce; at: Date },
): Promise<void> {
  const details = JSON.stringify({
    status: input.bounce.status,
    code: input.bounce.code,
    isHard: input.bounce.isHard,
    via: 'smtp',
    messageRef: input.messageRef,
  });
  await db.$executeRaw`
    WITH marked AS (
      UPDATE contact SET email_undeliverable_at = COALESCE(email_undeliverable_at, ${input.at}::timestamptz)
      WHERE id = ${input.contactId}::uuid AND ${input.bounce.isHard}
    )
    INSERT INTO interaction (contact_id, kind, occurred_at, campaign_id, details)
    VALUES (${input.contactId}::uuid, 'bounced'::"InteractionKind", ${input.at}::timestamptz, ${input.campaignId}::uuid, ${details}::jsonb)`;
}
