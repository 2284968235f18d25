import type { RouterOutputs } from '../../lib/trpc.ts';
import { BUILTIN_FORM_NAMES, labelOf, type CatalogueField } from './contact-fields.ts';

type ContactDetail = RouterOutputs['contacts']['get'];
export type ProvenanceRow = ContactDetail['provenance'][number];

export interface DetailRow {
  key: string;
  label: string;
  value: string;
  type: CatalogueField['type'] | null;
  /** Where the current value came from: the newest provenance entry of the field, or null when none names it. */
  provenance: ProvenanceRow | null;
}

/**
 * Every field with a value, in a reading order: the built-in fields first, then the catalogue's
 * others in catalogue order, then keys the catalogue does not (or no longer) describe. Each with
 * the newest provenance entry for that field (Art. 14(2)(f), 15(1)(g) GDPR).
 */
export function detailRows(
  contact: Pick<ContactDetail, 'values' | 'provenance'>,
  catalogue: readonly CatalogueField[] | undefined,
): DetailRow[] {
  const builtins = Object.keys(BUILTIN_FORM_NAMES);
  const others = (catalogue ?? []).filter((f) => !builtins.includes(f.key)).map((f) => f.key);
  const order = [...builtins, ...others, ...Object.keys(contact.values).filter((k) => !builtins.includes(k) && !others.includes(k))];
  const newest = (key: string): ProvenanceRow | null =>
    contact.provenance
      .filter((p) => p.field === key)
      .reduce<ProvenanceRow | null>(
        (latest, p) => (latest === null || String(p.recordedAt) >= String(latest.recordedAt) ? p : latest),
        null,
      );
  return order.flatMap((key) => {
    const value = contact.values[key];
    if (value === null || value === undefined || value === '') return [];
    return [
      {
        key,
        label: labelOf(catalogue, key),
        value,
        type: catalogue?.find((f) => f.key === key)?.type ?? null,
        provenance: newest(key),
      },
    ];
  });
}
