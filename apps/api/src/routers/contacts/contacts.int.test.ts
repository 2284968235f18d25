import { suppressionHash } from '@zweck/db';
import { welcomeWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { newsletterConsent, rejection } from '../../test/helpers.ts';

const consent = (overrides: Record<string, unknown> = {}) =>
  newsletterConsent({ grantedAt: '2026-11-28T14:30:00.000Z', source: 'Trade fair Berlin, stand 12', ...overrides });

describe('contacts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const rowCounts = async () => ({
    contacts: await h.db.contact.count(),
    consents: await h.db.consentEvent.count(),
    provenance: await h.db.provenance.count(),
    audit: await h.db.auditEvent.count(),
  });

  it('saves a contact with its consent, proof and provenance, and starts one welcome workflow holding IDs only', async () => {
    const { caller } = h.callerFor('marketer');
    const result = await caller.contacts.create({
      email: '  Lena.Schulz@Example.org ',
      firstName: 'Lena',
      lastName: 'Schulz',
      consent: consent(),
    });
    expect(result.automation).toBe('started');

    const contact = await h.db.contact.findUniqueOrThrow({ where: { id: result.id }, include: { consentEvents: true, provenance: true } });
    expect(contact.emailNormalized).toBe('lena.schulz@example.org');
    const [event] = contact.consentEvents;
    const wording = await h.db.consentWording.findFirstOrThrow({ where: { purposeId: 'newsletter', version: '2026-11', language: 'en' } });
    expect(event).toMatchObject({
      kind: 'granted',
      method: 'in_person',
      source: 'Trade fair Berlin, stand 12',
      wordingVersion: '2026-11',
      wordingHash: wording.textHash,
      actor: `user:${h.userId('marketer')}`,
    });
    expect(event!.occurredAt.toISOString()).toBe('2026-11-28T14:30:00.000Z');
    expect(event!.evidence).toEqual({ recordedVia: 'admin-ui', ip: '203.0.113.0' });
    // Provenance for the contact as a whole and for every value it came with.
    expect(contact.provenance.map((p) => p.field).sort()).toEqual(['email', 'first_name', 'last_name', null]);
    expect(new Set(contact.provenance.map((p) => `${p.source}/${p.legalBasis}`))).toEqual(new Set(['staff_entry/consent']));

    const handle = h.temporal.workflow.getHandle(welcomeWorkflowId(result.id, 'newsletter'));
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const stored = started?.input?.payloads?.[0];
    // What Temporal stores is ciphertext; decrypted, it holds IDs and nothing that names the person.
    expect(Buffer.from(stored?.data ?? new Uint8Array()).toString('latin1')).not.toContain(result.id);
    const [plain] = await h.codec.decode([stored!]);
    const payload = Buffer.from(plain!.data!).toString('utf8');
    expect(JSON.parse(payload)).toEqual({ version: 1, contactId: result.id, purposeId: 'newsletter', channel: 'email' });
    expect(payload).not.toMatch(/lena|schulz|@/i);

    // A second start (a double click, a retry) reaches the same workflow.
    expect((await caller.contacts.startWelcome({ id: result.id })).automation).toBe('already_started');
  });

  it('refuses a malformed address, names the field, and writes nothing', async () => {
    const before = await rowCounts();
    const error = await rejection(h.callerFor('marketer').caller.contacts.create({ email: 'lena.example.org', consent: consent() }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe('email: Enter a valid e-mail address, like name@example.org');
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses consent with a wording that does not exist, names the field, and writes nothing', async () => {
    const before = await rowCounts();
    const error = await rejection(
      h.callerFor('marketer').caller.contacts.create({ email: 'mia@example.org', consent: consent({ wordingVersion: '1999-01' }) }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.cause).toMatchObject({ code: 'WORDING_NOT_FOUND', field: 'consent.wordingVersion' });
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses special-category data (Art. 9) in the free-text source, names the field, and writes nothing', async () => {
    const before = await rowCounts();
    const error = await rejection(
      h
        .callerFor('marketer')
        .caller.contacts.create({ email: 'art9@example.org', consent: consent({ source: 'Met at the diabetes support group' }) }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.cause).toMatchObject({ code: 'SPECIAL_CATEGORY_DATA', field: 'consent.source' });
    expect(error.message).toContain('health data ("diabet")');
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a consent time in the future', async () => {
    const error = await rejection(
      h
        .callerFor('marketer')
        .caller.contacts.create({ email: 'future@example.org', consent: consent({ grantedAt: '2999-01-01T00:00:00.000Z' }) }),
    );
    expect(error.message).toBe('consent.grantedAt: The time of consent cannot be in the future');
  });

  it('refuses a second contact with the same address (any case) as a conflict on the e-mail field', async () => {
    const { caller } = h.callerFor('marketer');
    await caller.contacts.create({ email: 'jonas@example.org' });
    const before = await rowCounts();
    const error = await rejection(caller.contacts.create({ email: 'JONAS@example.org' }));
    expect(error.code).toBe('CONFLICT');
    expect(error.cause).toMatchObject({ code: 'CONTACT_EMAIL_TAKEN', field: 'email' });
    expect(await rowCounts()).toEqual(before);
  });

  it('shows the consent state folded by the policy, and logs the read', async () => {
    const { caller } = h.callerFor('marketer');
    const { id } = await caller.contacts.create({ email: 'state@example.org', consent: consent() });
    const detail = await caller.contacts.get({ id });
    expect(detail.consents).toEqual([{ purposeId: 'newsletter', channel: 'email', status: 'granted', since: '2026-11-28T14:30:00.000Z' }]);
    expect(detail.automation?.status).toBe('RUNNING');
    // What the page says is what the gate answers: the same function on the same reader.
    expect(detail.sendability).toEqual(
      expect.arrayContaining([
        { purposeId: 'newsletter', channel: 'email', allowed: true, legalBasis: 'consent', reasonCodes: [] },
        { purposeId: 'product_updates', channel: 'email', allowed: false, legalBasis: null, reasonCodes: ['NO_CONSENT'] },
      ]),
    );
    // One answer per consent purpose and channel of the catalogue, and only the granted one is a yes.
    const consentPurposes = await h.db.purpose.findMany({ where: { legalBasis: 'consent' }, select: { channels: true } });
    expect(detail.sendability).toHaveLength(consentPurposes.reduce((n, p) => n + p.channels.length, 0));
    expect(detail.sendability.filter((s) => s.allowed).map((s) => s.purposeId)).toEqual(['newsletter']);
    await h.db.suppressionEntry.create({
      data: { addressHash: suppressionHash(h.env.SUPPRESSION_KEY, 'STATE@example.org'), reason: 'test' },
    });
    const suppressed = await caller.contacts.get({ id });
    expect(suppressed.sendability.find((s) => s.purposeId === 'newsletter')).toMatchObject({ allowed: false, reasonCodes: ['SUPPRESSED'] });
    // Every read of the person's data is logged: two reads, two entries.
    expect(await h.db.auditEvent.count({ where: { action: 'contact.read', entityId: id } })).toBe(2);
  });
});
