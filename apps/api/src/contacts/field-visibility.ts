import type { Db, Role } from '@zweck/db';
import { AppError } from '../trpc/errors.ts';

/*
 * Field-level need-to-know (Art. 5(1)(c), 5(1)(f), 32(1)(b) GDPR; OWASP ASVS 5 V8.2.3). Each purpose
 * of the catalogue names the staff roles whose daily work serves it (`purpose.staff_roles`) and the
 * fields it may use (`purpose_field`). A role sees the fields of the purposes it works for, plus
 * the e-mail address that identifies a record; the DPO (who answers access requests and proves
 * every processing) and administrators see every field. Every output that carries a contact's
 * field values passes through `redactContact` (or filters by `isFieldVisible`), and a write of a
 * field the role cannot see is refused (`assertFieldsWritable`).
 */

/** The fields a role may see: every field, or these keys. */
export type VisibleFields = ReadonlySet<string> | 'all';

/** Roles that see every field of every contact they may open. */
export const ALL_FIELD_ROLES: ReadonlySet<Role> = new Set<Role>(['admin', 'dpo']);

/** The key every role sees: it names the record (and the contact list searches by it). */
export const ALWAYS_VISIBLE_FIELD = 'email';

/**
 * The built-in fields and the columns of `contact` (and of views built from it) that carry their
 * values; the phone's normalised form goes with the phone. Every other field lives in `attributes`.
 */
const FIELD_COLUMNS = {
  email: ['email'],
  first_name: ['firstName'],
  last_name: ['lastName'],
  phone: ['phone', 'phoneE164'],
  organization: ['organization'],
} as const satisfies Record<string, readonly string[]>;

/** Columns that may be withheld: every built-in field's but the e-mail address, which every role sees. */
type FieldColumn = Exclude<(typeof FIELD_COLUMNS)[keyof typeof FIELD_COLUMNS][number], 'email'>;

/** The keys of `visible` a role sees: 'all' for admin and dpo, else the fields of the purposes it works for, plus e-mail. */
export async function visibleFieldKeys(db: Pick<Db, 'purposeField'>, role: Role): Promise<VisibleFields> {
  if (ALL_FIELD_ROLES.has(role)) return 'all';
  const rows = await db.purposeField.findMany({
    where: { purpose: { staffRoles: { has: role } } },
    select: { fieldKey: true },
    distinct: ['fieldKey'],
  });
  return new Set([ALWAYS_VISIBLE_FIELD, ...rows.map((r) => r.fieldKey)]);
}

/** Every key of the field catalogue: what `hiddenFields` of a single contact's view is measured against. */
export async function catalogueFieldKeys(db: Pick<Db, 'fieldDefinition'>): Promise<string[]> {
  return (await db.fieldDefinition.findMany({ select: { key: true } })).map((f) => f.key);
}

export const isFieldVisible = (visible: VisibleFields, key: string): boolean =>
  visible === 'all' || key === ALWAYS_VISIBLE_FIELD || visible.has(key);

/** Of `keys` (e.g. the field catalogue's), those the role does not see, sorted. */
export const hiddenFields = (keys: Iterable<string>, visible: VisibleFields): string[] =>
  visible === 'all' ? [] : [...new Set(keys)].filter((key) => !isFieldVisible(visible, key)).sort();

/** A view of a contact with the columns of withheld fields left out, and the withheld keys named. */
export type Redacted<T> = Omit<T, Extract<keyof T, FieldColumn>> &
  Partial<Pick<T, Extract<keyof T, FieldColumn>>> & { hiddenFields: string[] };

const onlyVisible = <V>(record: Readonly<Record<string, V>>, visible: VisibleFields): Record<string, V> =>
  Object.fromEntries(Object.entries(record).filter(([key]) => isFieldVisible(visible, key)));

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The view without the built-in columns of withheld fields, without withheld keys in `values`
 * and `attributes` (field-keyed records), and without the `provenance` entries of withheld fields. `hiddenFields` names the withheld keys: those of
 * `catalogueKeys` when given (so that the answer is the same whether or not a contact has a value,
 * and says nothing about it), else those the view carried.
 */
export function redactContact<T extends object>(view: T, visible: VisibleFields, catalogueKeys?: Iterable<string>): Redacted<T> {
  const carried = new Set<string>();
  const out: Record<string, unknown> = { ...(view as Record<string, unknown>) };
  for (const [key, columns] of Object.entries(FIELD_COLUMNS)) {
    if (isFieldVisible(visible, key)) continue;
    for (const column of columns) {
      if (column in out) {
        carried.add(key);
        delete out[column];
      }
    }
  }
  for (const name of ['values', 'attributes'] as const) {
    const record = out[name];
    if (!isRecord(record)) continue;
    for (const key of Object.keys(record)) if (!isFieldVisible(visible, key)) carried.add(key);
    out[name] = onlyVisible(record, visible);
  }
  // Provenance names a field only where the person has a value for it: a withheld field's entries would tell.
  const provenance = out.provenance;
  if (Array.isArray(provenance)) {
    out.provenance = provenance.filter((entry: unknown) => {
      const field = isRecord(entry) ? entry.field : null;
      return typeof field !== 'string' || isFieldVisible(visible, field);
    });
  }
  const hidden = catalogueKeys === undefined ? [...carried].sort() : hiddenFields([...catalogueKeys, ...carried], visible);
  return { ...out, hiddenFields: hidden } as Redacted<T>;
}

/**
 * Refuses a write of a field the role cannot see (it could not check what it overwrites, and
 * would learn by the answer what is stored). `submitted` is field-keyed; empty values count as
 * absent. Throws `FIELD_NOT_VISIBLE` naming the first such field; nothing has been written yet.
 */
export function assertFieldsWritable(submitted: Readonly<Record<string, string | null | undefined>>, visible: VisibleFields): void {
  if (visible === 'all') return;
  const refused = Object.entries(submitted)
    .filter(([key, value]) => typeof value === 'string' && value.trim() !== '' && !isFieldVisible(visible, key))
    .map(([key]) => key)
    .sort();
  const [first] = refused;
  if (first === undefined) return;
  throw new AppError(
    'FIELD_NOT_VISIBLE',
    `${refused.join(', ')}: your role does not work for a purpose that uses ${refused.length === 1 ? 'this field' : 'these fields'}, so it cannot change ${refused.length === 1 ? 'it' : 'them'} (need-to-know, Art. 32 GDPR).`,
    first,
    Object.fromEntries(refused.map((key) => [key, [`${key}: not visible to your role`]])),
  );
}

/**
 * The values an update writes: what the role submitted for the fields it sees, and the stored
 * values of the fields it does not see, unchanged (the form never showed them, so their absence
 * is not a deletion).
 */
export function keepHiddenValues(
  submitted: Readonly<Record<string, string | null | undefined>>,
  stored: Readonly<Record<string, string | null>>,
  visible: VisibleFields,
): Record<string, string | null | undefined> {
  if (visible === 'all') return { ...submitted };
  const kept = Object.fromEntries(Object.entries(stored).filter(([key]) => !isFieldVisible(visible, key)));
  return { ...onlyVisible(submitted, visible), ...kept };
}
