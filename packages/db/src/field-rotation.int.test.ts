import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactFieldContext, openContactAttributes, sealContactAttributes } from './contact-attributes.ts';
import { createFieldCipher, FieldSealError, ZFieldKeys } from './field-crypto.ts';
import { rotateFieldKey, type RotationReport } from './field-rotation.ts';
import { createDb, type Db } from './index.ts';
import { seedCatalogue } from './seed.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

const serverUrl = process.env.ZWECK_PG_SERVER_URL;
if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh (it starts PostgreSQL)');

const KEY1 = `k1:${randomBytes(32).toString('base64')}`;
const KEY2 = `k2:${randomBytes(32).toString('base64')}`;
const ring1 = ZFieldKeys.parse(KEY1);
const ringBoth = ZFieldKeys.parse(`${KEY2},${KEY1}`);
const ring2 = ZFieldKeys.parse(KEY2);

const NOTES = (i: number) => `Met at the fair, stand ${i}; prefers calls after 3 pm`;
const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

const countsOf = (report: RotationReport, target: string) => report.counts.find((c) => c.target === target);

describe('rotate:field-key', () => {
  let database: TestDatabase;
  let db: Db;
  const sealedIds: string[] = [];
  const clearIds: string[] = [];
  const plainId = randomUUID();
  let userId = '';

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl, 'rotation');
    db = createDb(database.url, { maxConnections: 2 });
    await seedCatalogue(db);
    const old = createFieldCipher(ring1);
    // Five contacts sealed under key 1 (more than one batch of two), two written before encryption, one without notes.
    for (let i = 0; i < 5; i += 1) {
      const id = randomUUID();
      sealedIds.push(id);
      const attributes = sealContactAttributes(old, id, { notes: NOTES(i), city: 'Berlin' }, ['notes']);
      await db.contact.create({ data: { id, email: `sealed${i}@example.org`, emailNormalized: `sealed${i}@example.org`, attributes } });
    }
    for (let i = 0; i < 2; i += 1) {
      const id = randomUUID();
      clearIds.push(id);
      await db.contact.create({
        data: { id, email: `clear${i}@example.org`, emailNormalized: `clear${i}@example.org`, attributes: { notes: `Old note ${i}` } },
      });
    }
    await db.contact.create({
      data: { id: plainId, email: 'plain@example.org', emailNormalized: 'plain@example.org', attributes: { city: 'Hamburg' } },
    });
    const user = await db.user.create({
      data: { email: 'rep@zweck.test', displayName: 'Rep', role: 'sales', passwordHash: 'not-a-real-hash' },
      select: { id: true },
    });
    userId = user.id;
    await db.userTotp.create({ data: { userId, secretSealed: old.seal(TOTP_SECRET, `user:${userId}:totp`) } });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  const storedAttributes = async (id: string) =>
    (await db.contact.findUniqueOrThrow({ where: { id }, select: { attributes: true } })).attributes;

  it('re-seals under the new key, seals clear text, and then opens with the new key alone', async () => {
    const report = await rotateFieldKey(db, ringBoth, { batchSize: 2 });
    expect(report.currentKeyId).toBe('k2');
    expect(countsOf(report, 'contact.attributes')).toEqual({
      target: 'contact.attributes',
      examined: 7,
      resealed: 5,
      sealedFromClear: 2,
      unchanged: 0,
      unreadable: 0,
    });
    expect(countsOf(report, 'user_totp.secret_sealed')).toMatchObject({ examined: 1, resealed: 1, unreadable: 0 });
    // The report carries counts only.
    expect(JSON.stringify(report)).not.toMatch(/fair|Old note|JBSW/);

    const onlyNew = createFieldCipher(ring2);
    for (const [i, id] of sealedIds.entries()) {
      const stored = await storedAttributes(id);
      expect(JSON.stringify(stored)).not.toContain('fair');
      expect(openContactAttributes(onlyNew, id, stored, ['notes'])).toEqual({ notes: NOTES(i), city: 'Berlin' });
    }
    for (const [i, id] of clearIds.entries()) {
      const stored = (await storedAttributes(id)) as Record<string, string>;
      expect(onlyNew.keyIdOf(stored.notes ?? '')).toBe('k2');
      expect(onlyNew.open(stored.notes ?? '', contactFieldContext(id, 'notes'))).toBe(`Old note ${i}`);
    }
    expect(await storedAttributes(plainId)).toEqual({ city: 'Hamburg' });
    const totp = await db.userTotp.findUniqueOrThrow({ where: { userId }, select: { secretSealed: true } });
    expect(onlyNew.open(totp.secretSealed, `user:${userId}:totp`)).toBe(TOTP_SECRET);
    // Key 1 no longer opens anything: it can leave the ring.
    expect(() => createFieldCipher(ring1).open(totp.secretSealed, `user:${userId}:totp`)).toThrow(FieldSealError);
  });

  it('changes nothing on a second run', async () => {
    const before = await db.contact.findMany({ select: { id: true, attributes: true, updatedAt: true }, orderBy: { id: 'asc' } });
    const report = await rotateFieldKey(db, ringBoth, { batchSize: 3 });
    expect(countsOf(report, 'contact.attributes')).toMatchObject({ examined: 7, resealed: 0, sealedFromClear: 0, unchanged: 7 });
    expect(countsOf(report, 'user_totp.secret_sealed')).toMatchObject({ examined: 1, resealed: 0, unchanged: 1 });
    const after = await db.contact.findMany({ select: { id: true, attributes: true, updatedAt: true }, orderBy: { id: 'asc' } });
    expect(after).toEqual(before);
  });

  it('counts a value it cannot open and leaves it as it is', async () => {
    const stranger = createFieldCipher(ZFieldKeys.parse(`k9:${randomBytes(32).toString('base64')}`));
    const id = randomUUID();
    const attributes = { notes: stranger.seal('Sealed elsewhere', contactFieldContext(id, 'notes')) };
    await db.contact.create({ data: { id, email: 'stranger@example.org', emailNormalized: 'stranger@example.org', attributes } });
    const report = await rotateFieldKey(db, ring2);
    expect(countsOf(report, 'contact.attributes')).toMatchObject({ unreadable: 1, resealed: 0, sealedFromClear: 0 });
    expect(await storedAttributes(id)).toEqual(attributes);
  });
});
