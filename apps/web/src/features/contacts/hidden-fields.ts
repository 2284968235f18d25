import { rolesSeeingField, type Purpose, type StaffRole } from '../catalogue/catalogue.schema.ts';
import { BUILTIN_FORM_NAMES, inFieldOrder, labelOf, type CatalogueField } from './contact-fields.ts';

/**
 * The catalogue's fields a role does not see, before any contact exists (the new-contact form):
 * the same rule as the API's `visibleFieldKeys` and the catalogue's "Seen by" column. The API
 * refuses a value for any of them (`FIELD_NOT_VISIBLE`), so the form does not offer them.
 */
export const fieldsHiddenFrom = (
  role: StaffRole,
  catalogue: readonly Pick<CatalogueField, 'key'>[],
  purposes: readonly Pick<Purpose, 'fields' | 'staffRoles'>[],
): string[] =>
  // The built-in fields count even when the field catalogue could not be loaded: the form shows them anyway.
  [...new Set([...Object.keys(BUILTIN_FORM_NAMES), ...catalogue.map((f) => f.key)])].filter(
    (key) => !rolesSeeingField(key, purposes).includes(role),
  );

/**
 * What the API withheld from the caller's role (field-level need-to-know): it names the keys only;
 * the labels come from the field catalogue the page already loads.
 */
export function hiddenFieldsNote(
  hiddenFields: readonly string[],
  catalogue: readonly CatalogueField[] | undefined,
): { title: string; labels: string[] } | null {
  if (hiddenFields.length === 0) return null;
  const n = hiddenFields.length;
  return {
    title: `${n} ${n === 1 ? 'field is' : 'fields are'} not shown to your role`,
    labels: inFieldOrder(hiddenFields, catalogue).map((key) => labelOf(catalogue, key)),
  };
}
