import { Prisma } from '@zweck/db';
import { ZFieldKey } from '@zweck/policy';
import { ZSegmentDefinition, type Condition, type SegmentDefinition } from './definition.ts';

/**
 * Built-in fields are columns of `contact`; every other catalogue field lives in
 * `contact.attributes`. The column names here are the only identifiers that reach the SQL text;
 * every value, field key of an attribute, purpose and date is a bound parameter.
 */
const BUILTIN_COLUMNS: Record<string, Prisma.Sql> = {
  email: Prisma.raw('c.email'),
  first_name: Prisma.raw('c.first_name'),
  last_name: Prisma.raw('c.last_name'),
  phone: Prisma.raw('c.phone'),
  organization: Prisma.raw('c.organization'),
};

export interface CompileOptions {
  /** The instant "within N days" counts back from; default the database's `now()` (the statement's transaction time). */
  now?: Date;
}

/** The column, or the attribute, a field key names. The key is validated again here: this is the last gate before SQL. */
function fieldExpression(key: string): Prisma.Sql {
  const parsed = ZFieldKey.parse(key);
  return Object.hasOwn(BUILTIN_COLUMNS, parsed) ? BUILTIN_COLUMNS[parsed]! : Prisma.sql`(c.attributes ->> ${parsed}::text)`;
}

/** A LIKE pattern that matches `value` literally: its wildcards and the escape character are escaped. */
const literalPattern = (value: string): string => value.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);

const daysAgo = (now: Prisma.Sql, days: number): Prisma.Sql => Prisma.sql`(${now} - make_interval(days => ${days}::int))`;

function compileCondition(cond: Condition, now: Prisma.Sql): Prisma.Sql {
  switch (cond.type) {
    case 'field': {
      const col = fieldExpression(cond.field);
      const value = cond.value ?? '';
      switch (cond.op) {
        case 'equals':
          return Prisma.sql`lower(${col}) = lower(${value}::text)`;
        case 'not_equals':
          // Without a value the contact is "not equal" too: what a marketer excluding Berlin expects.
          return Prisma.sql`lower(${col}) IS DISTINCT FROM lower(${value}::text)`;
        case 'contains':
          return Prisma.sql`lower(${col}) LIKE ('%' || ${literalPattern(value)}::text || '%')`;
        case 'starts_with':
          return Prisma.sql`lower(${col}) LIKE (${literalPattern(value)}::text || '%')`;
        case 'is_set':
          return Prisma.sql`(${col} IS NOT NULL AND ${col} <> '')`;
        case 'is_not_set':
          return Prisma.sql`(${col} IS NULL OR ${col} = '')`;
      }
      break;
    }
    case 'lifecycle':
      return Prisma.sql`c.lifecycle_stage IN (${Prisma.join(cond.stages.map((s) => Prisma.sql`${s}::"LifecycleStage"`))})`;
    case 'interaction': {
      const since = cond.withinDays === undefined ? Prisma.empty : Prisma.sql` AND i.occurred_at >= ${daysAgo(now, cond.withinDays)}`;
      const matching = Prisma.sql`SELECT 1 FROM interaction i WHERE i.contact_id = c.id AND i.kind = ${cond.kind}::"InteractionKind"${since}`;
      if (cond.op === 'none') return Prisma.sql`NOT EXISTS (${matching})`;
      const count = cond.count ?? 1;
      if (count === 1) return Prisma.sql`EXISTS (${matching})`;
      // Counting stops at `count`: a contact with 10,000 opens costs no more than one with `count`.
      return Prisma.sql`(SELECT count(*) FROM (${matching} LIMIT ${count}::int) AS n) >= ${count}::int`;
    }
    case 'consent': {
      // The latest event of the purpose and channel, as the index (contact_id, occurred_at) serves it.
      // An objection reads as withdrawn, a grant past its expiry as expired. A filter only: the send
      // gate and the preview fold the whole ledger with packages/policy (objections on other
      // purposes, double opt-in, the existing-customer exception) and decide from that.
      const latest = Prisma.sql`(
        SELECT CASE
          WHEN e.kind = 'objected' THEN 'withdrawn'
          WHEN e.kind IN ('granted', 'confirmed') AND e.expires_at IS NOT NULL AND e.expires_at <= ${now} THEN 'expired'
          ELSE e.kind::text
        END
        FROM consent_event e
        WHERE e.contact_id = c.id AND e.purpose_id = ${cond.purposeId}::text AND e.channel = ${cond.channel}::text
        ORDER BY e.occurred_at DESC, e.recorded_at DESC
        LIMIT 1
      )`;
      return Prisma.sql`coalesce(${latest}, 'none') IN (${Prisma.join(cond.status.map((s) => Prisma.sql`${s}::text`))})`;
    }
    case 'created': {
      const parts: Prisma.Sql[] = [];
      if (cond.withinDays !== undefined) parts.push(Prisma.sql`c.created_at >= ${daysAgo(now, cond.withinDays)}`);
      if (cond.olderThanDays !== undefined) parts.push(Prisma.sql`c.created_at < ${daysAgo(now, cond.olderThanDays)}`);
      return Prisma.sql`(${Prisma.join(parts, ' AND ')})`;
    }
  }
}

/**
 * The WHERE fragment of a segment over `contact c`: bound parameters only, never a value in the
 * SQL text. Erased contacts (tombstones, Art. 17) are never members. Use it as
 * `` Prisma.sql`SELECT c.id FROM contact c WHERE ${compileSegment(def)}` ``.
 */
export function compileSegment(definition: SegmentDefinition, options: CompileOptions = {}): Prisma.Sql {
  // Parsed again: a definition read from JSON, or built in code, is checked before it becomes SQL.
  const def = ZSegmentDefinition.parse(definition);
  const now = options.now === undefined ? Prisma.sql`now()` : Prisma.sql`${options.now.toISOString()}::timestamptz`;
  const notErased = Prisma.sql`c.status <> 'erased'::"ContactStatus"`;
  if (def.conditions.length === 0) return notErased;
  const conditions = def.conditions.map((c) => Prisma.sql`(${compileCondition(c, now)})`);
  const joined = Prisma.join(conditions, def.match === 'all' ? ' AND ' : ' OR ');
  return Prisma.sql`${notErased} AND (${joined})`;
}
