import { z } from 'zod';
import { localValueToIsoWithOffset } from '../../lib/datetime.ts';
import type { RouterInputs } from '../../lib/trpc.ts';
import { toContactValuesInput, ZContactValuesForm } from './contact-values.schema.ts';

export const STAFF_METHODS = ['in_person', 'phone', 'web_form'] as const;
export type StaffMethod = (typeof STAFF_METHODS)[number];

export const METHOD_LABELS: Record<StaffMethod, string> = {
  in_person: 'In person',
  phone: 'By phone',
  web_form: 'Web form',
};

/** The purpose and channel the "newsletter by e-mail" checkbox records consent for. */
export const NEWSLETTER = { purposeId: 'newsletter', channel: 'email' } as const;

/**
 * The form's own values: strings as inputs hold them. The field names follow the API's input
 * (`phone`, `attributes.job_title`, `consent.wordingVersion`, ...), so that an error the server
 * names lands on the right field.
 */
export const ZNewContactForm = ZContactValuesForm.extend({
  hasConsent: z.boolean(),
  consent: z.object({
    method: z.enum(['', ...STAFF_METHODS]),
    wordingVersion: z.string(),
    wordingLanguage: z.enum(['en', 'de']),
    /** The value of a datetime-local input, in the browser's time zone. */
    grantedAt: z.string(),
    source: z.string().trim().max(200, 'At most 200 characters'),
  }),
}).superRefine(
  (values, ctx) => {
    // The proof is needed only when consent is recorded (Art. 7(1): the controller must be able to demonstrate it).
    if (!values.hasConsent) return;
    const at = (field: keyof typeof values.consent, message: string) => ctx.addIssue({ code: 'custom', path: ['consent', field], message });
    if (values.consent.method === '') at('method', 'Choose how the consent was given');
    if (values.consent.wordingVersion === '') at('wordingVersion', 'Choose the wording the person agreed to');
    const iso = localValueToIsoWithOffset(values.consent.grantedAt);
    if (iso === null) at('grantedAt', 'Enter the date and time the consent was given');
    // A minute of slack, as the API allows, for clocks that differ.
    else if (Date.parse(iso) > Date.now() + 60_000) at('grantedAt', 'The time of consent cannot be in the future');
    if (values.consent.source === '') at('source', 'Say where the consent was given, e.g. “Trade fair Berlin, stand 12”');
  },
  // Check the proof even while other fields are still wrong, so that every problem shows at once.
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
);

export type NewContactFormInput = z.input<typeof ZNewContactForm>;
export type NewContactFormValues = z.output<typeof ZNewContactForm>;
export type CreateContactInput = RouterInputs['contacts']['create'];

/** The API's input for the form's values; `allowPossibleDuplicate` once the user has seen the candidates. */
export function toCreateContactInput(values: NewContactFormValues, options: { allowPossibleDuplicate?: boolean } = {}): CreateContactInput {
  const base: CreateContactInput = {
    ...toContactValuesInput(values),
    ...(options.allowPossibleDuplicate ? { allowPossibleDuplicate: true } : {}),
  };
  if (!values.hasConsent) return base;
  const { method, wordingVersion, wordingLanguage, grantedAt, source } = values.consent;
  const grantedAtIso = localValueToIsoWithOffset(grantedAt);
  if (method === '' || grantedAtIso === null) throw new Error('consent proof not validated');
  return {
    ...base,
    consent: { ...NEWSLETTER, method, wordingVersion, wordingLanguage, grantedAt: grantedAtIso, source },
  };
}

/** Form paths a server error can name, besides `attributes.<key>` of the catalogue fields the form shows. */
export const FORM_PATHS = [
  'email',
  'firstName',
  'lastName',
  'phone',
  'organization',
  'consent.method',
  'consent.wordingVersion',
  'consent.wordingLanguage',
  'consent.grantedAt',
  'consent.source',
] as const;
export type FormPath = (typeof FORM_PATHS)[number];
export const isFormPath = (path: string): path is FormPath => (FORM_PATHS as readonly string[]).includes(path);
