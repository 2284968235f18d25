import type { LegalBasis, Prisma } from '@zweck/db';
import { AppError } from '../trpc/errors.ts';
import {
  checkContactValues,
  contactColumns,
  keysWithValues,
  type CheckOptions,
  type ContactValues,
  type FieldCatalogue,
  type FieldSealing,
} from './fields.ts';

/** Where values came from: written once for the contact and once for every field value (Art. 14(2)(f), 15(1)(g)). */
export interface ProvenanceInput {
  source: string;
  reference: string | null;
  legalBasis: LegalBasis;
  actor: string;
}

type Tx = Pick<Prisma.TransactionClient, 'contact' | 'provenance'>;

/** Values checked, or an error that names every field that was wrong. */
export function checkOrThrow(
  input: Readonly<Record<string, string | null | undefined>>,
  catalogue: FieldCatalogue,
  options: CheckOptions,
): ContactValues {
  const checked = checkContactValues(input, catalogue, options);
  if (checked.ok) return checked.values;
  const fieldErrors: Record<string, string[]> = {};
  for (const problem of checked.problems) (fieldErrors[problem.field] ??= []).push(problem.message);
  const [first] = checked.problems;
  const code = checked.problems.some((p) => p.code === 'SPECIAL_CATEGORY_DATA') ? 'SPECIAL_CATEGORY_DATA' : 'INVALID_FIELD_VALUES';
  throw new AppError(code, checked.problems.map((p) => p.message).join('; '), first?.field, fieldErrors);
}

/** The staff form's shape (camelCase built-ins, catalogue fields by key) as field-keyed values. */
export const formValues = (input: {
  email: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  phone?: string | undefined;
  organization?: string | undefined;
  attributes: Record<string, string>;
}): Record<string, string | undefined> => ({
  ...input.attributes,
  email: input.email,
  first_name: input.firstName,
  last_name: input.lastName,
  phone: input.phone,
  organization: input.organization,
});

/** A new contact with its provenance; its free-text values are sealed for it. */
export async function createContactRecord(
  tx: Tx,
  id: string,
  values: ContactValues,
  sealing: FieldSealing,
  provenance: ProvenanceInput,
): Promise<void> {
  await tx.contact.create({ data: { id, ...contactColumns(values, id, sealing) } });
  await tx.provenance.createMany({
    data: [null, ...keysWithValues(values)].map((field) => ({ contactId: id, field, ...provenance })),
  });
}

/**
 * Changed fields of an existing contact, each with its provenance; returns the keys that changed.
 * `before` is the stored contact in clear text (`storedValues`); free text is sealed again.
 */
export async function updateContactRecord(
  tx: Tx,
  id: string,
  before: Record<string, string | null>,
  values: ContactValues,
  sealing: FieldSealing,
  provenance: ProvenanceInput,
): Promise<string[]> {
  const after = valuesByKey(values);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changed = [...keys].filter((key) => (before[key] ?? null) !== (after[key] ?? null));
  if (changed.length === 0) return [];
  // A corrected address is not known to bounce: the hard-bounce mark belonged to the old one (Art. 5(1)(d)).
  const undeliverable = changed.includes('email') ? { emailUndeliverableAt: null } : {};
  await tx.contact.update({ where: { id }, data: { ...contactColumns(values, id, sealing), ...undeliverable } });
  await tx.provenance.createMany({ data: changed.map((field) => ({ contactId: id, field, ...provenance })) });
  return changed;
}

const valuesByKey = (values: ContactValues): Record<string, string | null> => ({
  email: values.email,
  first_name: values.firstName,
  last_name: values.lastName,
  phone: values.phone,
  organization: values.organization,
  ...values.attributes,
});
