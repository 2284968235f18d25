// The consent-state projection against packages/policy's fold, over generated ledgers written the
// ways the product writes them (single appends, bulk appends, the merge's move, the erasure's
// delete), and the address hashes the preview matches against the suppression list.
import { randomUUID } from 'node:crypto';
import { createDb, LEDGER_FOLD_ARGS, Prisma, suppressionHash, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { consentAt, foldLedger, toLedgerEvent, ZConsentMethod, type Channel, type SubjectConsents } from '@zweck/policy';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSubjectFacts, readConsentStates, refreshAddressHashes } from './consent-state.ts';

const serverUrl = process.env.ZWECK_PG_SERVER_URL;
if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh (it starts PostgreSQL)');

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase(serverUrl, 'consent_state');
  db = createDb(database.url, { maxConnections: 4 });
  await seedCatalogue(db);
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const HOUR = 3_600_000;
/** Few distinct instants, so that ties (one instant, several events) are common. */
const instant = fc.integer({ min: 0, max: 8 }).map((h) => new Date(T0 + h * HOUR));
const PURPOSES = ['newsletter', 'product_updates'] as const;
const CHANNELS: Channel[] = ['email', 'sms'];

const event: fc.Arbitrary<Event> = fc.record({
  purposeId: fc.constantFrom(...PURPOSES),
  channel: fc.constantFrom(...CHANNELS),
  kind: fc.constantFrom('granted', 'confirmed', 'withdrawn', 'expired', 'objected'),
  occurredAt: instant,
  expiresAt: fc.option(instant, { nil: null }),
  method: fc.constantFrom(...ZConsentMethod.options),
});
interface Event {
  purposeId: string;
  channel: Channel;
  kind: 'granted' | 'confirmed' | 'withdrawn' | 'expired' | 'objected';
  occurredAt: Date;
  expiresAt: Date | null;
  method: (typeof ZConsentMethod.options)[number];
}

/** Each contact's events in batches; each batch is one statement (one bulk append) or single appends. */
const person = fc.record({
  batches: fc.array(fc.record({ bulk: fc.boolean(), events: fc.array(event, { maxLength: 5 }) }), { maxLength: 3 }),
});
const scenario = fc.record({
  people: fc.array(person, { minLength: 2, maxLength: 4 }),
  /** Move the second person's ledger to the first (a merge). */
  merge: fc.boolean(),
  /** Delete the last person's ledger (the erasure path). */
  erase: fc.boolean(),
});

const row = (contactId: string, e: Event) => ({ ...e, contactId, source: 'test', actor: 'system:test' });

async function newContact(): Promise<string> {
  const id = randomUUID();
  await db.contact.create({ data: { id, email: `${id}@state.test`, emailNormalized: `${id}@state.test` } });
  return id;
}

async function foldFromLedger(contactId: string): Promise<SubjectConsents> {
  const events = await db.consentEvent.findMany({ where: { contactId }, ...LEDGER_FOLD_ARGS });
  return foldLedger(events.map(toLedgerEvent));
}

const NOWS = [T0 - HOUR, T0 + 3 * HOUR, T0 + 3 * HOUR + 1, T0 + 20 * HOUR].map((t) => new Date(t));
const SQL_NOWS = NOWS.slice(1, 3);

describe('the consent-state projection', () => {
  it('equals foldLedger for generated ledgers, however they were written, and so does its state at any instant', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ people, merge, erase }) => {
        const ids: string[] = [];
        for (const p of people) {
          const id = await newContact();
          ids.push(id);
          for (const batch of p.batches) {
            if (batch.bulk) await db.consentEvent.createMany({ data: batch.events.map((e) => row(id, e)) });
            else for (const e of batch.events) await db.consentEvent.create({ data: row(id, e) });
          }
        }
        if (merge) {
          await db.$transaction([
            db.$executeRaw`SET LOCAL zweck.merge = 'on'`,
            db.consentEvent.updateMany({ where: { contactId: ids[1]! }, data: { contactId: ids[0]! } }),
          ]);
        }
        if (erase) {
          await db.$transaction([
            db.$executeRaw`SET LOCAL zweck.erasure = 'on'`,
            db.consentEvent.deleteMany({ where: { contactId: ids.at(-1)! } }),
          ]);
        }
        const projected = await readConsentStates(db, ids);
        for (const id of ids) {
          const folded = await foldFromLedger(id);
          expect(projected.get(id)).toEqual(folded);
          for (const purposeId of PURPOSES) {
            for (const channel of CHANNELS) {
              for (const now of NOWS) {
                const expected = consentAt(folded, purposeId, channel, now.toISOString());
                expect(consentAt(projected.get(id)!, purposeId, channel, now.toISOString())).toEqual(expected);
                // The preview's SQL reading of the projection: the status at `now`, the grant method, the objection
                // (at the instants around an expiry, where it can go wrong).
                if (!SQL_NOWS.includes(now)) continue;
                const [facts, ...more] = await countSubjectFacts(db, Prisma.sql`c.id = ${id}::uuid`, { purposeId, channel, now });
                expect(more).toEqual([]);
                expect(facts).toMatchObject({
                  consent: expected.status,
                  grantMethod: expected.grantMethod,
                  objectedToDirectMarketing: folded.objectedToDirectMarketingAt !== null,
                  count: 1,
                });
              }
            }
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('serialises concurrent appends to one person: the projection holds every committed event', async () => {
    const id = await newContact();
    const append = (e: Event) =>
      db.$transaction(async (tx) => {
        await tx.consentEvent.create({ data: row(id, e) });
        await new Promise((resolve) => setTimeout(resolve, 50)); // both transactions are open at once
      });
    const base = { purposeId: 'newsletter', channel: 'email', expiresAt: null, method: 'web_form' } as const;
    await Promise.all([
      append({ ...base, kind: 'granted', occurredAt: new Date(T0) }),
      append({ ...base, purposeId: 'product_updates', kind: 'granted', occurredAt: new Date(T0) }),
    ]);
    const projected = (await readConsentStates(db, [id])).get(id)!;
    expect(Object.keys(projected.byPurposeChannel).sort()).toEqual(['newsletter:email', 'product_updates:email']);
    expect(projected).toEqual(await foldFromLedger(id));
  });

  it('reads a contact without a ledger as having no consent, as the fold of no events', async () => {
    const id = await newContact();
    const projected = await readConsentStates(db, [id]);
    expect(projected.get(id)).toEqual({ byPurposeChannel: {}, objectedToDirectMarketingAt: null });
    expect(projected.get(id)).toEqual(await foldFromLedger(id));
  });
});

describe('address hashes for the suppression list', () => {
  const hashOf = async (id: string) => (await db.contactAddressHash.findUnique({ where: { contactId: id } }))?.addressHash ?? null;
  const pending = async (id: string) => (await db.contactAddressHashPending.count({ where: { contactId: id } })) > 0;

  it('hashes new and changed addresses, drops an erased one, and starts over with another key', async () => {
    const key = 'k'.repeat(64);
    const id = await newContact();
    expect(await pending(id)).toBe(true);
    expect(await refreshAddressHashes(db, key)).toBeGreaterThan(0);
    expect(await hashOf(id)).toBe(suppressionHash(key, `${id}@state.test`));
    expect(await pending(id)).toBe(false);
    expect(await refreshAddressHashes(db, key)).toBe(0);

    await db.contact.update({ where: { id }, data: { lifecycleStage: 'lead' } });
    expect(await hashOf(id)).not.toBeNull(); // another column: the hash stays
    await db.contact.update({ where: { id }, data: { email: `New.${id}@state.test`, emailNormalized: `new.${id}@state.test` } });
    expect(await hashOf(id)).toBeNull();
    expect(await refreshAddressHashes(db, key)).toBe(1);
    expect(await hashOf(id)).toBe(suppressionHash(key, `new.${id}@state.test`));

    const other = 'o'.repeat(64);
    const all = await db.contact.count({ where: { status: { not: 'erased' } } });
    expect(await refreshAddressHashes(db, other)).toBe(all);
    expect(await hashOf(id)).toBe(suppressionHash(other, `new.${id}@state.test`));

    await db.contact.update({
      where: { id },
      data: { status: 'erased', email: `erased-${id}@invalid`, emailNormalized: `erased-${id}@invalid` },
    });
    expect(await hashOf(id)).toBeNull();
    expect(await pending(id)).toBe(false);
  });

  it('matches a member against the suppression list in the grouped count', async () => {
    const key = 'o'.repeat(64);
    const id = await newContact();
    await db.suppressionEntry.create({ data: { addressHash: suppressionHash(key, `${id}@state.test`), reason: 'test' } });
    const where = Prisma.sql`c.id = ${id}::uuid`;
    const query = { purposeId: 'newsletter', channel: 'email' as const, now: new Date() };
    expect((await countSubjectFacts(db, where, query))[0]?.isSuppressed).toBe(false); // not hashed yet
    await refreshAddressHashes(db, key);
    expect((await countSubjectFacts(db, where, query))[0]?.isSuppressed).toBe(true);
  });

  it('keeps the contact row\'s suppressed flag equal to "its hash is on the list", whichever table changes', async () => {
    const key = 'o'.repeat(64);
    await refreshAddressHashes(db, key);
    const id = await newContact();
    const flag = async () => (await db.contact.findUniqueOrThrow({ where: { id }, select: { suppressed: true } })).suppressed;
    const listed = suppressionHash(key, `${id}@state.test`);
    // Listed before the contact's hash exists: the hash's arrival sets the flag.
    await db.suppressionEntry.create({ data: { addressHash: listed, reason: 'test' } });
    expect(await flag()).toBe(false);
    await refreshAddressHashes(db, key);
    expect(await flag()).toBe(true);
    // Taken off the list, put on it again (one statement each, as the API's writers do).
    await db.suppressionEntry.deleteMany({ where: { addressHash: listed } });
    expect(await flag()).toBe(false);
    await db.suppressionEntry.createMany({ data: [{ addressHash: listed, reason: 'test' }] });
    expect(await flag()).toBe(true);
    // A new address: its old hash is gone at once, its new one is not listed.
    await db.contact.update({ where: { id }, data: { email: `moved.${id}@state.test`, emailNormalized: `moved.${id}@state.test` } });
    expect(await flag()).toBe(false);
    await refreshAddressHashes(db, key);
    expect(await flag()).toBe(false);
    await db.suppressionEntry.create({ data: { addressHash: suppressionHash(key, `moved.${id}@state.test`), reason: 'test' } });
    expect(await flag()).toBe(true);
    // Another key: every hash is made again, and the flag follows the new hashes (none listed).
    await refreshAddressHashes(db, 'r'.repeat(64));
    expect(await flag()).toBe(false);
    // And the grouped count reads the flag.
    const where = Prisma.sql`c.id = ${id}::uuid`;
    const query = { purposeId: 'newsletter', channel: 'email' as const, now: new Date() };
    expect((await countSubjectFacts(db, where, query))[0]?.isSuppressed).toBe(false);
    await db.suppressionEntry.create({ data: { addressHash: suppressionHash('r'.repeat(64), `moved.${id}@state.test`), reason: 'test' } });
    expect((await countSubjectFacts(db, where, query))[0]?.isSuppressed).toBe(true);
  });
});
