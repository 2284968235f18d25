import { attributeValues, contactFieldContext, loadFreeTextFieldKeys } from './contact-attributes.ts';
import { createFieldCipher, FieldSealError, type FieldCipher, type FieldKeyRing } from './field-crypto.ts';
import type { Db } from './index.ts';

/*
 * Key rotation for the values sealed with FIELD_ENCRYPTION_KEYS (`pnpm --filter @zweck/db
 * rotate:field-key`). With the new key first in the ring and the old ones behind it, every sealed
 * value not under the current key is opened and sealed again under it, and every clear value of a
 * free-text field (written before encryption existed) is sealed. Afterwards the old key can leave
 * the ring. Batches of rows, each in its own transaction with the rows locked, so that a write by
 * the API in between is neither lost nor overwritten; a second run finds nothing to do. The report
 * holds counts per table and column, never a value.
 */

export interface RotationCounts {
  /** `table.column` */
  target: string;
  /** Values looked at. */
  examined: number;
  /** Sealed under an older key, now under the current one. */
  resealed: number;
  /** Clear text written before encryption, now sealed. */
  sealedFromClear: number;
  /** Already under the current key. */
  unchanged: number;
  /** Sealed values that do not open with this ring (a key is missing, or the value was changed): left as they are. */
  unreadable: number;
}

export interface RotationReport {
  currentKeyId: string;
  counts: RotationCounts[];
}

export interface RotationOptions {
  /** Rows per transaction. */
  batchSize?: number;
}

type Outcome = { kind: 'resealed' | 'sealedFromClear'; value: string } | { kind: 'unchanged' | 'unreadable' };

/** What rotation does to one value in its context. */
function rotateValue(cipher: FieldCipher, value: string, context: string): Outcome {
  if (!cipher.isSealed(value)) return { kind: 'sealedFromClear', value: cipher.seal(value, context) };
  if (cipher.keyIdOf(value) === cipher.currentKeyId) return { kind: 'unchanged' };
  try {
    return { kind: 'resealed', value: cipher.seal(cipher.open(value, context), context) };
  } catch (error) {
    if (error instanceof FieldSealError) return { kind: 'unreadable' };
    throw error;
  }
}

const emptyCounts = (target: string): RotationCounts => ({
  target,
  examined: 0,
  resealed: 0,
  sealedFromClear: 0,
  unchanged: 0,
  unreadable: 0,
});

function tally(counts: RotationCounts, outcome: Outcome): void {
  counts.examined += 1;
  counts[outcome.kind] += 1;
}

/** The free-text values of `contact.attributes` (the catalogue's `free_text` fields). */
async function rotateContactAttributes(db: Db, cipher: FieldCipher, batchSize: number): Promise<RotationCounts> {
  const counts = emptyCounts('contact.attributes');
  const keys = [...(await loadFreeTextFieldKeys(db))];
  if (keys.length === 0) return counts;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const last = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; attributes: unknown }[]>`
        SELECT id::text AS id, attributes FROM contact
        WHERE id > ${after}::uuid AND attributes ?| ${keys}::text[]
        ORDER BY id LIMIT ${batchSize} FOR UPDATE`;
      const ids: string[] = [];
      const patches: string[] = [];
      for (const row of rows) {
        const values = attributeValues(row.attributes);
        const patch: Record<string, string> = {};
        for (const key of keys) {
          const value = values[key];
          if (value === undefined) continue;
          const outcome = rotateValue(cipher, value, contactFieldContext(row.id, key));
          tally(counts, outcome);
          if (outcome.kind === 'resealed' || outcome.kind === 'sealedFromClear') patch[key] = outcome.value;
        }
        if (Object.keys(patch).length > 0) {
          ids.push(row.id);
          patches.push(JSON.stringify(patch));
        }
      }
      // Only the rotated keys change (`||` merges); `updated_at` stays: the person's data did not change.
      if (ids.length > 0) {
        await tx.$executeRaw`
          UPDATE contact c SET attributes = c.attributes || u.patch
          FROM unnest(${ids}::uuid[], ${patches}::jsonb[]) AS u(id, patch) WHERE c.id = u.id`;
      }
      return rows.at(-1)?.id ?? null;
    });
    if (last === null) return counts;
    after = last;
  }
}

/** The second-factor secrets (`user_totp.secret_sealed`, context `user:<userId>:totp`). */
async function rotateTotpSecrets(db: Db, cipher: FieldCipher, batchSize: number): Promise<RotationCounts> {
  const counts = emptyCounts('user_totp.secret_sealed');
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const last = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ userId: string; secret: string }[]>`
        SELECT user_id::text AS "userId", secret_sealed AS secret FROM user_totp
        WHERE user_id > ${after}::uuid ORDER BY user_id LIMIT ${batchSize} FOR UPDATE`;
      const ids: string[] = [];
      const sealed: string[] = [];
      for (const row of rows) {
        const outcome = rotateValue(cipher, row.secret, `user:${row.userId}:totp`);
        tally(counts, outcome);
        if (outcome.kind === 'resealed' || outcome.kind === 'sealedFromClear') {
          ids.push(row.userId);
          sealed.push(outcome.value);
        }
      }
      if (ids.length > 0) {
        await tx.$executeRaw`
          UPDATE user_totp t SET secret_sealed = u.sealed
          FROM unnest(${ids}::uuid[], ${sealed}::text[]) AS u(user_id, sealed) WHERE t.user_id = u.user_id`;
      }
      return rows.at(-1)?.userId ?? null;
    });
    if (last === null) return counts;
    after = last;
  }
}

/** Re-seal everything sealed with the field key ring under its current (first) key; seal clear free text. */
export async function rotateFieldKey(db: Db, ring: FieldKeyRing, options: RotationOptions = {}): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  const cipher = createFieldCipher(ring);
  const counts = [await rotateContactAttributes(db, cipher, batchSize), await rotateTotpSecrets(db, cipher, batchSize)];
  return { currentKeyId: cipher.currentKeyId, counts };
}
