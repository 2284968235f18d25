/** Escapes text for HTML element and attribute content. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export interface SenderIdentity {
  /** The imprint (Impressum, § 5 DDG): name, address, register, responsible person. */
  imprint: string;
  privacyNoticeUrl: string;
}

export interface WelcomeInput {
  firstName: string | null;
  purposeName: string;
  unsubscribeUrl: string;
  /** The preference center, where every purpose can be switched on or off. */
  preferencesUrl: string;
  sender: SenderIdentity;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface ConfirmationInput {
  purposeName: string;
  confirmUrl: string;
  /** Until when the link works. */
  deadline: string;
  sender: SenderIdentity;
}

/** The double opt-in request: one question, no advertising (it may not carry any). */
export function renderConfirmation(input: ConfirmationInput): RenderedMail {
  const e = escapeHtml;
  const text = [
    'Hello,',
    '',
    `someone, hopefully you, asked to receive our ${input.purposeName} at this address.`,
    `Please confirm by opening this link before ${input.deadline}:`,
    '',
    input.confirmUrl,
    '',
    'If it was not you, ignore this message: without your confirmation you will receive nothing.',
    '',
    '--',
    input.sender.imprint,
    `Privacy notice: ${input.sender.privacyNoticeUrl}`,
  ].join('\n');
  const html = `<!doctype html>
<html><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2933">
<p>Hello,</p>
<p>someone, hopefully you, asked to receive our ${e(input.purposeName)} at this address. Please confirm before ${e(input.deadline)}:</p>
<p><a href="${e(input.confirmUrl)}" style="display:inline-block;padding:.6rem 1.2rem;background:#1f6feb;color:#fff;border-radius:.4rem;text-decoration:none">Confirm my subscription</a></p>
<p>If it was not you, ignore this message: without your confirmation you will receive nothing.</p>
<hr style="border: 0; border-top: 1px solid #d9e2ec">
<p style="font-size: 12px; color: #52606d">${e(input.sender.imprint).replace(/\n/g, '<br>')}<br>
<a href="${e(input.sender.privacyNoticeUrl)}">Privacy notice</a></p>
</body></html>`;
  return { subject: `Please confirm: ${input.purposeName}`, text, html };
}

/** The welcome mail of the newsletter. Every value from the contact is escaped. */
export function renderWelcome(input: WelcomeInput): RenderedMail {
  const greeting = input.firstName ? `Hello ${input.firstName},` : 'Hello,';
  const lines = [
    greeting,
    '',
    `thank you for subscribing to our ${input.purposeName}. You will hear from us about once a month.`,
    '',
    `You can unsubscribe at any time: ${input.unsubscribeUrl}`,
    `Choose what you hear from us: ${input.preferencesUrl}`,
    '',
    '--',
    input.sender.imprint,
    `Privacy notice: ${input.sender.privacyNoticeUrl}`,
  ];
  const e = escapeHtml;
  const html = `<!doctype html>
<html><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2933">
<p>${e(greeting)}</p>
<p>thank you for subscribing to our ${e(input.purposeName)}. You will hear from us about once a month.</p>
<hr style="border: 0; border-top: 1px solid #d9e2ec">
<p style="font-size: 12px; color: #52606d">${e(input.sender.imprint).replace(/\n/g, '<br>')}<br>
<a href="${e(input.sender.privacyNoticeUrl)}">Privacy notice</a> · <a href="${e(input.preferencesUrl)}">Preferences</a> · <a href="${e(input.unsubscribeUrl)}">Unsubscribe</a></p>
</body></html>`;
  return { subject: `Welcome to our ${input.purposeName}`, text: lines.join('\n'), html };
}

export interface ConsentReceiptMailInput {
  firstName: string | null;
  /** One line per attached receipt: the purpose, what the record says, and when. */
  records: { purposeName: string; status: string; at: string }[];
  sender: SenderIdentity;
}

/**
 * The person's copy of their consent records (Art. 7(1), 15(3) GDPR): a short text and the
 * receipts attached as JSON-LD. Transactional: no advertising, no unsubscribe, but the privacy
 * notice and the imprint.
 */
export function renderConsentReceiptMail(input: ConsentReceiptMailInput): RenderedMail {
  const e = escapeHtml;
  const greeting = input.firstName ? `Hello ${input.firstName},` : 'Hello,';
  const intro =
    'as requested, here is a record of your consents. Each attached file is a consent receipt (ISO/IEC TS 27560, JSON-LD) that any tool which reads the W3C Data Privacy Vocabulary can check.';
  const german =
    'Wie gewünscht erhalten Sie hier einen Nachweis Ihrer Einwilligungen; die angehängten Dateien sind maschinenlesbare Einwilligungsbelege.';
  const lines = input.records.map((r) => `${r.purposeName}: ${r.status} (${r.at})`);
  const text = [
    greeting,
    '',
    intro,
    '',
    ...lines.map((l) => `- ${l}`),
    '',
    german,
    '',
    'You can change your choices at any time with the preferences link in our messages.',
    '',
    '--',
    input.sender.imprint,
    `Privacy notice: ${input.sender.privacyNoticeUrl}`,
  ].join('\n');
  const html = `<!doctype html>
<html><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2933">
<p>${e(greeting)}</p>
<p>${e(intro)}</p>
<ul>${lines.map((l) => `<li>${e(l)}</li>`).join('')}</ul>
<p lang="de">${e(german)}</p>
<p>You can change your choices at any time with the preferences link in our messages.</p>
<hr style="border: 0; border-top: 1px solid #d9e2ec">
<p style="font-size: 12px; color: #52606d">${e(input.sender.imprint).replace(/\n/g, '<br>')}<br>
<a href="${e(input.sender.privacyNoticeUrl)}">Privacy notice</a></p>
</body></html>`;
  return { subject: 'Your consent receipt / Ihr Einwilligungsnachweis', text, html };
}
