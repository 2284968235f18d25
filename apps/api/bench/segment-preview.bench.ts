// How long a segment preview takes over N contacts (default a million) with mixed ledgers: the
// grouped preview (consent-state projection, one query, the policy once per distinct fact tuple).
// The N contacts are seeded once into a dedicated database (`zweck_bench_segments_<N>`) and
// reused by later runs; BENCH_SEGMENTS_RESEED=1 seeds afresh. BENCH_SEGMENTS_EXACT=1 also runs the
// member-by-member path (`previewSegmentExact`: slow, ~1.5 s per 10,000 members) on the smallest
// segment and checks that both agree. Needs PostgreSQL (`bash infra/services.sh start`).
// Run: pnpm --filter @zweck/api bench:segments [N]
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { createDb, Prisma, suppressionHash, type Db } from '@zweck/db';
import { refreshAddressHashes, subjectFactsQuery } from '@zweck/decision-facts';
import { migrate } from '@zweck/db/migrate';
import { seedCatalogue } from '@zweck/db/seed';
import { withDatabase } from '@zweck/db/testing';
import { compileSegment, countSegment, type SegmentDefinition } from '@zweck/segments';
import { previewSegment, previewSegmentExact } from '../src/routers/segments/segment-preview.ts';

const n = Number(process.argv[2] ?? 1_000_000);
if (!Number.isInteger(n) || n < 1) throw new Error(`N must be a positive integer, not ${process.argv[2]}`);
const serverUrl = process.env.ZWECK_PG_SERVER_URL ?? `postgresql://zweck@127.0.0.1:${process.env.ZWECK_PG_PORT ?? '54329'}/postgres`;
/** Fixed, so that the reused database's hashes stay valid: a bench key, not an installation's. */
const suppressionKey = 'bench-segment-preview-'.padEnd(64, '0');
const dbName = `zweck_bench_segments_${n}`;
const url = withDatabase(serverUrl, dbName);

const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
};
const fmt = (ms: number) => `${Math.round(ms).toLocaleString('en')} ms`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Ledgers by bucket (a hash of the contact's ID, 0 to 39) for the newsletter (double opt-in):
 * 55% confirmed, 5% granted by web form (double opt-in pending), 2.5% granted in person,
 * 5% withdrawn, 2.5% objected, 2.5% granted with an expiry passed, 2.5% granted until 2030,
 * 2.5% expired by an event, 22.5% nothing. A quarter granted product updates; 2% objected there
 * (which ends the newsletter too). 2% restricted, 0.5% erasure pending, 0.5% erased, 1% bounced,
 * 1% on the suppression list.
 */
async function seed(db: Db): Promise<void> {
  await seedCatalogue(db);
  await db.$executeRaw`
    INSERT INTO contact (id, email, email_normalized, organization, attributes, status, lifecycle_stage, email_undeliverable_at, created_at, updated_at)
    SELECT gen_random_uuid(), 'p' || i || '@bench.test', 'p' || i || '@bench.test', 'Org ' || (i % 500),
           jsonb_build_object('city', (ARRAY['Berlin','Hamburg','München','Köln','Bonn'])[1 + i % 5]),
           (CASE WHEN i % 50 = 7 THEN 'restricted' WHEN i % 200 = 11 THEN 'erasure_pending' WHEN i % 200 = 13 THEN 'erased' ELSE 'active' END)::"ContactStatus",
           (ARRAY['subscriber','lead','customer'])[1 + i % 3]::"LifecycleStage",
           CASE WHEN i % 100 = 3 THEN now() END,
           now() - make_interval(days => i % 700), now()
    FROM generate_series(1, ${n}::int) AS i`;
  // One statement, so that the projection's trigger recomputes once for the whole ledger.
  await db.$executeRaw`
    INSERT INTO consent_event (id, contact_id, purpose_id, channel, kind, occurred_at, expires_at, method, source, actor)
    SELECT gen_random_uuid(), c.id, e.purpose_id, 'email', e.kind::"ConsentEventKind",
           timestamptz '2026-01-01' + make_interval(mins => e.minute), e.expires_at::timestamptz, e.method::"ConsentMethod", 'bench', 'system:bench'
    FROM (SELECT id, abs(hashtext(id::text)) % 40 AS b, abs(hashtext(id::text || 'o')) % 100 AS o FROM contact) AS c
    JOIN (VALUES
      (ARRAY(SELECT generate_series(0, 23)) || ARRAY[25, 26, 27, 30], 'newsletter', 'granted', 0, NULL, 'web_form', false),
      (ARRAY(SELECT generate_series(0, 21)) || ARRAY[25, 26, 27], 'newsletter', 'confirmed', 1, NULL, 'double_opt_in', false),
      (ARRAY[25, 26], 'newsletter', 'withdrawn', 2, NULL, 'one_click_unsubscribe', false),
      (ARRAY[27], 'newsletter', 'objected', 2, NULL, 'preference_center', false),
      (ARRAY[24], 'newsletter', 'granted', 0, NULL, 'in_person', false),
      (ARRAY[28], 'newsletter', 'granted', 0, '2026-06-01', 'web_form', false),
      (ARRAY[29], 'newsletter', 'granted', 0, '2030-01-01', 'double_opt_in', false),
      (ARRAY[30], 'newsletter', 'expired', 3, NULL, 'web_form', false),
      (ARRAY[0, 4, 8, 12, 16, 20, 24, 28, 32, 36], 'product_updates', 'granted', 0, NULL, 'double_opt_in', false),
      (ARRAY(SELECT generate_series(0, 39)), 'product_updates', 'objected', 5, NULL, 'preference_center', true)
    ) AS e(buckets, purpose_id, kind, minute, expires_at, method, objectors_only)
      ON c.b = ANY(e.buckets) AND (NOT e.objectors_only OR c.o < 2)`;
  await db.$executeRaw`
    INSERT INTO interaction (contact_id, kind, occurred_at)
    SELECT id, 'opened', now() - make_interval(days => (abs(hashtext(id::text)) % 200)) FROM contact WHERE abs(hashtext(id::text)) % 3 = 0`;
  const suppressed = await db.$queryRaw<{ email: string }[]>`SELECT email FROM contact WHERE abs(hashtext(id::text || 's')) % 100 = 0`;
  await db.suppressionEntry.createMany({
    data: suppressed.map((s) => ({ addressHash: suppressionHash(suppressionKey, s.email), reason: 'bench' })),
  });
}

/** The dedicated database, seeded unless a complete earlier seed is there. */
async function prepare(): Promise<Db> {
  const admin = createDb(withDatabase(serverUrl, 'postgres'), { maxConnections: 1 });
  try {
    const exists = (await admin.$queryRaw<unknown[]>`SELECT 1 FROM pg_database WHERE datname = ${dbName}`).length === 1;
    // The name is built from a number above, never from input text.
    if (exists && process.env.BENCH_SEGMENTS_RESEED === '1') await admin.$executeRawUnsafe(`DROP DATABASE "${dbName}" WITH (FORCE)`);
    if (!exists || process.env.BENCH_SEGMENTS_RESEED === '1') await admin.$executeRawUnsafe(`CREATE DATABASE "${dbName}"`);
  } finally {
    await admin.$disconnect();
  }
  await migrate(url);
  const db = createDb(url, { maxConnections: 4 });
  const [contacts, entries] = await Promise.all([db.contact.count(), db.suppressionEntry.count()]);
  if (contacts === n && entries > 0) {
    console.log(`reusing ${dbName} (${n.toLocaleString('en')} contacts)`);
    return db;
  }
  if (contacts > 0) throw new Error(`${dbName} holds an incomplete seed: run again with BENCH_SEGMENTS_RESEED=1`);
  const [, seedMs] = await time(() => seed(db));
  const [, vacuumMs] = await time(() => db.$executeRawUnsafe('VACUUM ANALYZE'));
  console.log(`seeded ${dbName} in ${fmt(seedMs)} (vacuum and analyze ${fmt(vacuumMs)})`);
  return db;
}

const segments: [string, SegmentDefinition][] = [
  ['everyone', { version: 1, match: 'all', conditions: [] }],
  ['city = Berlin', { version: 1, match: 'all', conditions: [{ type: 'field', field: 'city', op: 'equals', value: 'Berlin' }] }],
  [
    'lead|customer, opened in 90 days, city != Bonn',
    {
      version: 1,
      match: 'all',
      conditions: [
        { type: 'lifecycle', stages: ['lead', 'customer'] },
        { type: 'interaction', kind: 'opened', op: 'at_least', withinDays: 90 },
        { type: 'field', field: 'city', op: 'not_equals', value: 'Bonn' },
      ],
    },
  ],
];

console.log(`load average at start (1, 5, 15 min): ${load()}`);
const db = await prepare();
try {
  const counts = await db.$queryRaw<{ events: number; states: number; objections: number; suppressed: number }[]>`
    SELECT (SELECT count(*)::int FROM consent_event) AS events, (SELECT count(*)::int FROM consent_state) AS states,
           (SELECT count(*)::int FROM consent_objection) AS objections, (SELECT count(*)::int FROM suppression_entry) AS suppressed`;
  console.log(`ledger ${JSON.stringify(counts[0])}`);
  const [hashed, hashMs] = await time(() => refreshAddressHashes(db, suppressionKey));
  console.log(`address hashes: ${hashed.toLocaleString('en')} computed in ${fmt(hashMs)} (once per new or changed address)`);

  const input = (definition: SegmentDefinition) => ({ definition, purposeId: 'newsletter', channel: 'email' as const });
  for (const [name, definition] of segments) {
    const [count, countMs] = await time(() => countSegment(db, definition));
    const runs: number[] = [];
    let preview = await previewSegment(db, suppressionKey, input(definition));
    for (let i = 0; i < 3; i++) {
      const [p, ms] = await time(() => previewSegment(db, suppressionKey, input(definition)));
      preview = p;
      runs.push(ms);
    }
    const excluded = preview.excluded.map((e) => `${e.count.toLocaleString('en')} ${e.code}`).join(', ');
    console.log(`\n[${name}] ${count.toLocaleString('en')} members (count alone ${fmt(countMs)})`);
    console.log(`  preview ${runs.map(fmt).join(', ')} (3 runs after a warm-up): ${preview.reachable.toLocaleString('en')} reachable`);
    console.log(`  excluded: ${excluded}`);
    // Where the time goes: the plan of the one pass, as the preview runs it (JIT off, as there).
    const plan = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL jit = off`;
      const sql = subjectFactsQuery(compileSegment(definition, { now: new Date() }), {
        purposeId: 'newsletter',
        channel: 'email',
        now: new Date(),
      });
      return tx.$queryRaw<{ 'QUERY PLAN': string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
    });
    console.log(plan.map((row) => `    ${row['QUERY PLAN']}`).join('\n'));
  }

  if (process.env.BENCH_SEGMENTS_EXACT === '1') {
    const [name, definition] = segments.at(-1)!;
    const now = new Date();
    const [grouped, groupedMs] = await time(() => previewSegment(db, suppressionKey, input(definition), now));
    const [exact, exactMs] = await time(() => previewSegmentExact(db, suppressionKey, input(definition), now));
    console.log(
      `\n[${name}] member by member ${fmt(exactMs)}, grouped ${fmt(groupedMs)}: ${isDeepStrictEqual(grouped, exact) ? 'equal' : 'DIFFERENT'}`,
    );
    if (!isDeepStrictEqual(grouped, exact)) process.exitCode = 1;
  }
} finally {
  await db.$disconnect();
}
console.log(`\nload average at end (1, 5, 15 min): ${load()}`);
