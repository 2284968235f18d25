// The grouped preview (consent-state projection, the policy once per distinct fact tuple) against
// the member-by-member preview (every ledger folded, every member decided) on a mixed population
// that produces every reason code a send preview can give, before and after the ledger, the
// addresses and the suppression list change.
import { randomUUID } from 'node:crypto';
import { createDb, suppressionHash, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { ZChannel, ZConsentMethod, type Channel } from '@zweck/policy';
import type { SegmentDefinition } from '@zweck/segments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS_UNDELIVERABLE, previewSegment, previewSegmentExact } from './segment-preview.ts';

const serverUrl = process.env.ZWECK_PG_SERVER_URL;
if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh (it starts PostgreSQL)');

const KEY = 'preview-test-key-'.padEnd(64, '7');
const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAY = 86_400_000;

/** A small deterministic generator (mulberry32), so that a failure can be run again as it was. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(20261129);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const chance = (p: number): boolean => rnd() < p;

let database: TestDatabase;
let db: Db;
const ids: string[] = [];

/** Purposes with every rule the preview can meet: double opt-in, none, legitimate interest with and without a balancing test. */
const PURPOSES = ['newsletter', 'email_tracking', 'customer_relationship', 'li_untested'] as const;
const KINDS = ['granted', 'granted', 'confirmed', 'withdrawn', 'expired', 'objected'] as const;

async function population(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    ids.push(id);
    const email = `m${i}@preview-exact.test`;
    await db.contact.create({
      data: {
        id,
        email,
        emailNormalized: email,
        organization: chance(0.5) ? 'Exact Co' : 'Other Co',
        lifecycleStage: pick(['subscriber', 'lead', 'customer'] as const),
        status: chance(0.8) ? 'active' : pick(['restricted', 'erasure_pending', 'erased'] as const),
        emailUndeliverableAt: chance(0.1) ? new Date(NOW.getTime() - DAY) : null,
        attributes: { city: pick(['Berlin', 'Bonn']) },
      },
    });
    if (chance(0.4))
      await db.interaction.create({ data: { contactId: id, kind: 'opened', occurredAt: new Date(NOW.getTime() - 5 * DAY) } });
    const events = Array.from({ length: Math.floor(rnd() * 5) }, (_, k) => ({
      contactId: id,
      purposeId: pick(PURPOSES),
      channel: pick(['email', 'email', 'phone'] as const),
      kind: pick(KINDS),
      occurredAt: new Date(NOW.getTime() - (10 - k) * DAY),
      // Past, at, and after the preview's instant.
      expiresAt: chance(0.3) ? new Date(NOW.getTime() + pick([-DAY, 0, DAY])) : null,
      method: pick(['web_form', 'web_form', 'in_person', 'double_opt_in', 'preference_center', 'import'] as const),
      source: 'test',
      actor: 'system:test',
    }));
    if (events.length > 0) await db.consentEvent.createMany({ data: events });
    if (chance(0.08)) await db.suppressionEntry.create({ data: { addressHash: suppressionHash(KEY, email), reason: 'test' } });
  }
}

beforeAll(async () => {
  database = await createTestDatabase(serverUrl, 'preview_exact');
  db = createDb(database.url, { maxConnections: 4 });
  await seedCatalogue(db);
  await db.purpose.create({
    data: {
      id: 'li_untested',
      name: 'Untested interest',
      description: 'Legitimate interest without its balancing test',
      legalBasis: 'legitimate_interest',
      channels: ['email', 'phone'],
      isDirectMarketing: true,
    },
  });
  await population(400);
}, 120_000);
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const SEGMENTS: SegmentDefinition[] = [
  { version: 1, match: 'all', conditions: [] },
  { version: 1, match: 'all', conditions: [{ type: 'field', field: 'organization', op: 'equals', value: 'Exact Co' }] },
  {
    version: 1,
    match: 'any',
    conditions: [
      { type: 'lifecycle', stages: ['customer'] },
      { type: 'interaction', kind: 'opened', op: 'at_least', withinDays: 30 },
    ],
  },
  {
    version: 1,
    match: 'all',
    conditions: [{ type: 'consent', purposeId: 'newsletter', channel: 'email', status: ['confirmed', 'granted'] }],
  },
];

/** Every (purpose, channel) the purposes use, for every segment: grouped and member by member agree exactly. */
async function compareAll(): Promise<Set<string>> {
  const seen = new Set<string>();
  const purposes = await db.purpose.findMany({ where: { id: { in: [...PURPOSES] } }, select: { id: true, channels: true } });
  expect(purposes).toHaveLength(PURPOSES.length);
  for (const purpose of purposes) {
    for (const channel of purpose.channels.map((c): Channel => ZChannel.parse(c))) {
      for (const definition of SEGMENTS) {
        const input = { definition, purposeId: purpose.id, channel };
        const grouped = await previewSegment(db, KEY, input, NOW);
        const exact = await previewSegmentExact(db, KEY, input, NOW);
        expect(grouped, `${purpose.id} ${channel} ${JSON.stringify(definition.conditions)}`).toEqual(exact);
        for (const r of grouped.reasons) seen.add(r.code);
      }
    }
  }
  return seen;
}

describe('the grouped segment preview', () => {
  it('gives exactly what deciding every member gives, with every reason code a send preview can produce', async () => {
    const seen = await compareAll();
    expect([...seen].sort()).toEqual(
      [
        'SUBJECT_ERASED',
        'SUBJECT_RESTRICTED',
        'SUPPRESSED',
        'OBJECTED_TO_DIRECT_MARKETING',
        'NO_CONSENT',
        'CONSENT_WITHDRAWN',
        'CONSENT_EXPIRED',
        'DOUBLE_OPT_IN_PENDING',
        'BALANCING_TEST_MISSING',
        ADDRESS_UNDELIVERABLE,
      ].sort(),
    );
    const everyone = await previewSegment(db, KEY, { definition: SEGMENTS[0]!, purposeId: 'newsletter', channel: 'email' }, NOW);
    expect(everyone.count).toBe(await db.contact.count({ where: { status: { not: 'erased' } } }));
    expect(everyone.reachable).toBeGreaterThan(0);
  });

  it('stays exact after appends, a merge, changed addresses, new suppressions and erasures', async () => {
    const [a, b, c, d, e] = ids;
    await db.consentEvent.createMany({
      data: ZConsentMethod.options.slice(0, 3).map((method, k) => ({
        contactId: a!,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'granted' as const,
        occurredAt: new Date(NOW.getTime() - k * 1000),
        method,
        source: 'test',
        actor: 'system:test',
      })),
    });
    await db.$transaction([
      db.$executeRaw`SET LOCAL zweck.merge = 'on'`,
      db.consentEvent.updateMany({ where: { contactId: b! }, data: { contactId: c! } }),
    ]);
    // A changed address is hashed again: onto the list, and off it.
    await db.contact.update({
      where: { id: d! },
      data: { email: 'now-suppressed@preview-exact.test', emailNormalized: 'now-suppressed@preview-exact.test' },
    });
    await db.suppressionEntry.create({ data: { addressHash: suppressionHash(KEY, 'now-suppressed@preview-exact.test'), reason: 'test' } });
    const listed = await db.suppressionEntry.findMany({ select: { addressHash: true } });
    const onList = new Set(listed.map((s) => s.addressHash));
    const suppressedOne = (await db.contact.findMany({ select: { id: true, email: true } })).find(
      (x) => x.id !== d && onList.has(suppressionHash(KEY, x.email)),
    );
    expect(suppressedOne).toBeDefined();
    await db.contact.update({ where: { id: suppressedOne!.id }, data: { email: `moved-${e}@preview-exact.test` } });
    await db.contact.update({
      where: { id: e! },
      data: { status: 'erased', email: `erased-${e}@invalid`, emailNormalized: `erased-${e}@invalid` },
    });

    await compareAll();
    const row = await db.contactAddressHash.findUnique({ where: { contactId: d! } });
    expect(row?.addressHash).toBe(suppressionHash(KEY, 'now-suppressed@preview-exact.test'));
  });
});
