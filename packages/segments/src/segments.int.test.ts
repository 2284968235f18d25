import { randomUUID } from 'node:crypto';
import { createDb, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment, countSegment, listSegmentMembers, SegmentNotFoundError, ZSegmentDefinition, type Condition } from './index.ts';

const serverUrl = process.env.ZWECK_PG_SERVER_URL;
if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh (it starts PostgreSQL)');

const NOW = new Date('2026-12-01T12:00:00.000Z');
const daysAgo = (d: number): Date => new Date(NOW.getTime() - d * 86_400_000);

let database: TestDatabase;
let db: Db;
/** Fixture contacts by nickname. */
const ids: Record<string, string> = {};

async function contact(
  nick: string,
  data: Partial<{
    organization: string | null;
    firstName: string;
    attributes: Record<string, string>;
    lifecycleStage: 'subscriber' | 'lead' | 'customer';
    status: 'active' | 'restricted' | 'erased';
    createdAt: Date;
  }> = {},
): Promise<string> {
  const id = randomUUID();
  ids[nick] = id;
  await db.contact.create({
    data: { id, email: `${nick}@example.test`, emailNormalized: `${nick}@example.test`, createdAt: daysAgo(1), ...data },
  });
  return id;
}

const consent = (
  contactId: string,
  kind: 'granted' | 'confirmed' | 'withdrawn' | 'objected',
  at: Date,
  { expiresAt, recordedAt }: { expiresAt?: Date; recordedAt?: Date } = {},
) =>
  db.consentEvent.create({
    data: {
      contactId,
      purposeId: 'newsletter',
      channel: 'email',
      kind,
      occurredAt: at,
      expiresAt: expiresAt ?? null,
      ...(recordedAt ? { recordedAt } : {}),
      method: 'web_form',
      source: 'test',
      actor: 'system:test',
    },
  });

const interaction = (contactId: string, kind: 'opened' | 'clicked' | 'bought', at: Date) =>
  db.interaction.create({ data: { contactId, kind, occurredAt: at } });

/** The nicknames of a definition's members, sorted. */
async function members(match: 'all' | 'any', ...conditions: Condition[]): Promise<string[]> {
  const definition = ZSegmentDefinition.parse({ version: 1, match, conditions });
  const found = await listSegmentMembers(db, definition, { limit: 10_000, now: NOW });
  const byId = new Map(Object.entries(ids).map(([nick, id]) => [id, nick]));
  const nicks = found.map((id) => byId.get(id) ?? id).sort();
  expect(await countSegment(db, definition, { now: NOW })).toBe(found.length);
  return nicks;
}

beforeAll(async () => {
  database = await createTestDatabase(serverUrl, 'segments');
  db = createDb(database.url, { maxConnections: 3 });
  await seedCatalogue(db);
  await contact('anna', { organization: 'ACME GmbH', firstName: 'Anna', attributes: { city: 'Berlin' }, lifecycleStage: 'lead' });
  await contact('ben', { organization: 'Acme Corp', attributes: { city: 'berlin', job_title: 'CTO' }, lifecycleStage: 'customer' });
  await contact('cara', { organization: '100% Bio', attributes: { city: 'Hamburg' }, createdAt: daysAgo(400) });
  await contact('dan', { organization: null, attributes: { city: '' } });
  await contact('eve', { organization: 'Evil', status: 'erased' });
  await contact('finn', { organization: 'Fin_Tech', status: 'restricted', lifecycleStage: 'lead', createdAt: daysAgo(40) });

  await interaction(ids.anna!, 'opened', daysAgo(2));
  await interaction(ids.anna!, 'opened', daysAgo(3));
  await interaction(ids.anna!, 'opened', daysAgo(100));
  await interaction(ids.ben!, 'opened', daysAgo(50));
  await interaction(ids.ben!, 'bought', daysAgo(5));
  await interaction(ids.eve!, 'opened', daysAgo(1));

  await consent(ids.anna!, 'granted', daysAgo(30));
  await consent(ids.anna!, 'confirmed', daysAgo(29));
  await consent(ids.ben!, 'granted', daysAgo(30));
  await consent(ids.ben!, 'withdrawn', daysAgo(10));
  await consent(ids.cara!, 'granted', daysAgo(30), { expiresAt: daysAgo(1) }); // lapsed yesterday
  // The same instant: the one recorded later wins, as in the policy's fold.
  await consent(ids.finn!, 'objected', daysAgo(20), { recordedAt: daysAgo(0) });
  await consent(ids.finn!, 'granted', daysAgo(20), { recordedAt: daysAgo(1) });
  await consent(ids.dan!, 'granted', daysAgo(3));
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe('field conditions', () => {
  it('compare built-in columns and attributes without regard to case', async () => {
    expect(await members('all', { type: 'field', field: 'city', op: 'equals', value: 'BERLIN' })).toEqual(['anna', 'ben']);
    expect(await members('all', { type: 'field', field: 'organization', op: 'starts_with', value: 'acme' })).toEqual(['anna', 'ben']);
    expect(await members('all', { type: 'field', field: 'organization', op: 'contains', value: 'gmb' })).toEqual(['anna']);
    expect(await members('all', { type: 'field', field: 'first_name', op: 'equals', value: 'anna' })).toEqual(['anna']);
  });

  it('count a missing or empty value as not set, and as not equal', async () => {
    expect(await members('all', { type: 'field', field: 'city', op: 'is_not_set' })).toEqual(['dan', 'finn']);
    expect(await members('all', { type: 'field', field: 'organization', op: 'is_set' })).toEqual(['anna', 'ben', 'cara', 'finn']);
    expect(await members('all', { type: 'field', field: 'city', op: 'not_equals', value: 'berlin' })).toEqual(['cara', 'dan', 'finn']);
    expect(await members('all', { type: 'field', field: 'job_title', op: 'is_set' })).toEqual(['ben']);
  });

  it('take wildcards in a value literally', async () => {
    expect(await members('all', { type: 'field', field: 'organization', op: 'contains', value: '%' })).toEqual(['cara']);
    expect(await members('all', { type: 'field', field: 'organization', op: 'contains', value: '_' })).toEqual(['finn']);
  });
});

describe('other conditions', () => {
  it('lifecycle stages', async () => {
    expect(await members('all', { type: 'lifecycle', stages: ['lead', 'customer'] })).toEqual(['anna', 'ben', 'finn']);
  });

  it('interactions: at least, a count, a window, none', async () => {
    expect(await members('all', { type: 'interaction', kind: 'opened', op: 'at_least' })).toEqual(['anna', 'ben']);
    expect(await members('all', { type: 'interaction', kind: 'opened', op: 'at_least', count: 3 })).toEqual(['anna']);
    expect(await members('all', { type: 'interaction', kind: 'opened', op: 'at_least', count: 3, withinDays: 30 })).toEqual([]);
    expect(await members('all', { type: 'interaction', kind: 'opened', op: 'at_least', withinDays: 30 })).toEqual(['anna']);
    expect(await members('all', { type: 'interaction', kind: 'bought', op: 'none' })).toEqual(['anna', 'cara', 'dan', 'finn']);
  });

  it('consent: the latest event of the purpose and channel; an objection reads as withdrawn, a lapsed grant as expired', async () => {
    const status = async (...s: ('granted' | 'confirmed' | 'withdrawn' | 'expired' | 'none')[]) =>
      members('all', { type: 'consent', purposeId: 'newsletter', channel: 'email', status: s });
    expect(await status('confirmed')).toEqual(['anna']);
    expect(await status('granted')).toEqual(['dan']);
    expect(await status('withdrawn')).toEqual(['ben', 'finn']);
    expect(await status('expired')).toEqual(['cara']);
    expect(await members('all', { type: 'consent', purposeId: 'newsletter', channel: 'sms', status: ['none'] })).toEqual([
      'anna',
      'ben',
      'cara',
      'dan',
      'finn',
    ]);
  });

  it('creation date: within and older than', async () => {
    expect(await members('all', { type: 'created', olderThanDays: 30 })).toEqual(['cara', 'finn']);
    expect(await members('all', { type: 'created', withinDays: 100, olderThanDays: 30 })).toEqual(['finn']);
    expect(await members('all', { type: 'created', withinDays: 7 })).toEqual(['anna', 'ben', 'dan']);
  });
});

describe('segments', () => {
  it('join conditions with all and any, and never include erased contacts', async () => {
    const lead: Condition = { type: 'lifecycle', stages: ['lead'] };
    const hamburg: Condition = { type: 'field', field: 'city', op: 'equals', value: 'hamburg' };
    const evil: Condition = { type: 'field', field: 'organization', op: 'equals', value: 'evil' };
    expect(await members('all', lead, { type: 'interaction', kind: 'opened', op: 'at_least' })).toEqual(['anna']);
    expect(await members('any', lead, hamburg)).toEqual(['anna', 'cara', 'finn']);
    expect(await members('any', evil)).toEqual([]);
    expect(await members('all')).toEqual(['anna', 'ben', 'cara', 'dan', 'finn']);
  });

  it('bind values as parameters: an injection attempt is a harmless string', async () => {
    const attack = "x' OR '1'='1'; DROP TABLE contact; --";
    const def = ZSegmentDefinition.parse({
      version: 1,
      match: 'all',
      conditions: [{ type: 'field', field: 'city', op: 'equals', value: attack }],
    });
    const sql = compileSegment(def);
    expect(sql.sql).not.toContain('DROP');
    expect(sql.values).toContain(attack);
    expect(await members('all', { type: 'field', field: 'city', op: 'contains', value: attack })).toEqual([]);
    expect(await members('any', { type: 'field', field: 'organization', op: 'equals', value: attack })).toEqual([]);
    expect(await db.contact.count()).toBe(6);
  });

  it('refuse a field key that is not a plain identifier, even when the definition skipped validation', () => {
    const bad = { version: 1, match: 'all', conditions: [{ type: 'field', field: "city') OR true --", op: 'is_set' }] } as const;
    expect(ZSegmentDefinition.safeParse(bad).success).toBe(false);
    // @ts-expect-error: the compiler parses again whatever it is handed
    expect(() => compileSegment(bad)).toThrow();
  });

  it('page with a keyset: every member exactly once, in ID order', async () => {
    for (let i = 0; i < 120; i++) await contact(`bulk${i}`, { attributes: { city: i % 3 === 0 ? 'Köln' : 'Bonn' } });
    const def = ZSegmentDefinition.parse({
      version: 1,
      match: 'all',
      conditions: [{ type: 'field', field: 'city', op: 'equals', value: 'bonn' }],
    });
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listSegmentMembers(db, def, { afterContactId: after, limit: 7 });
      seen.push(...page);
      if (page.length < 7) break;
      after = page.at(-1);
    }
    expect(seen).toHaveLength(80);
    expect(new Set(seen).size).toBe(80);
    expect(seen).toEqual([...seen].sort());
    expect(await countSegment(db, def)).toBe(80);
  });

  it('read a saved segment by its ID', async () => {
    const id = randomUUID();
    await db.segment.create({
      data: {
        id,
        name: 'Leads',
        createdBy: 'user:test',
        definition: { version: 1, match: 'all', conditions: [{ type: 'lifecycle', stages: ['lead'] }] },
      },
    });
    expect((await listSegmentMembers(db, id, { limit: 10 })).sort()).toEqual([ids.anna, ids.finn].sort());
    expect(await countSegment(db, id)).toBe(2);
    await expect(listSegmentMembers(db, randomUUID(), { limit: 10 })).rejects.toBeInstanceOf(SegmentNotFoundError);
  });
});
