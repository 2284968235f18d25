import { createHash } from 'node:crypto';
import type { Db } from '@zweck/db';

/** The chain's start: the `prev_hash` of the first row. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

export type AuditChainReport =
  | { ok: true; checked: number }
  | {
      ok: false;
      /** The id of the first row whose link does not hold. */
      brokenAt: string;
      /** Rows checked, the broken one included. */
      checked: number;
      /** `prev_hash`: the row does not point to the row before it (one was removed or changed); `hash`: its content does not match its hash. */
      reason: 'prev_hash' | 'hash';
    };

interface ChainRow {
  id: bigint;
  at: Date;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

const field = (value: string | null): string => (value === null ? '~;' : `${Buffer.byteLength(value, 'utf8')}:${value};`);

/**
 * The row's hash as the database's insert trigger computes it (`zweck_audit_hash` in migration
 * 20261129175000_processors_audit_chain), recomputed here independently: every column, each
 * prefixed with its length in UTF-8 bytes, after the hash of the row before.
 */
export function auditRowHash(row: Omit<ChainRow, 'hash'>): string {
  const canonical =
    field(row.prev_hash) +
    field(row.id.toString()) +
    field(row.at.toISOString()) +
    field(row.actor) +
    field(row.action) +
    field(row.entity_type) +
    field(row.entity_id) +
    field(row.details);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

const PAGE = 2000;

/**
 * Walks the audit log in id order (the order the chain was built in: the trigger draws the id
 * under the chain's lock, held until commit, so committed rows always form a prefix) and reports
 * the first row whose link to the one before, or whose own hash, does not hold. Keyset pages keep
 * memory flat however long the log is. Rows removed at the very end leave no broken link: only a
 * hash kept outside the database (the last one verified) would show that.
 */
export async function verifyAuditChain(db: Pick<Db, '$queryRaw'>): Promise<AuditChainReport> {
  let previousHash = AUDIT_GENESIS_HASH;
  let after = -1n;
  let checked = 0;
  for (;;) {
    // details as jsonb's own text: the same rendering the trigger hashed.
    const rows = await db.$queryRaw<ChainRow[]>`
      SELECT id, at, actor, action, entity_type, entity_id, details::text AS details, prev_hash, hash
      FROM audit_event WHERE id > ${after} ORDER BY id LIMIT ${PAGE}`;
    for (const row of rows) {
      checked += 1;
      if (row.prev_hash !== previousHash) return { ok: false, brokenAt: row.id.toString(), checked, reason: 'prev_hash' };
      if (auditRowHash(row) !== row.hash) return { ok: false, brokenAt: row.id.toString(), checked, reason: 'hash' };
      previousHash = row.hash;
    }
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) break;
    after = last.id;
  }
  return { ok: true, checked };
}
