import { Prisma, type Db } from '@zweck/db';
import { z } from 'zod';
import { compileSegment, type CompileOptions } from './compile.ts';
import { ZSegmentDefinition, type SegmentDefinition } from './definition.ts';

/** The database, or a transaction of it. */
export type SegmentDb = Db | Prisma.TransactionClient;

/** A segment ID (a saved segment) or a definition (the builder's unsaved draft). */
export type SegmentRef = string | SegmentDefinition;

export class SegmentNotFoundError extends Error {
  override readonly name = 'SegmentNotFoundError';
  constructor(readonly segmentId: string) {
    super(`segment ${segmentId} does not exist`);
  }
}

/** Largest page of `listSegmentMembers`. */
export const MAX_PAGE_SIZE = 10_000;

const ZUuid = z.uuid();

/** A saved segment's definition, validated (a stored definition that no longer parses is an error, not an empty segment). */
export async function readSegmentDefinition(db: SegmentDb, segmentId: string): Promise<SegmentDefinition> {
  if (!ZUuid.safeParse(segmentId).success) throw new SegmentNotFoundError(segmentId);
  const row = await db.segment.findUnique({ where: { id: segmentId }, select: { definition: true } });
  if (!row) throw new SegmentNotFoundError(segmentId);
  return ZSegmentDefinition.parse(row.definition);
}

const resolve = async (db: SegmentDb, ref: SegmentRef): Promise<SegmentDefinition> =>
  typeof ref === 'string' ? readSegmentDefinition(db, ref) : ZSegmentDefinition.parse(ref);

export interface MemberPage extends CompileOptions {
  /** The last ID of the previous page; absent for the first page. */
  afterContactId?: string | undefined;
  /** At most this many IDs, 1 to MAX_PAGE_SIZE. */
  limit: number;
}

/**
 * One page of a segment's members: contact IDs in ascending order after the cursor (keyset
 * pagination over the primary key), so that a campaign pages through a million contacts with
 * constant cost per page and sees each member once. Pass the last ID of a page as the next
 * `afterContactId`; a page shorter than `limit` is the last.
 */
export async function listSegmentMembers(db: SegmentDb, segment: SegmentRef, page: MemberPage): Promise<string[]> {
  const limit = z.number().int().min(1).max(MAX_PAGE_SIZE).parse(page.limit);
  const after = page.afterContactId === undefined ? undefined : ZUuid.parse(page.afterContactId);
  const where = compileSegment(await resolve(db, segment), page);
  const cursor = after === undefined ? Prisma.empty : Prisma.sql` AND c.id > ${after}::uuid`;
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT c.id::text AS id FROM contact c WHERE ${where}${cursor} ORDER BY c.id LIMIT ${limit}::int`;
  return rows.map((r) => r.id);
}

/** How many contacts the segment holds now. */
export async function countSegment(db: SegmentDb, segment: SegmentRef, options: CompileOptions = {}): Promise<number> {
  const where = compileSegment(await resolve(db, segment), options);
  const [row] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM contact c WHERE ${where}`;
  return row?.n ?? 0;
}
