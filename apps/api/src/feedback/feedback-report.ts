import { simpleParser, type HeaderValue } from 'mailparser';

/**
 * What a report that comes back to `bounces@MAIL_DOMAIN` says, reduced to what the product acts
 * on: which of our messages it is about (its Message-ID), and either the delivery status (a DSN,
 * RFC 3464) or that the recipient complained (an ARF feedback report, RFC 5965). Addresses in the
 * report are never read into this result.
 */
export type FeedbackReport =
  | { kind: 'delivery_status'; messageId: string | null; status: string; action: string; diagnostic: string | null }
  | { kind: 'complaint'; messageId: string | null; feedbackType: string }
  | { kind: 'other' };

interface MimePart {
  contentType: string;
  body: string;
}

const isStructured = (value: HeaderValue | undefined): value is { value: string; params: Record<string, string> } =>
  typeof value === 'object' && value !== null && 'value' in value && 'params' in value;

/** Header-style fields of a report part (`Name: value`, folded lines joined), in groups separated by blank lines. */
function fieldGroups(body: string): Map<string, string>[] {
  return body
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split(/\n\s*\n/)
    .map((group) => {
      const fields = new Map<string, string>();
      for (const line of group.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((fields) => fields.size > 0);
}

/**
 * The direct parts of a multipart body. Hand-written because mailparser merges the report parts
 * (message/delivery-status, message/feedback-report) into the text of the message, losing their
 * structure; the reports are plain 7-bit text (RFC 3464 § 2.1, RFC 5965 § 2), so splitting on the
 * boundary and decoding base64 where a sender used it is all that is needed.
 */
function multipartParts(raw: string, boundary: string): MimePart[] {
  const delimiter = `--${boundary}`;
  const sections = raw.split(delimiter).slice(1);
  const parts: MimePart[] = [];
  for (const section of sections) {
    if (section.startsWith('--')) break;
    const text = section.replace(/^\r?\n/, '');
    const end = text.search(/\r?\n\r?\n/);
    const head = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
    let body = end === -1 ? '' : text.slice(end).replace(/^\r?\n\r?\n/, '');
    const contentType = /^content-type:\s*([^;\r\n]+)/im.exec(head)?.[1]?.trim().toLowerCase() ?? 'text/plain';
    if (/^content-transfer-encoding:\s*base64/im.test(head)) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    parts.push({ contentType, body });
  }
  return parts;
}

/** The Message-ID of the original message a report returns (its headers, or the whole message). */
async function originalMessageId(parts: MimePart[]): Promise<string | null> {
  const original = parts.find((p) => p.contentType === 'text/rfc822-headers' || p.contentType === 'message/rfc822');
  if (!original) return null;
  const parsed = await simpleParser(
    original.body.includes('\n\n') || original.body.includes('\r\n\r\n') ? original.body : `${original.body}\r\n\r\n`,
    {
      skipHtmlToText: true,
      skipImageLinks: true,
      skipTextLinks: true,
    },
  );
  return parsed.messageId ?? null;
}

export async function parseFeedbackReport(raw: Buffer): Promise<FeedbackReport> {
  const source = raw.toString('utf8');
  const top = await simpleParser(raw, { skipHtmlToText: true, skipImageLinks: true, skipTextLinks: true });
  const contentType = top.headers.get('content-type');
  if (!isStructured(contentType) || contentType.value.toLowerCase() !== 'multipart/report') return { kind: 'other' };
  const boundary = contentType.params.boundary;
  const reportType = contentType.params['report-type']?.toLowerCase();
  if (!boundary) return { kind: 'other' };
  const parts = multipartParts(source, boundary);
  const messageId = await originalMessageId(parts);

  if (reportType === 'delivery-status') {
    const status = parts.find((p) => p.contentType === 'message/delivery-status');
    if (!status) return { kind: 'other' };
    // The first group is per message, the rest per recipient; our messages have one recipient.
    const recipients = fieldGroups(status.body).slice(1);
    const recipient = recipients.find((r) => r.has('status')) ?? null;
    const code = recipient?.get('status')?.match(/^[245]\.\d{1,3}\.\d{1,3}/)?.[0];
    if (!recipient || !code) return { kind: 'other' };
    return {
      kind: 'delivery_status',
      messageId,
      status: code,
      action: (recipient.get('action') ?? '').toLowerCase(),
      diagnostic: recipient.get('diagnostic-code') ?? null,
    };
  }
  if (reportType === 'feedback-report') {
    const report = parts.find((p) => p.contentType === 'message/feedback-report');
    if (!report) return { kind: 'other' };
    const fields = fieldGroups(report.body)[0];
    return { kind: 'complaint', messageId, feedbackType: (fields?.get('feedback-type') ?? 'abuse').toLowerCase() };
  }
  return { kind: 'other' };
}
