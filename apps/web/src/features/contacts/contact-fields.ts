import type { RouterOutputs } from '../../lib/trpc.ts';

/** A row of the field catalogue (`fields.list`). */
export type CatalogueField = RouterOutputs['fields']['list'][number];
export type FieldType = CatalogueField['type'];

/**
 * The built-in fields are columns of the contact; the API's input names them in camelCase, its
 * field errors and stored values by catalogue key. Every other field is `attributes.<key>`.
 */
export const BUILTIN_FORM_NAMES = {
  email: 'email',
  first_name: 'firstName',
  last_name: 'lastName',
  phone: 'phone',
  organization: 'organization',
} as const;
export type BuiltinKey = keyof typeof BUILTIN_FORM_NAMES;
export const isBuiltinKey = (key: string): key is BuiltinKey => Object.hasOwn(BUILTIN_FORM_NAMES, key);

/** Where the form keeps a field's value: `email`, `firstName`, ..., or `attributes.<key>`. */
export type ValuePath = (typeof BUILTIN_FORM_NAMES)[BuiltinKey] | `attributes.${string}`;
export const valuePathOf = (key: string): ValuePath => (isBuiltinKey(key) ? BUILTIN_FORM_NAMES[key] : `attributes.${key}`);

/** The catalogue key a form path or an API input name stands for (`firstName` -> `first_name`). */
export function fieldKeyOf(path: string): string | null {
  if (path.startsWith('attributes.')) return path.slice('attributes.'.length) || null;
  const builtin = Object.entries(BUILTIN_FORM_NAMES).find(([, name]) => name === path);
  if (builtin) return builtin[0];
  return isBuiltinKey(path) ? path : null;
}

/** "job_title" -> "Job title": the words of a key, for a field the catalogue does not (or no longer) describe. */
export const labelFromKey = (key: string): string => {
  const words = key.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A label inside a sentence: "Last name" -> "last name", but "URL" stays "URL". */
export const inSentence = (text: string): string =>
  text.length > 1 && text.charAt(1) === text.charAt(1).toUpperCase() && /[A-Z]/.test(text.charAt(1))
    ? text
    : text.charAt(0).toLowerCase() + text.slice(1);

/** The catalogue's label of a field, or words made from its key. */
export function labelOf(fields: readonly CatalogueField[] | undefined, key: string): string {
  return fields?.find((f) => f.key === key)?.label ?? labelFromKey(key);
}

/** A reading order for field keys: the built-in fields, then the catalogue's others in its order, then the rest. */
export function fieldOrder(fields: readonly CatalogueField[] | undefined): (key: string) => number {
  const builtins = Object.keys(BUILTIN_FORM_NAMES);
  const others = (fields ?? []).map((f) => f.key).filter((key) => !isBuiltinKey(key));
  const order = [...builtins, ...others];
  return (key) => {
    const index = order.indexOf(key);
    return index === -1 ? order.length : index;
  };
}

/** Keys in reading order (a copy). */
export const inFieldOrder = (keys: readonly string[], fields: readonly CatalogueField[] | undefined): string[] => {
  const rank = fieldOrder(fields);
  return [...keys].sort((a, b) => rank(a) - rank(b));
};

/**
 * The catalogue fields the form offers besides the built-in ones: those that at least one purpose
 * may use (the API refuses the others, Art. 5(1)(b)), plus any the record already holds a value for,
 * so that editing never silently drops a stored value.
 */
export function attributeFields(fields: readonly CatalogueField[], heldKeys: readonly string[] = []): CatalogueField[] {
  return fields.filter((f) => !f.isBuiltin && (f.purposes.length > 0 || heldKeys.includes(f.key)));
}

/** Keys the record holds that the catalogue does not describe (a field that was removed). */
export const uncataloguedKeys = (fields: readonly CatalogueField[], values: Record<string, string | null>): string[] =>
  Object.keys(values).filter((key) => !isBuiltinKey(key) && values[key] && !fields.some((f) => f.key === key));

/** The kind of input for a field type. */
export const INPUT_TYPES: Record<FieldType, 'text' | 'email' | 'tel' | 'date' | 'url' | 'textarea'> = {
  text: 'text',
  free_text: 'textarea',
  email: 'email',
  phone: 'tel',
  date: 'date',
  url: 'url',
};

/** The API's messages start with the field key ("job_title: at most 200 characters"); beside the field the key is noise. */
export const withoutKeyPrefix = (key: string, message: string): string => {
  const prefix = `${key}: `;
  const text = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return text.charAt(0).toUpperCase() + text.slice(1);
};
