import type { Db, FieldCipher, FieldKeyRing, Prisma } from '@zweck/db';
import {
  createFieldCipher,
  FieldSealError,
  loadFreeTextFieldKeys,
  normalizeEmail,
  openContactAttributes,
  sealContactAttributes,
} from '@zweck/db';
import { AppError } from '../trpc/errors.ts';
import { screenSpecialCategories, type DataCategory, type FieldType } from '@zweck/policy';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';

/**
 * Contact values checked against the field catalogue: the one door through which staff entry,
 * import and merge write a contact's attributes. Each value must belong to a field the catalogue
 * declares, that at least one purpose may use (Art. 5(1)(b)); it is parsed by its type; free text
 * is screened for special categories (Art. 9(1)). Problems are collected per field, never thrown
 * one at a time, so that a form and an import report can name them all.
 */

export interface CatalogueField {
  key: string;
  label: string;
  category: DataCategory;
  type: FieldType;
  isBuiltin: boolean;
  purposeIds: string[];
}

export type FieldCatalogue = ReadonlyMap<string, CatalogueField>;

export async function loadFieldCatalogue(db: Pick<Db, 'fieldDefinition'>): Promise<FieldCatalogue> {
  const rows = await db.fieldDefinition.findMany({
    select: { key: true, label: true, category: true, type: true, isBuiltin: true, purposes: { select: { purposeId: true } } },
  });
  return new Map(rows.map((r) => [r.key, { ...r, purposeIds: r.purposes.map((p) => p.purposeId) }]));
}

export type FieldProblemCode = 'UNKNOWN_FIELD' | 'FIELD_WITHOUT_PURPOSE' | 'INVALID_VALUE' | 'SPECIAL_CATEGORY_DATA' | 'REQUIRED';

export interface FieldProblem {
  field: string;
  code: FieldProblemCode;
  message: string;
}

/** The built-in fields, which are columns of `contact`; every other field lives in `contact.attributes`. */
export const BUILTIN_COLUMNS = {
  email: 'email',
  first_name: 'firstName',
  last_name: 'lastName',
  phone: 'phone',
  organization: 'organization',
} as const;
type BuiltinKey = keyof typeof BUILTIN_COLUMNS;
const isBuiltinKey = (key: string): key is BuiltinKey => Object.hasOwn(BUILTIN_COLUMNS, key);

/** A contact's values as stored, with the normalised forms that find duplicates. */
export interface ContactValues {
  email: string;
  emailNormalized: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  phoneE164: string | null;
  organization: string | null;
  attributes: Record<string, string>;
}

/** The field keys that carry a value, for per-field provenance. */
export const keysWithValues = (values: ContactValues): string[] => [
  'email',
  ...(['first_name', 'last_name', 'phone', 'organization'] as const).filter((k) => values[BUILTIN_COLUMNS[k]] !== null),
  ...Object.keys(values.attributes),
];

const LIMITS: Record<FieldType, number> = { text: 200, free_text: 2000, email: 254, phone: 40, date: 10, url: 2000 };

const ZEmail = z.email();
const ZDate = z.iso.date();
const ZHttpUrl = z.url({ protocol: /^https?$/ });

export interface CheckOptions {
  /** The region of numbers written without a country code (`030 1234567`). */
  defaultCountry: CountryCode;
}

/** Parse one value by its field's type; `null` for an empty value. */
function parseValue(field: CatalogueField, raw: string, options: CheckOptions): { value: string; e164?: string } | FieldProblem | null {
  const text = raw.trim();
  if (text === '') return null;
  const problem = (code: FieldProblemCode, message: string): FieldProblem => ({
    field: field.key,
    code,
    message: `${field.key}: ${message}`,
  });
  if (text.length > LIMITS[field.type]) return problem('INVALID_VALUE', `at most ${LIMITS[field.type]} characters`);
  switch (field.type) {
    case 'email':
      return ZEmail.safeParse(text).success ? { value: text } : problem('INVALID_VALUE', 'not a valid e-mail address');
    case 'phone': {
      const number = parsePhoneNumberFromString(text, options.defaultCountry);
      if (!number?.isValid())
        return problem('INVALID_VALUE', `not a valid phone number (numbers without +country code are read as ${options.defaultCountry})`);
      return { value: text, e164: number.number };
    }
    case 'date':
      return ZDate.safeParse(text).success ? { value: text } : problem('INVALID_VALUE', 'not a date of the form YYYY-MM-DD');
    case 'url':
      return ZHttpUrl.safeParse(text).success ? { value: text } : problem('INVALID_VALUE', 'not an http(s) address');
    case 'free_text': {
      const [special] = screenSpecialCategories(text);
      if (special) {
        return problem(
          'SPECIAL_CATEGORY_DATA',
          `this text seems to contain ${special.category.replace(/_/g, ' ')} data ("${special.term}"), which may not be stored (Art. 9(1) GDPR)`,
        );
      }
      return { value: text };
    }
    case 'text':
      return { value: text };
  }
}

/**
 * Check a contact's values, keyed by field key (`email`, `first_name`, `job_title`, ...), against
 * the catalogue. `email` is required. Empty values are absent values.
 */
export function checkContactValues(
  input: Readonly<Record<string, string | null | undefined>>,
  catalogue: FieldCatalogue,
  options: CheckOptions,
): { ok: true; values: ContactValues } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const values: ContactValues = {
    email: '',
    emailNormalized: '',
    firstName: null,
    lastName: null,
    phone: null,
    phoneE164: null,
    organization: null,
    attributes: {},
  };
  for (const [key, raw] of Object.entries(input)) {
    if (raw === null || raw === undefined) continue;
    const field = catalogue.get(key);
    if (!field) {
      problems.push({ field: key, code: 'UNKNOWN_FIELD', message: `${key}: there is no such field in the field catalogue` });
      continue;
    }
    const parsed = parseValue(field, raw, options);
    if (parsed === null) continue;
    if ('code' in parsed) {
      problems.push(parsed);
      continue;
    }
    if (field.purposeIds.length === 0) {
      problems.push({
        field: key,
        code: 'FIELD_WITHOUT_PURPOSE',
        message: `${key}: no purpose of the catalogue uses this field, so it is not stored (Art. 5(1)(b) GDPR)`,
      });
      continue;
    }
    if (!isBuiltinKey(key)) {
      values.attributes[key] = parsed.value;
      continue;
    }
    switch (key) {
      case 'email':
        values.email = parsed.value;
        values.emailNormalized = normalizeEmail(parsed.value);
        break;
      case 'phone':
        values.phone = parsed.value;
        values.phoneE164 = parsed.e164 ?? null;
        break;
      default:
        values[BUILTIN_COLUMNS[key]] = parsed.value;
    }
  }
  if (values.email === '' && !problems.some((p) => p.field === 'email')) {
    problems.push({ field: 'email', code: 'REQUIRED', message: 'email: an e-mail address is required' });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/**
 * What seals and opens a contact's free-text values (Art. 32(1)(a) GDPR): the installation's field
 * cipher and the catalogue's free-text keys. Every write of `contact.attributes` seals with it and
 * every read opens with it (`@zweck/db`'s contact-attributes module).
 */
export interface FieldSealing {
  cipher: FieldCipher;
  freeTextKeys: ReadonlySet<string>;
}

/** The sealing for a catalogue already loaded. */
export const sealingOf = (ring: FieldKeyRing, catalogue: FieldCatalogue): FieldSealing => ({
  cipher: createFieldCipher(ring),
  freeTextKeys: new Set([...catalogue.values()].filter((f) => f.type === 'free_text').map((f) => f.key)),
});

/** The sealing for a read path that has no catalogue at hand. */
export async function loadFieldSealing(db: Pick<Db, 'fieldDefinition'>, ring: FieldKeyRing): Promise<FieldSealing> {
  return { cipher: createFieldCipher(ring), freeTextKeys: await loadFreeTextFieldKeys(db) };
}

/** The attributes as stored: free-text values sealed for this contact. */
export const sealedAttributes = (sealing: FieldSealing, contactId: string, attributes: Readonly<Record<string, string>>) =>
  sealContactAttributes(sealing.cipher, contactId, attributes, sealing.freeTextKeys);

/**
 * The stored attributes in clear text. A value that does not open (its key left the ring, or it was
 * copied from another contact or field) is a typed error naming the field, never its content.
 */
export function openedAttributes(sealing: FieldSealing, contactId: string, stored: unknown): Record<string, string> {
  try {
    return openContactAttributes(sealing.cipher, contactId, stored, sealing.freeTextKeys);
  } catch (error) {
    if (!(error instanceof FieldSealError)) throw error;
    throw new AppError(
      'FIELD_VALUE_UNREADABLE',
      `The stored value of "${error.fieldKey ?? 'a field'}" does not open with this installation's field keys (${error.reason}).`,
      error.fieldKey ?? undefined,
    );
  }
}

/** The columns `contact.create` and `contact.update` take from checked values, free text sealed for `contactId`. */
export const contactColumns = (values: ContactValues, contactId: string, sealing: FieldSealing) =>
  ({
    email: values.email,
    emailNormalized: values.emailNormalized,
    firstName: values.firstName,
    lastName: values.lastName,
    phone: values.phone,
    phoneE164: values.phoneE164,
    organization: values.organization,
    attributes: sealedAttributes(sealing, contactId, values.attributes),
  }) satisfies Prisma.ContactUncheckedUpdateInput;

/** The stored contact as field-keyed values in clear text, the shape `checkContactValues` takes. */
export function storedValues(
  contact: {
    id: string;
    email: string;
    firstName: string | null;
    lastName: string | null;
    phone: string | null;
    organization: string | null;
    attributes: Prisma.JsonValue;
  },
  sealing: FieldSealing,
): Record<string, string | null> {
  const attributes = openedAttributes(sealing, contact.id, contact.attributes);
  return {
    email: contact.email,
    first_name: contact.firstName,
    last_name: contact.lastName,
    phone: contact.phone,
    organization: contact.organization,
    ...attributes,
  };
}
