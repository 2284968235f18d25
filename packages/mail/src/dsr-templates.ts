import { escapeHtml, type RenderedMail, type SenderIdentity } from './templates.ts';

/** How a data-subject request's type is named to the person and to recipients. */
export const DSR_TYPE_TEXT = {
  access: 'access to your personal data (Art. 15 GDPR)',
  rectification: 'rectification of your personal data (Art. 16 GDPR)',
  erasure: 'erasure of your personal data (Art. 17 GDPR)',
  restriction: 'restriction of processing (Art. 18 GDPR)',
  portability: 'a copy of your data to take elsewhere (Art. 20 GDPR)',
  objection: 'objection to processing (Art. 21 GDPR)',
  origin_inquiry: 'where we got your data from (Art. 14, 15 GDPR)',
} as const;
export type DsrTypeKey = keyof typeof DSR_TYPE_TEXT;

const footer = (sender: SenderIdentity) => ({
  text: ['--', sender.imprint, `Privacy notice: ${sender.privacyNoticeUrl}`],
  html: `<hr style="border: 0; border-top: 1px solid #d9e2ec">
<p style="font-size: 12px; color: #52606d">${escapeHtml(sender.imprint).replace(/\n/g, '<br>')}<br>
<a href="${escapeHtml(sender.privacyNoticeUrl)}">Privacy notice</a></p>`,
});

/**
 * The frame every mail of this file shares: its body as text lines and as HTML (already escaped),
 * each closed by the sender's imprint and privacy notice.
 */
function letter(sender: SenderIdentity, subject: string, text: readonly string[], html: readonly string[]): RenderedMail {
  const f = footer(sender);
  return {
    subject,
    text: [...text, '', ...f.text].join('\n'),
    html: `<!doctype html>
<html><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2933">
${html.join('\n')}
${f.html}
</body></html>`,
  };
}

export interface DsrVerificationInput {
  type: DsrTypeKey;
  verifyUrl: string;
  /** Until when the link works. */
  deadline: string;
  sender: SenderIdentity;
}

/** The identity check of a request made on the public form (Art. 12(6) GDPR): one link, nothing else. */
export function renderDsrVerification(input: DsrVerificationInput): RenderedMail {
  const e = escapeHtml;
  const what = DSR_TYPE_TEXT[input.type];
  return letter(
    input.sender,
    'Please confirm your privacy request',
    [
      'Hello,',
      '',
      `someone, hopefully you, asked us for ${what} with this e-mail address.`,
      `To confirm that the request comes from you, please open this link before ${input.deadline}:`,
      '',
      input.verifyUrl,
      '',
      'If it was not you, ignore this message: without your confirmation we do nothing.',
    ],
    [
      '<p>Hello,</p>',
      `<p>someone, hopefully you, asked us for ${e(what)} with this e-mail address. To confirm that the request comes from you, please open this link before ${e(input.deadline)}:</p>`,
      `<p><a href="${e(input.verifyUrl)}" style="display:inline-block;padding:.6rem 1.2rem;background:#1f6feb;color:#fff;border-radius:.4rem;text-decoration:none">Confirm my request</a></p>`,
      '<p>If it was not you, ignore this message: without your confirmation we do nothing.</p>',
    ],
  );
}

export interface DsrNoDataAnswerInput {
  type: DsrTypeKey;
  reference: string;
  sender: SenderIdentity;
}

/** The answer to a verified request from an address we hold nothing about (Art. 15(1): "whether or not"). */
export function renderDsrNoDataAnswer(input: DsrNoDataAnswerInput): RenderedMail {
  const e = escapeHtml;
  const what = DSR_TYPE_TEXT[input.type];
  return letter(
    input.sender,
    `Your privacy request ${input.reference}`,
    [
      'Hello,',
      '',
      `you asked us for ${what} (reference ${input.reference}).`,
      'We have checked our records: we hold no personal data about this e-mail address.',
    ],
    [
      '<p>Hello,</p>',
      `<p>you asked us for ${e(what)} (reference ${e(input.reference)}).</p>`,
      '<p>We have checked our records: we hold no personal data about this e-mail address.</p>',
    ],
  );
}

export interface DsrExtensionNoticeInput {
  type: DsrTypeKey;
  reference: string;
  /** When the request was received and the new due date, as the person reads them. */
  receivedAt: string;
  newDueAt: string;
  /** The DPO's reason for the delay, told to the person (Art. 12(3) sentence 3). */
  reason: string;
  sender: SenderIdentity;
}

/**
 * The person is told that their request takes longer, by when it will be answered, and why
 * (Art. 12(3) sentences 2 and 3 GDPR: within one month of receipt, with the reasons for the delay).
 */
export function renderDsrExtensionNotice(input: DsrExtensionNoticeInput): RenderedMail {
  const e = escapeHtml;
  const what = DSR_TYPE_TEXT[input.type];
  return letter(
    input.sender,
    `Your privacy request ${input.reference} takes longer`,
    [
      'Hello,',
      '',
      `on ${input.receivedAt} you asked us for ${what} (reference ${input.reference}).`,
      `We need more time to answer it completely. You will have our answer by ${input.newDueAt} at the latest.`,
      '',
      'The reason for the delay:',
      input.reason,
      '',
      'You may lodge a complaint with a supervisory authority at any time (Art. 77 GDPR).',
    ],
    [
      '<p>Hello,</p>',
      `<p>on ${e(input.receivedAt)} you asked us for ${e(what)} (reference ${e(input.reference)}).</p>`,
      `<p>We need more time to answer it completely. You will have our answer by <strong>${e(input.newDueAt)}</strong> at the latest.</p>`,
      '<p>The reason for the delay:</p>',
      `<blockquote style="margin: 0 0 1rem; padding-left: .8rem; border-left: 3px solid #d9e2ec">${e(input.reason).replace(/\n/g, '<br>')}</blockquote>`,
      '<p>You may lodge a complaint with a supervisory authority at any time (Art. 77 GDPR).</p>',
    ],
  );
}

export type Art19Change = 'rectification' | 'erasure' | 'restriction';

const CHANGE_TEXT: Record<Art19Change, string> = {
  rectification:
    'rectified (Art. 16 GDPR): please correct the data you received from us; ask us for the corrected record through the usual channel',
  erasure: 'erased (Art. 17 GDPR): please erase the data you received from us about this person',
  restriction: 'restricted (Art. 18 GDPR): please only store the data you received from us about this person, and process it no further',
};

export interface Art19NoticeInput {
  processorName: string;
  /** The request's reference; the recipient matches it with our own record ID, which it holds from the transfer. */
  reference: string;
  /** Our contact record's ID, the key under which the recipient received the data. */
  subjectRef: string;
  change: Art19Change;
  sender: SenderIdentity;
}

/**
 * The notice to a recipient of a person's data after a change (Art. 19 GDPR). It names the person
 * by our record's ID only, the key the recipient received the data under, and no more personal
 * data than that (Art. 5(1)(c)).
 */
export function renderArt19Notice(input: Art19NoticeInput): RenderedMail {
  const e = escapeHtml;
  const change = CHANGE_TEXT[input.change];
  return letter(
    input.sender,
    `Art. 19 GDPR notice (${input.change}), reference ${input.reference}`,
    [
      `To ${input.processorName},`,
      '',
      `under Art. 19 GDPR we inform you that the personal data of the person with our record ID ${input.subjectRef} was ${change}.`,
      `Our reference: ${input.reference}.`,
    ],
    [
      `<p>To ${e(input.processorName)},</p>`,
      `<p>under Art. 19 GDPR we inform you that the personal data of the person with our record ID <code>${e(input.subjectRef)}</code> was ${e(change)}.</p>`,
      `<p>Our reference: ${e(input.reference)}.</p>`,
    ],
  );
}
