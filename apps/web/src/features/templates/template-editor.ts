import { z } from 'zod';

export const TEMPLATE_FIELDS = ['subject', 'html', 'text'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type TemplateKind = 'marketing' | 'transactional';

export const KIND_LABELS: Record<TemplateKind, { label: string; hint: string }> = {
  marketing: {
    label: 'Marketing',
    hint: 'Advertising to contacts under a consent purpose. Needs the imprint, the privacy notice, the preference-center and unsubscribe links in both bodies.',
  },
  transactional: {
    label: 'Transactional',
    hint: 'Messages a person needs, without advertising (an order confirmation, an answer to a request).',
  },
};

/** The same limits as the API; the placeholders themselves only the server checks. */
export const ZTemplateForm = z.object({
  name: z.string().trim().min(1, 'Give the template a name').max(120, 'At most 120 characters'),
  kind: z.enum(['marketing', 'transactional']),
  subject: z.string().trim().min(1, 'Write a subject').max(200, 'At most 200 characters'),
  html: z.string().min(1, 'Write the HTML body').max(100_000, 'At most 100,000 characters'),
  text: z.string().min(1, 'Write the text body').max(50_000, 'At most 50,000 characters'),
});
export type TemplateFormValues = z.infer<typeof ZTemplateForm>;

export const NEW_TEMPLATE: TemplateFormValues = {
  name: '',
  kind: 'marketing',
  subject: '',
  html: '<p>{{#first_name}}Hello {{first_name}},{{/first_name}}{{^first_name}}Hello,{{/first_name}}</p>\n<p></p>\n',
  text: '{{#first_name}}Hello {{first_name}},{{/first_name}}{{^first_name}}Hello,{{/first_name}}\n\n',
};

const placeholderPattern = (key: string): RegExp => new RegExp(`\\{\\{\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\}\\}`);

/** The required placeholders a body does not contain yet (a hint while typing; the server decides). */
export const missingPlaceholders = (body: string, required: readonly string[]): string[] =>
  required.filter((key) => !placeholderPattern(key).test(body));

/** Puts `snippet` in place of the selection and says where the caret goes. */
export function insertAt(value: string, start: number, end: number, snippet: string): { value: string; caret: number } {
  const from = Math.max(0, Math.min(start, value.length));
  const to = Math.max(from, Math.min(end, value.length));
  return { value: value.slice(0, from) + snippet + value.slice(to), caret: from + snippet.length };
}

/**
 * Adds the required footer to a body that lacks any of its placeholders: in HTML before the
 * closing body tag where there is one, otherwise at the end. A body that has them all stays as it is.
 */
export function withRequiredFooter(body: string, footer: string, required: readonly string[], isHtml: boolean): string {
  if (missingPlaceholders(body, required).length === 0) return body;
  if (isHtml) {
    const close = body.toLowerCase().lastIndexOf('</body>');
    if (close >= 0) return `${body.slice(0, close)}${footer}\n${body.slice(close)}`;
  }
  const separator = body === '' || body.endsWith('\n\n') ? '' : body.endsWith('\n') ? '\n' : '\n\n';
  return `${body}${separator}${footer}\n`;
}

/** Server messages by template field, from a TEMPLATE_INVALID error's `fieldErrors`. */
export function templateFieldMessages(fieldErrors: Record<string, string[] | undefined> | null): Partial<Record<TemplateField, string>> {
  const out: Partial<Record<TemplateField, string>> = {};
  for (const field of TEMPLATE_FIELDS) {
    const messages = fieldErrors?.[field];
    if (messages && messages.length > 0) out[field] = messages.join(' ');
  }
  return out;
}
