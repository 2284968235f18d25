// How long a segment preview takes (exact: every member decided by the policy), for N contacts
// on a fresh test database, and where the time goes. Needs PostgreSQL (`bash infra/services.sh start`).
// Run: pnpm --filter @zweck/api exec tsx bench/segment-preview.bench.ts [N ...]   (default 10000 100000)
import { randomBytes } from 'node:crypto';
import { createDb, Prisma, suppressionHash, type Db } from '@zweck/db';
import { readSubjects } from '@zweck/decision-facts';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase } from '@zweck/db/testing';
import { countSegment, listSegmentMembers, type SegmentDefinition } from '@zweck/segments';
import { PREVIEW_PAGE_SIZE, previewSegment } from '../src/routers/segments/segment-preview.ts';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const N_LIST = sizes.length > 0 ? sizes : [10_000, 100_000];
const serverUrl = process.env.ZWECK_PG_SERVER_URL ?? `postgresql://zweck@127.0.0.1:${process.env.ZWECK_PG_PORT ?? '54329'}/postgres`;
const suppressionKey = randomBytes(32).toString('hex');

/** N contacts with a realistic mix: 55% confirmed, 10% pending double opt-in, 10% withdrawn, 5% objected, 20% no consent; 2% restricted, 1% suppressed, 1% bounced. */
async function seed(db: Db, n: number): Promise<void> {
  await db.$executeRaw`
    INSERT INTO contact (id, email, email_normalized, organization, attributes, status, lifecycle_stage, email_undeliverable_at, created_at, updated_at)
    SELECT gen_random_uuid(), 'p' || i || '@bench.test', 'p' || i || '@bench.test', 'Org ' || (i % 500),
           jsonb_build_object('city', (ARRAY['Berlin','Hamburg','München','Köln','Bonn'])[1 + i % 5]),
           (CASE WHEN i % 50 = 7 THEN 'restricted' ELSE 'active' END)::"ContactStatus",
           (ARRAY['subscriber','lead','customer'])[1 + i % 3]::"LifecycleStage",
           CASE WHEN i % 100 = 3 THEN now() END,
           now() - make_interval(days => i % 700), now()
    FROM generate_series(1, ${n}::int) AS i`;
  const events = (kind: string, minute: number, where: Prisma.Sql) => db.$executeRaw`
    INSERT INTO consent_event (id, contact_id, purpose_id, channel, kind, occurred_at, method, source, actor)
    SELECT gen_random_uuid(), c.id, 'newsletter', 'email', ${kind}::"ConsentEventKind",
           timestamptz '2026-01-01' + make_interval(mins => ${minute}::int), 'web_form', 'bench', 'system:bench'
    FROM (SELECT id, abs(hashtext(id::text)) % 20 AS b FROM contact) AS c WHERE ${where}`;
  await events('granted', 0, Prisma.sql`c.b < 16`);
  await events('confirmed', 1, Prisma.sql`c.b < 11 OR c.b >= 13`);
  await events('withdrawn', 2, Prisma.sql`c.b IN (13, 14)`);
  await events('objected', 3, Prisma.sql`c.b = 15`);
  await db.$executeRaw`
    INSERT INTO interaction (contact_id, kind, occurred_at)
    SELECT id, 'opened', now() - make_interval(days => (abs(hashtext(id::text)) % 200)) FROM contact WHERE abs(hashtext(id::text)) % 3 = 0`;
  const suppressed = await db.$queryRaw<{ email: string }[]>`SELECT email FROM contact WHERE abs(hashtext(id::text)) % 100 = 0`;
  await db.suppressionEntry.createMany({
    data: suppressed.map((s) => ({ addressHash: suppressionHash(suppressionKey, s.email), reason: 'bench' })),
  });
  await db.$executeRaw`ANALYZE`;
}

const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
};
const fmt = (ms: number) => `${Math.round(ms).toLocaleString('en')} ms`;

const everyone: SegmentDefinition = { version: 1, match: 'all', conditions: [] };
const typical: SegmentDefinition = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'lifecycle', stages: ['lead', 'customer'] },
    { type: 'interaction', kind: 'opened', op: 'at_least', withinDays: 90 },
    { type: 'field', field: 'city', op: 'not_equals', value: 'Bonn' },
  ],
};

for (const n of N_LIST) {
  const database = await createTestDatabase(serverUrl, 'bench');
  const db = createDb(database.url, { maxConnections: 4 });
  try {
    await seedCatalogue(db);
    const [, seedMs] = await time(() => seed(db, n));
    console.log(`\n${n.toLocaleString('en')} contacts (seeded in ${fmt(seedMs)}), page size ${PREVIEW_PAGE_SIZE}`);
    for (const [name, def] of [
      ['everyone', everyone],
      ['lead|customer, opened in 90 days, city != Bonn', typical],
    ] as const) {
      const [count, countMs] = await time(() => countSegment(db, def));
      // Where the time goes: the member pages alone, then the batched reader alone.
      const [ids, listMs] = await time(async () => {
        const all: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await listSegmentMembers(db, def, { afterContactId: after, limit: PREVIEW_PAGE_SIZE });
          all.push(...page);
          if (page.length < PREVIEW_PAGE_SIZE) return all;
          after = page.at(-1);
        }
      });
      const [, readMs] = await time(async () => {
        for (let i = 0; i < ids.length; i += PREVIEW_PAGE_SIZE) await readSubjects(db, suppressionKey, ids.slice(i, i + PREVIEW_PAGE_SIZE));
      });
      const [preview, previewMs] = await time(() =>
        previewSegment(db, suppressionKey, { definition: def, purposeId: 'newsletter', channel: 'email' }),
      );
      const excluded = preview.excluded.map((e) => `${e.count} ${e.code}`).join(', ');
      console.log(`  [${name}] count ${count.toLocaleString('en')} in ${fmt(countMs)}`);
      console.log(`    preview ${fmt(previewMs)}: ${preview.reachable.toLocaleString('en')} reachable; excluded ${excluded}`);
      console.log(
        `    of which: member pages ${fmt(listMs)}, readSubjects ${fmt(readMs)}, fold + evaluate ~${fmt(previewMs - listMs - readMs)}`,
      );
    }
    // What SQL alone costs for a per-contact consent state (the latest ledger event, as a
    // projection table would hold it): the lower bound of a preview that groups in the database.
    const consentDef: SegmentDefinition = {
      version: 1,
      match: 'all',
      conditions: [{ type: 'consent', purposeId: 'newsletter', channel: 'email', status: ['confirmed', 'granted'] }],
    };
    const [consentCount, consentMs] = await time(() => countSegment(db, consentDef));
    console.log(
      `  [consent state per contact in SQL (latest ledger event)] count ${consentCount.toLocaleString('en')} in ${fmt(consentMs)}`,
    );
  } finally {
    await db.$disconnect();
    await database.drop();
  }
}
