import type { AuditEntry } from './audit.ts';

type AuditValue = NonNullable<AuditEntry['details']>[string];

const same = (a: AuditValue, b: AuditValue): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b;

/**
 * The keys whose values differ, with both values, for the audit log: `changed` lists the keys,
 * `<key>.before` and `<key>.after` hold the values. For catalogue records only: they hold no
 * personal data, so their values may be logged in clear.
 */
export function auditDiff<K extends string>(
  before: Record<K, AuditValue>,
  after: Record<K, AuditValue>,
): { changed: K[]; details: NonNullable<AuditEntry['details']> } {
  const changed = (Object.keys(after) as K[]).filter((key) => !same(before[key], after[key]));
  const details: NonNullable<AuditEntry['details']> = { changed };
  for (const key of changed) {
    details[`${key}.before`] = before[key];
    details[`${key}.after`] = after[key];
  }
  return { changed, details };
}
