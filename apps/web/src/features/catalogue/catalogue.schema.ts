import { ZChannel, ZDataCategory, ZFieldKey, ZFieldType, ZLegalBasis, ZPurposeId, type Channel, type DataCategory } from '@zweck/policy';
import { z } from 'zod';
import type { RouterInputs, RouterOutputs } from '../../lib/trpc.ts';

export type Purpose = RouterOutputs['purposes']['list'][number];
export type Wording = Purpose['wordings'][number];
export type CatalogueField = RouterOutputs['fields']['list'][number];

/** The API's rule: a balancing test shorter than this names no interest, impact and result. */
export const BALANCING_TEST_MIN_LENGTH = 50;

export const CHANNEL_LABELS: Record<Channel, string> = { email: 'E-mail', phone: 'Phone', sms: 'SMS', post: 'Post' };

export type StaffRole = Purpose['staffRoles'][number];
export const STAFF_ROLES = ['admin', 'marketer', 'sales', 'dpo'] as const satisfies readonly StaffRole[];

/** The staff roles as the catalogue names them; admin and DPO see every field whatever the purposes say. */
export const STAFF_ROLE_LABELS: Record<StaffRole, { label: string; hint: string }> = {
  marketer: { label: 'Marketing', hint: 'campaigns, journeys, segments, templates' },
  sales: { label: 'Sales', hint: 'leads, follow-up, customer care' },
  dpo: { label: 'Data protection officer', hint: 'sees every field in any case' },
  admin: { label: 'Administrators', hint: 'see every field in any case' },
};

/** Roles that see every field of a contact, whatever the purposes say (the API's rule). */
export const ALL_FIELD_ROLES: readonly StaffRole[] = ['admin', 'dpo'];

/** The roles that see a field: those working for a purpose that uses it, and admin and DPO; everyone sees the e-mail. */
export function rolesSeeingField(fieldKey: string, purposes: readonly Pick<Purpose, 'fields' | 'staffRoles'>[]): StaffRole[] {
  if (fieldKey === 'email') return [...STAFF_ROLES];
  const roles = new Set<StaffRole>(ALL_FIELD_ROLES);
  for (const purpose of purposes) if (purpose.fields.includes(fieldKey)) for (const role of purpose.staffRoles) roles.add(role);
  return STAFF_ROLES.filter((r) => roles.has(r));
}

export const CATEGORY_LABELS: Record<DataCategory, { label: string; hint: string }> = {
  identity: { label: 'Identity', hint: 'names, titles' },
  contact: { label: 'Contact details', hint: 'addresses, phone numbers' },
  professional: { label: 'Professional', hint: 'employer, job, notes on the business relationship' },
  location: { label: 'Location', hint: 'city, region, country' },
  preference: { label: 'Preferences', hint: 'topics, formats, languages' },
  behavioural: { label: 'Behavioural', hint: 'opens, clicks, visits' },
  transaction: { label: 'Transactions', hint: 'orders, contracts, products in use' },
};

export const FIELD_TYPE_LABELS: Record<z.infer<typeof ZFieldType>, string> = {
  text: 'Short text',
  free_text: 'Free text (screened for Art. 9 terms)',
  email: 'E-mail address',
  phone: 'Phone number',
  date: 'Date',
  url: 'Web address',
};

export const LEGAL_BASIS_HINTS: Record<z.infer<typeof ZLegalBasis>, string> = {
  consent: 'The person agreed to a wording you can show (Art. 6(1)(a), 7 GDPR).',
  contract: 'Needed to perform a contract with the person (Art. 6(1)(b)).',
  legal_obligation: 'Required by law (Art. 6(1)(c)).',
  legitimate_interest: 'Your interest outweighs the person’s, as a written balancing test shows (Art. 6(1)(f)).',
};

/** `''` in a number input: not set. */
const wholeNumber = (min: number, max: number, unit: string) =>
  z
    .string()
    .trim()
    .refine((v) => v === '' || /^\d+$/.test(v), `Whole ${unit}`)
    .refine((v) => v === '' || (Number(v) >= min && Number(v) <= max), `Between ${min} and ${max} ${unit}`);

/**
 * The purpose form: strings as inputs hold them, field names as the API's input, so that an error
 * the server names lands beside its field. The rules between values are the API's, word for word.
 */
export const ZPurposeForm = z
  .object({
    id: z.string().trim(),
    isNew: z.boolean(),
    name: z.string().trim().min(1, 'Give the purpose a name').max(100, 'At most 100 characters'),
    description: z.string().trim().min(1, 'Describe the purpose as people will read it').max(1000, 'At most 1000 characters'),
    legalBasis: ZLegalBasis,
    channels: z.array(ZChannel).min(1, 'Choose at least one channel'),
    isDirectMarketing: z.boolean(),
    balancingTest: z.string().trim().max(10_000, 'At most 10,000 characters'),
    requiresDoubleOptIn: z.boolean(),
    doubleOptInDeadlineHours: wholeNumber(1, 720, 'hours').refine((v) => v !== '', 'Enter the hours'),
    allowsExistingCustomerException: z.boolean(),
    retentionMonths: wholeNumber(1, 600, 'months'),
    fields: z.array(z.string()),
    staffRoles: z.array(z.enum(STAFF_ROLES)),
  })
  .superRefine(
    (values, ctx) => {
      const at = (path: keyof typeof values, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (values.isNew && !ZPurposeId.safeParse(values.id).success) {
        at('id', 'Lower-case letters, digits and underscores, starting with a letter (2 to 63 characters)');
      }
      if (values.legalBasis === 'legitimate_interest' && values.balancingTest.length < BALANCING_TEST_MIN_LENGTH) {
        at(
          'balancingTest',
          `Legitimate interest (Art. 6(1)(f) GDPR) needs a written balancing test of at least ${BALANCING_TEST_MIN_LENGTH} characters: the interest, the impact on the people, and why the interest prevails.`,
        );
      }
      const isEmailConsent = values.legalBasis === 'consent' && values.channels.includes('email');
      if (values.requiresDoubleOptIn && !isEmailConsent) {
        at('requiresDoubleOptIn', 'Double opt-in confirms a consent to e-mail: it needs the legal basis consent and the e-mail channel.');
      }
      if (values.allowsExistingCustomerException && !(isEmailConsent && values.isDirectMarketing)) {
        at(
          'allowsExistingCustomerException',
          'The existing-customer exception (UWG § 7(3)) covers direct marketing by e-mail only: it needs the legal basis consent, the e-mail channel and direct marketing.',
        );
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type PurposeFormInput = z.input<typeof ZPurposeForm>;
export type PurposeFormValues = z.output<typeof ZPurposeForm>;
export type PurposeInput = RouterInputs['purposes']['update'];

export const PURPOSE_FORM_PATHS = [
  'id',
  'name',
  'description',
  'legalBasis',
  'channels',
  'isDirectMarketing',
  'balancingTest',
  'requiresDoubleOptIn',
  'doubleOptInDeadlineHours',
  'allowsExistingCustomerException',
  'retentionMonths',
  'fields',
  'staffRoles',
] as const;
export const isPurposeFormPath = (path: string): path is (typeof PURPOSE_FORM_PATHS)[number] =>
  (PURPOSE_FORM_PATHS as readonly string[]).includes(path);

/** A new purpose starts as the cautious choice: consent by e-mail with double opt-in. */
export const NEW_PURPOSE: PurposeFormInput = {
  id: '',
  isNew: true,
  name: '',
  description: '',
  legalBasis: 'consent',
  channels: ['email'],
  isDirectMarketing: true,
  balancingTest: '',
  requiresDoubleOptIn: true,
  doubleOptInDeadlineHours: '72',
  allowsExistingCustomerException: false,
  retentionMonths: '',
  fields: ['email'],
  staffRoles: [],
};

export function toPurposeForm(purpose: Purpose): PurposeFormInput {
  return {
    id: purpose.id,
    isNew: false,
    name: purpose.name,
    description: purpose.description,
    legalBasis: purpose.legalBasis,
    channels: purpose.channels.filter((c): c is Channel => ZChannel.safeParse(c).success),
    isDirectMarketing: purpose.isDirectMarketing,
    balancingTest: purpose.balancingTest ?? '',
    requiresDoubleOptIn: purpose.requiresDoubleOptIn,
    doubleOptInDeadlineHours: String(purpose.doubleOptInDeadlineHours),
    allowsExistingCustomerException: purpose.allowsExistingCustomerException,
    retentionMonths: purpose.retentionMonths === null ? '' : String(purpose.retentionMonths),
    fields: purpose.fields,
    staffRoles: purpose.staffRoles,
  };
}

/** The API's input for the form's values; the balancing test only goes with legitimate interest. */
export function toPurposeInput(values: PurposeFormValues): PurposeInput {
  return {
    id: values.id,
    name: values.name,
    description: values.description,
    legalBasis: values.legalBasis,
    channels: values.channels,
    isDirectMarketing: values.isDirectMarketing,
    balancingTest: values.legalBasis === 'legitimate_interest' ? values.balancingTest : null,
    requiresDoubleOptIn: values.requiresDoubleOptIn,
    doubleOptInDeadlineHours: Number(values.doubleOptInDeadlineHours),
    allowsExistingCustomerException: values.allowsExistingCustomerException,
    retentionMonths: values.retentionMonths === '' ? null : Number(values.retentionMonths),
    fields: values.fields,
    staffRoles: values.staffRoles,
  };
}

export const WORDING_LANGUAGES = { en: 'English', de: 'Deutsch' } as const;

export const ZWordingForm = z.object({
  language: z.enum(['en', 'de']),
  text: z.string().trim().min(20, 'At least 20 characters: say what people agree to').max(2000, 'At most 2000 characters'),
});
export type WordingFormValues = z.infer<typeof ZWordingForm>;

/** The field form. The category offers ordinary categories only: Art. 9(1) ones cannot be declared. */
export const ZFieldForm = z
  .object({
    isNew: z.boolean(),
    key: z.string().trim(),
    label: z.string().trim().min(1, 'Give the field a label').max(100, 'At most 100 characters'),
    description: z.string().trim().max(500, 'At most 500 characters'),
    // '' is the unchosen select; the refinement narrows it away.
    category: z.union([ZDataCategory, z.literal('')]).refine((c) => c !== '', 'Choose the kind of data the field holds'),
    type: ZFieldType,
    purposeIds: z.array(z.string()),
  })
  .superRefine(
    (values, ctx) => {
      if (values.isNew && !ZFieldKey.safeParse(values.key).success) {
        ctx.addIssue({
          code: 'custom',
          path: ['key'],
          message: 'Lower-case letters, digits and underscores, starting with a letter (2 to 63 characters)',
        });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );
export type FieldFormInput = z.input<typeof ZFieldForm>;
export type FieldFormValues = z.output<typeof ZFieldForm>;

export const FIELD_FORM_PATHS = ['key', 'label', 'description', 'category', 'type', 'purposeIds'] as const;
export const isFieldFormPath = (path: string): path is (typeof FIELD_FORM_PATHS)[number] =>
  (FIELD_FORM_PATHS as readonly string[]).includes(path);

export const NEW_FIELD: FieldFormInput = {
  isNew: true,
  key: '',
  label: '',
  description: '',
  category: '',
  type: 'text',
  purposeIds: [],
};

export const toFieldForm = (field: CatalogueField): FieldFormInput => ({
  isNew: false,
  key: field.key,
  label: field.label,
  description: field.description,
  category: field.category,
  type: field.type,
  purposeIds: field.purposes.map((p) => p.id),
});

export function toFieldInput(values: FieldFormValues): RouterInputs['fields']['create'] {
  return {
    key: values.key,
    label: values.label,
    description: values.description,
    category: values.category,
    type: values.type,
    purposeIds: values.purposeIds,
  };
}

/** Wordings grouped by language, newest first as the API orders them; the first of each is the one shown today. */
export function currentWordings(wordings: readonly Wording[]): Map<string, Wording> {
  const current = new Map<string, Wording>();
  for (const w of wordings) if (!current.has(w.language)) current.set(w.language, w);
  return current;
}
