import type { Db } from './index.ts';
import { FieldSealError, type FieldCipher } from './field-crypto.ts';

/*
 * A contact's catalogue values live in `contact.attributes` (jsonb, field key → text). The values
 * of fields of type `free_text` (notes and the like: whatever staff type about a person) are
 * sealed there with the installation's field cipher (Art. 32(1)(a) GDPR); the other types stay
 * clear because segments, merge tags and duplicates compare them. Every write path seals with
 * `sealContactAttributes`, every read path opens with `openContactAttributes`, and both bind the
 * value to its contact and field (`contact:<contactId>:field:<fieldKey>`), so that a value copied
 * into another row or another field does not open.
 */

/** The GCM additional data of one contact's free-text field value. */
export const contactFieldContext = (contactId: string, fieldKey: string): string => `contact:${contactId}:field:${fieldKey}`;

type KeySet = ReadonlySet<string> | readonly string[];
const toSet = (keys: KeySet): ReadonlySet<string> => (keys instanceof Set ? keys : new Set(keys as readonly string[]));

/** The text values of a stored `attributes` column (anything that is not a string is left out). */
export function attributeValues(stored: unknown): Record<string, string> {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return {};
  return Object.fromEntries(Object.entries(stored).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * The attributes as they are stored: the values of `freeTextKeys` sealed for this contact, the
 * others unchanged. The input holds clear text (a value that merely looks sealed is sealed as text).
 */
export function sealContactAttributes(
  cipher: FieldCipher,
  contactId: string,
  attributes: Readonly<Record<string, string>>,
  freeTextKeys: KeySet,
): Record<string, string> {
  const sealed = toSet(freeTextKeys);
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [
      key,
      sealed.has(key) ? cipher.seal(value, contactFieldContext(contactId, key)) : value,
    ]),
  );
}

/**
 * The attributes in clear text: sealed values of `freeTextKeys` opened for this contact; a clear
 * value written before encryption existed opens as itself (the rotation seals it later). Throws
 * `FieldSealError` (which carries no content) for a value that does not open here: unknown key,
 * changed, or copied from another contact or field.
 */
export function openContactAttributes(
  cipher: FieldCipher,
  contactId: string,
  attributes: unknown,
  freeTextKeys: KeySet,
): Record<string, string> {
  const sealed = toSet(freeTextKeys);
  return Object.fromEntries(
    Object.entries(attributeValues(attributes)).map(([key, value]) => [
      key,
      sealed.has(key) && cipher.isSealed(value) ? openOne(cipher, value, contactId, key) : value,
    ]),
  );
}

function openOne(cipher: FieldCipher, value: string, contactId: string, key: string): string {
  try {
    return cipher.open(value, contactFieldContext(contactId, key));
  } catch (error) {
    if (error instanceof FieldSealError) throw new FieldSealError(error.reason, error.keyId, key);
    throw error;
  }
}

/** The keys of the catalogue's free-text fields: the values that are sealed. */
export async function loadFreeTextFieldKeys(db: Pick<Db, 'fieldDefinition'>): Promise<ReadonlySet<string>> {
  const rows = await db.fieldDefinition.findMany({ where: { type: 'free_text' }, select: { key: true } });
  return new Set(rows.map((r) => r.key));
}
