import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf, rejection } from '../../test/helpers.ts';
import { nextWordingVersion } from './wording-version.ts';

const BALANCING_TEST =
  'Interest: inviting existing business contacts to our own trade events. Impact: at most four invitations a year, ' +
  'each with an opt-out. Result: the interest prevails; business contacts expect such invitations.';

/** A purpose as the DPO's form sends it, with `overrides`. */
const purpose = (overrides: Record<string, unknown> = {}) => ({
  id: 'event_invitations',
  name: 'Event invitations',
  description: 'Invitations to our trade fair stands and customer events.',
  legalBasis: 'consent' as const,
  channels: ['email' as const],
  isDirectMarketing: true,
  balancingTest: null,
  requiresDoubleOptIn: true,
  doubleOptInDeadlineHours: 72,
  allowsExistingCustomerException: false,
  retentionMonths: 24,
  fields: ['email', 'first_name'],
  ...overrides,
});

describe('purposes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const rowCounts = async () => ({
    purposes: await h.db.purpose.count(),
    purposeFields: await h.db.purposeField.count(),
    wordings: await h.db.consentWording.count(),
    audit: await h.db.auditEvent.count(),
  });

  /** A contact who consented to `purposeId` under the given wording, written as the ledger records it. */
  async function consentUnder(purposeId: string, version: string, language: 'en' | 'de' = 'en') {
    const wording = await h.db.consentWording.findUniqueOrThrow({
      where: { purposeId_version_language: { purposeId, version, language } },
    });
    const id = randomUUID();
    await h.db.contact.create({ data: { id, email: `${id}@example.org`, emailNormalized: `${id}@example.org` } });
    return h.db.consentEvent.create({
      data: {
        contactId: id,
        purposeId,
        channel: 'email',
        kind: 'granted',
        occurredAt: new Date('2026-11-20T10:00:00.000Z'),
        method: 'web_form',
        source: 'test',
        wordingVersion: wording.version,
        wordingHash: wording.textHash,
        actor: 'contact',
      },
    });
  }

  it('lists the catalogue with rules, fields, and each wording with the consents given under it', async () => {
    await consentUnder('newsletter', '2026-11', 'en');
    await consentUnder('newsletter', '2026-11', 'en');
    await consentUnder('newsletter', '2026-11', 'de');
    const list = await h.callerFor('sales').caller.purposes.list();
    const newsletter = list.find((p) => p.id === 'newsletter')!;
    expect(newsletter).toMatchObject({
      legalBasis: 'consent',
      requiresDoubleOptIn: true,
      doubleOptInDeadlineHours: 72,
      allowsExistingCustomerException: false,
      retentionMonths: null,
      balancingTest: null,
      fields: ['city', 'email', 'first_name', 'last_name'],
      consentEventCount: 3,
    });
    expect(newsletter.wordings.map((w) => [w.version, w.language, w.consentCount])).toEqual([
      ['2026-11', 'de', 1],
      ['2026-11', 'en', 2],
    ]);
    expect(list.find((p) => p.id === 'consent_confirmation')?.balancingTest).toMatch(/^Interest:/);
    expect((await h.callerFor('marketer').caller.purposes.get({ id: 'newsletter' })).wordings).toEqual(newsletter.wordings);
  });

  it('adds a wording as a new version; consents given under the old one stay tied to its text, which never changes', async () => {
    const dpo = h.callerFor('dpo').caller;
    const event = await consentUnder('product_updates', '2026-11', 'en');
    const oldRow = await h.db.consentWording.findUniqueOrThrow({
      where: { purposeId_version_language: { purposeId: 'product_updates', version: '2026-11', language: 'en' } },
    });

    const text = 'Yes, tell me by e-mail about updates and new features of the products I use. I can withdraw this at any time.';
    const added = await dpo.purposes.addWording({ purposeId: 'product_updates', language: 'en', text: `  ${text}\n` });
    const expectedVersion = nextWordingVersion(['2026-11'], new Date());
    expect(added).toMatchObject({ version: expectedVersion, language: 'en', text, consentCount: 0 });
    expect(added.textHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(added.textHash).not.toBe(oldRow.textHash);

    // The history lists the new version first, the old one still there with its consent.
    const { wordings } = await dpo.purposes.get({ id: 'product_updates' });
    expect(wordings.filter((w) => w.language === 'en').map((w) => [w.version, w.consentCount])).toEqual([
      [expectedVersion, 0],
      ['2026-11', 1],
    ]);
    // The old row is untouched, and the ledger entry still names it.
    expect(
      await h.db.consentWording.findUniqueOrThrow({
        where: { purposeId_version_language: { purposeId: 'product_updates', version: '2026-11', language: 'en' } },
      }),
    ).toEqual(oldRow);
    expect(await h.db.consentEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({
      wordingVersion: '2026-11',
      wordingHash: oldRow.textHash,
    });
    // The database itself refuses to change a wording.
    await expect(
      h.db.$executeRaw`UPDATE consent_wording SET text = 'changed' WHERE purpose_id = 'product_updates' AND version = '2026-11'`,
    ).rejects.toThrow(/immutable/);

    // The German text of the same release gets the same version name.
    const de = await dpo.purposes.addWording({
      purposeId: 'product_updates',
      language: 'de',
      text: 'Ja, informieren Sie mich per E-Mail über Neuerungen der Produkte, die ich nutze. Widerruf jederzeit möglich.',
    });
    expect(de.version).toBe(expectedVersion);

    const entry = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'purpose.wording_add', entityId: 'product_updates' } });
    expect(entry).toMatchObject({ actor: `user:${h.userId('dpo')}`, entityType: 'purpose' });
    expect(entry.details).toEqual({ language: 'en', version: expectedVersion, textHash: added.textHash, previousVersion: '2026-11' });
  });

  it('refuses the text of the current version as a new version, and writes nothing', async () => {
    const dpo = h.callerFor('dpo').caller;
    const current = (await dpo.purposes.get({ id: 'newsletter' })).wordings.find((w) => w.language === 'en')!;
    const before = await rowCounts();
    const error = await rejection(dpo.purposes.addWording({ purposeId: 'newsletter', language: 'en', text: current.text }));
    expect(error.code).toBe('CONFLICT');
    expect(error.cause).toMatchObject({ code: 'WORDING_UNCHANGED', field: 'text' });
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a wording for a purpose that does not rest on consent', async () => {
    const error = await rejection(
      h.callerFor('admin').caller.purposes.addWording({
        purposeId: 'consent_confirmation',
        language: 'en',
        text: 'Please confirm your subscription by clicking the link.',
      }),
    );
    expect(error.cause).toMatchObject({ code: 'WORDING_NEEDS_CONSENT_BASIS', field: 'text' });
  });

  it('creates a purpose with its fields, and audits it', async () => {
    const created = await h.callerFor('dpo').caller.purposes.create(purpose());
    expect(created).toMatchObject({ id: 'event_invitations', fields: ['email', 'first_name'], wordings: [], consentEventCount: 0 });
    const entry = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'purpose.create', entityId: 'event_invitations' } });
    expect(entry.details).toMatchObject({ legalBasis: 'consent', fields: ['email', 'first_name'], retentionMonths: 24 });

    const error = await rejection(h.callerFor('dpo').caller.purposes.create(purpose({ name: 'Again' })));
    expect(error.code).toBe('CONFLICT');
    expect(error.cause).toMatchObject({ code: 'PURPOSE_ID_TAKEN', field: 'id' });
  });

  it('refuses legitimate interest without a written balancing test, names the field, and writes nothing', async () => {
    const dpo = h.callerFor('dpo').caller;
    const before = await rowCounts();
    const li = { id: 'trade_fair_followup', legalBasis: 'legitimate_interest', requiresDoubleOptIn: false, isDirectMarketing: false };
    for (const balancingTest of [null, '', 'We want to.']) {
      const error = await rejection(dpo.purposes.create(purpose({ ...li, balancingTest })));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.cause).toMatchObject({ code: 'BALANCING_TEST_REQUIRED', field: 'balancingTest' });
      expect(error.message).toContain('Art. 6(1)(f)');
    }
    expect(await rowCounts()).toEqual(before);

    const created = await dpo.purposes.create(purpose({ ...li, balancingTest: BALANCING_TEST }));
    expect(created.balancingTest).toBe(BALANCING_TEST);
    // Taking the balancing test away later is refused just the same.
    const error = await rejection(dpo.purposes.update(purpose({ ...li, balancingTest: '   ' })));
    expect(error.cause).toMatchObject({ code: 'BALANCING_TEST_REQUIRED', field: 'balancingTest' });
  });

  it('allows double opt-in and the existing-customer exception only for e-mail consent (and that exception only for direct marketing)', async () => {
    const dpo = h.callerFor('dpo').caller;
    const cases = [
      [{ channels: ['post'] }, 'DOUBLE_OPT_IN_NOT_APPLICABLE', 'requiresDoubleOptIn'],
      [{ legalBasis: 'contract' }, 'DOUBLE_OPT_IN_NOT_APPLICABLE', 'requiresDoubleOptIn'],
      [
        { allowsExistingCustomerException: true, isDirectMarketing: false },
        'EXISTING_CUSTOMER_EXCEPTION_NOT_APPLICABLE',
        'allowsExistingCustomerException',
      ],
      [
        { allowsExistingCustomerException: true, requiresDoubleOptIn: false, channels: ['phone'] },
        'EXISTING_CUSTOMER_EXCEPTION_NOT_APPLICABLE',
        'allowsExistingCustomerException',
      ],
      [{ balancingTest: BALANCING_TEST }, 'BALANCING_TEST_NOT_APPLICABLE', 'balancingTest'],
      [{ fields: ['email', 'shoe_size'] }, 'FIELD_NOT_FOUND', 'fields'],
    ] as const;
    for (const [overrides, code, field] of cases) {
      const error = await rejection(dpo.purposes.update(purpose(overrides)));
      expect(error.cause, code).toMatchObject({ code, field });
    }
    // Bad values are refused by the input schema, field by field.
    const bad = await rejection(dpo.purposes.update(purpose({ channels: [], retentionMonths: 601 })));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toContain('channels: Choose at least one channel');
    expect(bad.message).toContain('retentionMonths: At most 600 months');
    expect((await rejection(dpo.purposes.update(purpose({ channels: ['fax'] })))).code).toBe('BAD_REQUEST');
  });

  it('records what changed, and only that', async () => {
    const dpo = h.callerFor('dpo').caller;
    await dpo.purposes.update(purpose({ retentionMonths: 36, fields: ['email', 'first_name', 'city'] }));
    const updated = await dpo.purposes.get({ id: 'event_invitations' });
    expect(updated).toMatchObject({ retentionMonths: 36, fields: ['city', 'email', 'first_name'] });
    const entry = await h.db.auditEvent.findFirstOrThrow({
      where: { action: 'purpose.update', entityId: 'event_invitations' },
      orderBy: { id: 'desc' },
    });
    expect(entry.details).toEqual({
      changed: ['retentionMonths', 'fields'],
      'retentionMonths.before': 24,
      'retentionMonths.after': 36,
      'fields.before': ['email', 'first_name'],
      'fields.after': ['city', 'email', 'first_name'],
    });
    // Saving the same values again changes nothing and records nothing.
    const audits = await h.db.auditEvent.count();
    await dpo.purposes.update(purpose({ retentionMonths: 36, fields: ['city', 'email', 'first_name'] }));
    expect(await h.db.auditEvent.count()).toBe(audits);
  });

  it('changes the legal basis of a purpose nobody consented to yet, and refuses it once consents exist', async () => {
    const dpo = h.callerFor('dpo').caller;
    const asContract = purpose({ legalBasis: 'contract', requiresDoubleOptIn: false, isDirectMarketing: false });
    expect((await dpo.purposes.update(asContract)).legalBasis).toBe('contract');
    await dpo.purposes.update(purpose());

    const consents = await h.db.consentEvent.count({ where: { purposeId: 'newsletter' } });
    expect(consents).toBeGreaterThan(0);
    const newsletter = await dpo.purposes.get({ id: 'newsletter' });
    const before = await rowCounts();
    const error = await rejection(
      dpo.purposes.update({
        ...newsletter,
        channels: ['email'],
        legalBasis: 'legitimate_interest',
        balancingTest: BALANCING_TEST,
        requiresDoubleOptIn: false,
      }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.cause).toMatchObject({ code: 'LEGAL_BASIS_LOCKED', field: 'legalBasis' });
    expect(error.message).toContain(`${consents} consent events are recorded`);
    expect(error.message).toContain('Create a new purpose instead');
    expect(await rowCounts()).toEqual(before);
    expect((await dpo.purposes.get({ id: 'newsletter' })).legalBasis).toBe('consent');
  });

  it('keeps the basis and the e-mail channel of the purposes Zweck itself sends under', async () => {
    const dpo = h.callerFor('dpo').caller;
    const confirmation = await dpo.purposes.get({ id: 'consent_confirmation' });
    const error = await rejection(dpo.purposes.update({ ...confirmation, channels: ['post'] as const }));
    expect(error.cause).toMatchObject({ code: 'SYSTEM_PURPOSE_LOCKED', field: 'channels' });
    // Its description and balancing test are the DPO's to word.
    const reworded = await dpo.purposes.update({
      ...confirmation,
      channels: ['email'],
      description: 'One e-mail that asks you to confirm your subscription.',
    });
    expect(reworded.description).toBe('One e-mail that asks you to confirm your subscription.');
  });

  it('lets every signed-in role read the catalogue, and only the DPO and administrators change it', async () => {
    const before = await rowCounts();
    for (const role of ['marketer', 'sales'] as const) {
      const { caller } = h.callerFor(role);
      expect(await codeOf(caller.purposes.list())).toBe('OK');
      expect(await codeOf(caller.purposes.create(purpose({ id: 'sneaky' })))).toBe('FORBIDDEN');
      expect(await codeOf(caller.purposes.update(purpose()))).toBe('FORBIDDEN');
      expect(
        await codeOf(caller.purposes.addWording({ purposeId: 'newsletter', language: 'en', text: 'Yes, anything goes, really.' })),
      ).toBe('FORBIDDEN');
    }
    expect(await codeOf(h.callerFor(null).caller.purposes.list())).toBe('UNAUTHORIZED');
    expect(await rowCounts()).toEqual(before);
    expect(await codeOf(h.callerFor('admin').caller.purposes.update(purpose({ retentionMonths: 12 })))).toBe('OK');
  });
});
