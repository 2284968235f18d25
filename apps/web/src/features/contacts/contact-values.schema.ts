import { z } from 'zod';
import type { RouterInputs } from '../../lib/trpc.ts';
import { BUILTIN_FORM_NAMES, isBuiltinKey, withoutKeyPrefix } from './contact-fields.ts';

/**
 * A contact's own values as the new-contact and edit forms hold them: strings, '' for empty. The
 * field catalogue checks them further on the server (type, purpose, Art. 9 screening); what it
 * refuses comes back per field and is shown beside it.
 */
export const ZContactValuesForm = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter the e-mail address')
    .max(254, 'An e-mail address has at most 254 characters')
    .pipe(z.email('Enter a valid e-mail address, like name@example.org')),
  firstName: z.string().trim().max(100, 'At most 100 characters'),
  lastName: z.string().trim().max(100, 'At most 100 characters'),
  phone: z.string().trim().max(40, 'At most 40 characters'),
  organization: z.string().trim().max(200, 'At most 200 characters'),
  /** The catalogue's other fields, by field key. */
  attributes: z.record(z.string(), z.string().trim().max(2000, 'At most 2000 characters')),
});

export type ContactValuesFormInput = z.input<typeof ZContactValuesForm>;
export type ContactValuesFormValues = z.output<typeof ZContactValuesForm>;
export type ContactValuesInput = RouterInputs['contacts']['update']['values'];
export type DuplicateProbe = RouterInputs['contacts']['checkDuplicates'];

const orUndefined = (value: string): string | undefined => (value === '' ? undefined : value);

/** The API's values for the form's: empty means absent (on update: removed). */
export function toContactValuesInput(values: ContactValuesFormValues): ContactValuesInput {
  return {
    email: values.email,
    firstName: orUndefined(values.firstName),
    lastName: orUndefined(values.lastName),
    phone: orUndefined(values.phone),
    organization: orUndefined(values.organization),
    attributes: Object.fromEntries(Object.entries(values.attributes).filter(([, value]) => value !== '')),
  };
}

/** Empty values for a new contact, with a slot for each catalogue field the form shows. */
export const emptyContactValues = (attributeKeys: readonly string[]): ContactValuesFormInput => ({
  email: '',
  firstName: '',
  lastName: '',
  phone: '',
  organization: '',
  attributes: Object.fromEntries(attributeKeys.map((key) => [key, ''])),
});

/** The edit form's starting values: what the contact holds (`contacts.get` values, by field key). */
export function contactValuesFromStored(stored: Record<string, string | null>, attributeKeys: readonly string[]): ContactValuesFormInput {
  return {
    email: stored.email ?? '',
    firstName: stored.first_name ?? '',
    lastName: stored.last_name ?? '',
    phone: stored.phone ?? '',
    organization: stored.organization ?? '',
    attributes: Object.fromEntries(attributeKeys.map((key) => [key, stored[key] ?? ''])),
  };
}

/**
 * What the duplicate check can go on while the form is being typed: an address that looks whole,
 * a phone number with enough digits, or a name together with an organization (a name alone says
 * too little, and so does the API). Null when there is nothing worth asking about yet.
 */
export function toDuplicateProbe(values: {
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  phone?: string | undefined;
  organization?: string | undefined;
}): DuplicateProbe | null {
  const email = values.email?.trim() ?? '';
  const phone = values.phone?.trim() ?? '';
  const firstName = values.firstName?.trim() ?? '';
  const lastName = values.lastName?.trim() ?? '';
  const organization = values.organization?.trim() ?? '';
  const hasEmail = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email) && email.length <= 254;
  const hasPhone = phone.replace(/\D/g, '').length >= 6 && phone.length <= 40;
  const hasNameAndOrganization = (firstName !== '' || lastName !== '') && organization !== '';
  if (!hasEmail && !hasPhone && !hasNameAndOrganization) return null;
  return {
    ...(hasEmail ? { email } : {}),
    ...(hasPhone ? { phone } : {}),
    ...(hasNameAndOrganization
      ? {
          ...(firstName ? { firstName: firstName.slice(0, 100) } : {}),
          ...(lastName ? { lastName: lastName.slice(0, 100) } : {}),
          organization: organization.slice(0, 200),
        }
      : {}),
  };
}

/** The parts of a server error that can be placed on a form. */
export interface ServerErrorParts {
  /** The one input field a domain error names (`email`, `consent.source`, `job_title`). */
  field: string | null;
  /** Messages per field: catalogue keys for the field catalogue's checks, input names for bad input. */
  fieldErrors: Record<string, string[] | undefined> | null;
  /** The error in plain language, for where no field can hold it. */
  message: string;
}

export interface PlacedServerError {
  fields: { path: string; message: string }[];
  /** What belongs above the form: the message when no field could hold it, or messages for fields the form does not show. */
  general: string | null;
}

/**
 * Which form field each server message goes beside. `hasPath` says whether the form has a field
 * at a path (`email`, `firstName`, `attributes.job_title`, `consent.source`).
 */
export function placeServerError(parts: ServerErrorParts, hasPath: (path: string) => boolean): PlacedServerError {
  const pathOf = (name: string): string | null => {
    if (hasPath(name)) return name;
    if (isBuiltinKey(name) && hasPath(BUILTIN_FORM_NAMES[name])) return BUILTIN_FORM_NAMES[name];
    if (hasPath(`attributes.${name}`)) return `attributes.${name}`;
    return null;
  };
  const fields: PlacedServerError['fields'] = [];
  const elsewhere: string[] = [];
  for (const [name, messages] of Object.entries(parts.fieldErrors ?? {})) {
    const first = messages?.[0];
    if (!first) continue;
    const path = pathOf(name);
    if (path) fields.push({ path, message: withoutKeyPrefix(name, first) });
    else elsewhere.push(first);
  }
  if (fields.length === 0 && elsewhere.length === 0 && parts.field) {
    const path = pathOf(parts.field);
    if (path) fields.push({ path, message: parts.message });
  }
  const general = elsewhere.length > 0 ? elsewhere.join(' ') : fields.length === 0 ? parts.message : null;
  return { fields, general };
}
