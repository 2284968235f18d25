import type * as DMMF from '@prisma/dmmf';
import pg from 'pg';

/**
 * Schema drift between schema.prisma and the database its SQL migrations produce, as two sets of
 * comparable facts ("column contact.email text NOT NULL", "fk ... on delete RESTRICT", ...).
 * Written by hand because `prisma migrate diff` needs the native schema engine, which cannot be
 * downloaded here; the Prisma side comes from Prisma's own parser (the WASM getDMMF).
 */
export interface DriftReport {
  onlyInPrisma: string[];
  onlyInDatabase: string[];
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Boolean: 'bool',
  Int: 'int4',
  BigInt: 'int8',
  Float: 'float8',
  Decimal: 'numeric',
  DateTime: 'timestamp(3)',
  Json: 'jsonb',
  Bytes: 'bytea',
};

const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Uuid: () => 'uuid',
  Timestamptz: (args) => `timestamptz(${args[0] ?? '6'})`,
  Timestamp: (args) => `timestamp(${args[0] ?? '6'})`,
  Text: () => 'text',
  Date: () => 'date',
  Char: () => 'bpchar',
};

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
const PRISMA_ON_DELETE: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

/** The facts schema.prisma declares, from Prisma's parsed data model. */
export function factsFromPrisma(datamodel: DMMF.Datamodel): Set<string> {
  const facts = new Set<string>();
  const tableOf = new Map(datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const columnOf = (model: DMMF.Model, field: string): string => model.fields.find((f) => f.name === field)?.dbName ?? field;

  for (const e of datamodel.enums) facts.add(`enum ${e.dbName ?? e.name} = ${e.values.map((v) => v.dbName ?? v.name).join(',')}`);

  for (const model of datamodel.models) {
    const table = model.dbName ?? model.name;
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields && field.relationFromFields.length > 0) {
          const target = datamodel.models.find((m) => m.name === field.type);
          if (!target) continue;
          const from = field.relationFromFields.map((f) => columnOf(model, f)).join(',');
          const to = (field.relationToFields ?? []).map((f) => columnOf(target, f)).join(',');
          const onDelete = PRISMA_ON_DELETE[field.relationOnDelete ?? ''] ?? (field.isRequired ? 'RESTRICT' : 'SET NULL');
          facts.add(`fk ${table}(${from}) -> ${tableOf.get(field.type)}(${to}) on delete ${onDelete}`);
        }
        continue;
      }
      const native = field.nativeType ? NATIVE_TYPES[field.nativeType[0]]?.(field.nativeType[1] as string[]) : undefined;
      const base = field.kind === 'enum' ? field.type : (native ?? SCALAR_TYPES[field.type] ?? `unknown:${field.type}`);
      const type = field.isList ? `${base}[]` : base;
      // Prisma creates list columns nullable.
      const nullable = field.isList || !field.isRequired ? 'NULL' : 'NOT NULL';
      facts.add(`column ${table}.${field.dbName ?? field.name} ${type} ${nullable}`);
    }
  }

  for (const index of datamodel.indexes) {
    const model = datamodel.models.find((m) => m.name === index.model);
    if (!model) continue;
    const table = model.dbName ?? model.name;
    const cols = index.fields.map((f) => columnOf(model, f.name)).join(',');
    const kind = index.type === 'id' ? 'pk' : index.type === 'unique' ? 'unique' : 'index';
    facts.add(`${kind} ${table}(${cols})`);
  }
  return facts;
}

/** The same facts, read from a live database's catalogue. */
export async function factsFromDatabase(databaseUrl: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const facts = new Set<string>();
  try {
    const enums = await client.query<{ name: string; values: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`);
    for (const e of enums.rows) facts.add(`enum ${e.name} = ${e.values.join(',')}`);

    const columns = await client.query<{
      table_name: string;
      column_name: string;
      udt_name: string;
      is_nullable: string;
      datetime_precision: number | null;
    }>(`
      SELECT table_name, column_name, udt_name, is_nullable, datetime_precision
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`);
    for (const c of columns.rows) {
      const isArray = c.udt_name.startsWith('_');
      let type = isArray ? c.udt_name.slice(1) : c.udt_name;
      if (type === 'timestamptz' || type === 'timestamp') type = `${type}(${c.datetime_precision ?? 6})`;
      facts.add(`column ${c.table_name}.${c.column_name} ${type}${isArray ? '[]' : ''} ${c.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}`);
    }

    const indexes = await client.query<{ table: string; is_unique: boolean; is_primary: boolean; columns: string[] }>(`
      SELECT tc.relname AS table, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
             array_agg(a.attname ORDER BY k.ord)::text[] AS columns
      FROM pg_index ix
      JOIN pg_class tc ON tc.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = tc.relnamespace
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = k.attnum
      -- Partial indexes (a WHERE clause, e.g. "one active enrolment per journey and contact") have
      -- no Prisma syntax: they live in the SQL migrations alone, and the drift check skips them.
      WHERE n.nspname = 'public' AND tc.relname <> '_prisma_migrations' AND ix.indpred IS NULL
      GROUP BY ix.indexrelid, tc.relname, ix.indisunique, ix.indisprimary`);
    for (const i of indexes.rows) facts.add(`${i.is_primary ? 'pk' : i.is_unique ? 'unique' : 'index'} ${i.table}(${i.columns.join(',')})`);

    const fks = await client.query<{ table: string; columns: string[]; target: string; target_columns: string[]; on_delete: string }>(`
      SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS target, c.confdeltype AS on_delete,
             ARRAY(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY o)::text[] AS columns,
             ARRAY(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY o)::text[] AS target_columns
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`);
    for (const f of fks.rows) {
      const unquote = (s: string): string => s.replace(/"/g, '');
      facts.add(
        `fk ${unquote(f.table)}(${f.columns.join(',')}) -> ${unquote(f.target)}(${f.target_columns.join(',')}) on delete ${FK_ACTIONS[f.on_delete] ?? f.on_delete}`,
      );
    }
  } finally {
    await client.end();
  }
  return facts;
}

export function compareFacts(prisma: Set<string>, database: Set<string>): DriftReport {
  return {
    onlyInPrisma: [...prisma].filter((f) => !database.has(f)).sort(),
    onlyInDatabase: [...database].filter((f) => !prisma.has(f)).sort(),
  };
}
