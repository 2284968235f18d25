import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';

export * from './generated/prisma/client.ts';
export type * from './generated/prisma/models.ts';

export type Db = PrismaClient;

export interface DbOptions {
  /** Largest number of pooled connections for this process. */
  maxConnections?: number;
}

/** One Prisma client (Rust-free, over node-postgres) per process; the caller owns its lifetime. */
export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}

/** Postgres error codes the callers branch on. */
export const PG_UNIQUE_VIOLATION = 'P2002';

/**
 * True when a Prisma error is a unique-constraint violation, optionally of a constraint whose
 * name or columns contain `column` (e.g. 'email_normalized'). Prisma's driver adapters report
 * the index name; the classic engine reported the fields: both are understood.
 */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as {
    code?: unknown;
    meta?: { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown; index?: unknown } } } };
  };
  if (code !== PG_UNIQUE_VIOLATION) return false;
  if (column === undefined) return true;
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  const names = [constraint?.index, constraint?.fields, meta?.target].flat().filter((n): n is string => typeof n === 'string');
  return names.some((name) => name.includes(column));
}

export { normalizeEmail, suppressionHash } from './suppression.ts';
export { openRequester, requesterHash, sealRequester } from './dsr-requester.ts';
export { createFieldCipher, FieldSealError, searchHash, ZFieldKeys, type FieldCipher, type FieldKeyRing } from './field-crypto.ts';
export {
  attributeValues,
  contactFieldContext,
  loadFreeTextFieldKeys,
  openContactAttributes,
  sealContactAttributes,
} from './contact-attributes.ts';
export { rotateFieldKey, type RotationCounts, type RotationReport } from './field-rotation.ts';

/**
 * The consent ledger as packages/policy folds it: the fields that decide, in ledger order (time,
 * then recording order, then ID for ties). Every reader that folds the ledger uses these arguments, so
 * that the API, the activities and the unsubscribe endpoint fold the same events the same way.
 */
export const LEDGER_FOLD_ARGS = {
  select: { purposeId: true, channel: true, kind: true, occurredAt: true, expiresAt: true, method: true },
  // The ID last: events of one transaction share recorded_at, and the order must not depend on the plan
  // (the consent_state projection folds in this same order).
  orderBy: [{ occurredAt: 'asc' }, { recordedAt: 'asc' }, { id: 'asc' }],
} as const satisfies Prisma.ConsentEventFindManyArgs;

export { contactPayloadKeyRows, listenForDestroyedPayloadKeys, PAYLOAD_KEY_DESTROYED_CHANNEL } from './contact-payload-keys.ts';
