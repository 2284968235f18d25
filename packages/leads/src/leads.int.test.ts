import { randomBytes, randomUUID } from 'node:crypto';
import { createDb, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyScoreChange, assignLead, decayedPoints, explainScore, mayDo, settleLead } from './index.ts';

const serverUrl = process.env.ZWECK_PG_SERVER_URL;
if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh (it starts PostgreSQL)');

const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAY_MS = 86_400_000;
const suppressionKey = randomBytes(32).toString('hex');

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase(serverUrl, 'leads');
  db = createDb(database.url, { maxConnections: 4 });
  await seedCatalogue(db);
  await db.leadSettings.update({ where: { id: 1 }, data: { threshold: 50 } });
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

async function contact(nick: string, options: { scoringConsent?: boolean; city?: string; callConsent?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  await db.contact.create({
    data: {
      id,
      email: `${nick}@example.test`,
      emailNormalized: `${nick}@example.test`,
      firstName: nick,
      phone: '+49 30 1234567',
      attributes: options.city ? { city: options.city } : {},
    },
  });
  await db.provenance.create({
    data: { contactId: id, source: 'web_form', reference: 'demo-request', legalBasis: 'legitimate_interest', actor: 'contact' },
  });
  const grants: [string, string][] = [];
  if (options.scoringConsent) grants.push(['lead_scoring', 'email']);
  if (options.callConsent) grants.push(['sales_calls', 'phone']);
  for (const [purposeId, channel] of grants) {
    await db.consentEvent.create({
      data: {
        contactId: id,
        purposeId,
        channel,
        kind: 'granted',
        occurredAt: new Date(NOW.getTime() - 30 * DAY_MS),
        method: 'web_form',
        source: 'website/demo-request',
        wordingVersion: '2026-11',
        actor: 'contact',
      },
    });
  }
  return id;
}

async function rule(points: number, halfLifeDays: number | null): Promise<string> {
  const id = randomUUID();
  await db.scoringRule.create({
    data: { id, name: `+${points}`, sourceType: 'interaction', match: 'clicked', points, halfLifeDays, createdBy: 'test' },
  });
  return id;
}

const change = (contactId: string, ruleId: string, points: number, interactionId: string, now = NOW) =>
  applyScoreChange(
    { db, suppressionKey },
    { contactId, purposeId: 'lead_scoring', points, reason: 'clicked', source: { kind: 'rule', ruleId, interactionId } },
    { now, decidedBy: 'test' },
  );

describe('lead scoring against PostgreSQL', () => {
  it('halves points every half-life', () => {
    expect(decayedPoints(40, 10, new Date(NOW.getTime() - 10 * DAY_MS), NOW)).toBeCloseTo(20, 10);
    expect(decayedPoints(40, 10, new Date(NOW.getTime() - 20 * DAY_MS), NOW)).toBeCloseTo(10, 10);
    expect(decayedPoints(40, null, new Date(NOW.getTime() - 999 * DAY_MS), NOW)).toBe(40);
  });

  it('refuses to score a contact without consent to lead_scoring: NO_CONSENT recorded, nothing written', async () => {
    const contactId = await contact('no-consent');
    const ruleId = await rule(30, 30);
    const result = await change(contactId, ruleId, 30, '1');
    expect(result).toEqual({ applied: false, reasonCodes: ['NO_CONSENT'] });
    expect(await db.scoreEvent.count({ where: { contactId } })).toBe(0);
    const decisions = await db.policyDecision.findMany({
      where: { contactId },
      select: { purposeId: true, action: true, allowed: true, reasonCodes: true, inputDigest: true },
    });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ purposeId: 'lead_scoring', action: 'profile', allowed: false, reasonCodes: ['NO_CONSENT'] });
    expect(decisions[0]?.inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('scores with consent, names the decision, reports the crossing once, and decays in the explanation', async () => {
    const contactId = await contact('consenting', { scoringConsent: true });
    const ruleId = await rule(30, 10);
    const first = await change(contactId, ruleId, 30, '11');
    expect(first).toMatchObject({ applied: true, score: 30, crossedThreshold: false });
    // A retry of the same change writes nothing more and reports no crossing.
    expect(await change(contactId, ruleId, 30, '11')).toMatchObject({ applied: true, crossedThreshold: false });
    expect(await db.scoreEvent.count({ where: { contactId } })).toBe(1);

    const second = await change(contactId, ruleId, 30, '12');
    expect(second).toMatchObject({ applied: true, score: 60, crossedThreshold: true });
    const third = await change(contactId, ruleId, 30, '13');
    expect(third).toMatchObject({ applied: true, score: 90, crossedThreshold: false });

    if (!second.applied) throw new Error('unreachable');
    const event = await db.scoreEvent.findUniqueOrThrow({
      where: { id: second.scoreEventId },
      select: { decisionId: true, halfLifeDays: true },
    });
    const decision = await db.policyDecision.findUniqueOrThrow({ where: { id: event.decisionId } });
    expect(decision).toMatchObject({ action: 'profile', allowed: true, legalBasis: 'consent', purposeId: 'lead_scoring' });
    expect(event.halfLifeDays).toBe(10);

    // Ten days later every change counts half.
    const explained = await explainScore(db, contactId, new Date(NOW.getTime() + 10 * DAY_MS));
    expect(explained.score).toBeCloseTo(45, 6);
    expect(explained.threshold).toBe(50);
    for (const e of explained.events) expect(e.decayedPoints).toBeCloseTo(15, 6);
    expect(explained.events).toHaveLength(3);
  });

  it('a decayed score can cross the threshold again later', async () => {
    const contactId = await contact('decayed', { scoringConsent: true });
    const ruleId = await rule(60, 5);
    expect(await change(contactId, ruleId, 60, '21')).toMatchObject({ crossedThreshold: true });
    // 20 days on, 60 has decayed to 3.75: another 50 crosses again.
    const later = await change(contactId, ruleId, 50, '22', new Date(NOW.getTime() + 20 * DAY_MS));
    expect(later).toMatchObject({ applied: true, crossedThreshold: true });
    if (later.applied) expect(later.score).toBeCloseTo(53.75, 6);
  });
});

describe('assignment and the lead life', () => {
  const reps: Record<string, string> = {};

  beforeAll(async () => {
    for (const [nick, territories] of [
      ['anna', ['Hamburg']],
      ['ben', ['München', 'Stuttgart']],
    ] as const) {
      const user = await db.user.create({
        data: { email: `${nick}@zweck.test`, displayName: nick, role: 'sales', passwordHash: 'x' },
        select: { id: true },
      });
      reps[nick] = user.id;
      await db.salesRep.create({ data: { userId: user.id, territories: [...territories] } });
    }
  });

  const handOff = (contactId: string, now = NOW) =>
    assignLead(
      { db, suppressionKey },
      {
        contactId,
        purposeId: 'sales_follow_up',
        channel: 'email',
        trigger: { kind: 'manual' },
        workflowId: `handoff:${contactId}`,
        handoffKey: `handoff:${contactId}:run`,
      },
      { now, decidedBy: 'test' },
    );

  it('round robin alternates between the active reps, and one open lead per contact', async () => {
    await db.leadSettings.update({ where: { id: 1 }, data: { assignmentMode: 'round_robin', territoryFieldKey: null } });
    const owners: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await handOff(await contact(`rr${i}`), new Date(NOW.getTime() + i * 1000));
      if (result.outcome !== 'assigned') throw new Error(`not assigned: ${JSON.stringify(result)}`);
      owners.push(result.ownerId);
    }
    expect(owners[0]).not.toBe(owners[1]);
    expect(owners[2]).toBe(owners[0]);
    expect(owners[3]).toBe(owners[1]);
    expect(new Set(owners)).toEqual(new Set([reps.anna, reps.ben]));
  });

  it("by territory: the contact's city picks the rep; an uncovered city finds no owner", async () => {
    await db.leadSettings.update({ where: { id: 1 }, data: { assignmentMode: 'territory', territoryFieldKey: 'city' } });
    const south = await handOff(await contact('south', { city: 'münchen' }));
    expect(south).toMatchObject({ outcome: 'assigned', ownerId: reps.ben });
    const north = await handOff(await contact('north', { city: 'Hamburg' }));
    expect(north).toMatchObject({ outcome: 'assigned', ownerId: reps.anna });
    expect(await handOff(await contact('east', { city: 'Dresden' }))).toEqual({ outcome: 'no_owner' });
    await db.leadSettings.update({ where: { id: 1 }, data: { assignmentMode: 'round_robin', territoryFieldKey: null } });
  });

  it('refuses a second open lead for the same contact; a retried assignment returns the same lead', async () => {
    const contactId = await contact('twice');
    const first = await handOff(contactId);
    expect(first.outcome).toBe('assigned');
    expect(await handOff(contactId)).toEqual(first);
    const second = await assignLead(
      { db, suppressionKey },
      {
        contactId,
        purposeId: 'sales_follow_up',
        channel: 'email',
        trigger: { kind: 'manual' },
        workflowId: `handoff:${contactId}`,
        handoffKey: 'another-run',
      },
      { now: NOW, decidedBy: 'test' },
    );
    expect(second).toEqual({ outcome: 'refused', reasonCodes: ['LEAD_ALREADY_OPEN'] });
    expect(await db.lead.count({ where: { contactId } })).toBe(1);
  });

  it('recycling sends the contact back to nurturing; a second answer changes nothing', async () => {
    const contactId = await contact('recycle-me');
    const assigned = await handOff(contactId);
    if (assigned.outcome !== 'assigned') throw new Error('not assigned');
    expect(
      await settleLead(db, { leadId: assigned.leadId, userId: assigned.ownerId, action: 'recycle', reason: 'no_budget' }, NOW),
    ).toEqual({
      status: 'recycled',
    });
    expect(await settleLead(db, { leadId: assigned.leadId, userId: assigned.ownerId, action: 'accept' }, NOW)).toEqual({
      status: 'recycled',
    });
    expect(await db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { lifecycleStage: true } })).toEqual({
      lifecycleStage: 'lead',
    });
    expect(await db.contactEvent.count({ where: { contactId, name: 'lead.recycled' } })).toBe(1);
  });

  it('says what a rep may do: e-mail on legitimate interest from the provenance, no call without consent', async () => {
    const plain = await contact('may-do');
    const items = await mayDo(db, suppressionKey, plain, NOW);
    const email = items?.find((i) => i.channel === 'email');
    const phone = items?.find((i) => i.channel === 'phone');
    expect(email).toMatchObject({
      allowed: true,
      legalBasis: 'legitimate_interest',
      article: 'Art. 6(1)(f) GDPR',
      purpose: { id: 'sales_follow_up' },
      source: { kind: 'provenance', source: 'web_form', reference: 'demo-request' },
    });
    expect(email?.until).toBeInstanceOf(Date);
    expect(phone).toMatchObject({ allowed: false, purpose: { id: 'sales_calls' }, reasonCodes: ['NO_CONSENT'] });

    const caller = await contact('may-call', { callConsent: true });
    const callable = (await mayDo(db, suppressionKey, caller, NOW))?.find((i) => i.channel === 'phone');
    expect(callable).toMatchObject({
      allowed: true,
      legalBasis: 'consent',
      article: 'Art. 6(1)(a) GDPR',
      source: { kind: 'consent', method: 'web_form', source: 'website/demo-request' },
    });
  });
});
