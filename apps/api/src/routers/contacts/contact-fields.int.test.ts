import { welcomeWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { rejection } from '../../test/helpers.ts';

describe('contact fields, duplicates and merge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const rowCounts = async () => ({
    contacts: await h.db.contact.count(),
    provenance: await h.db.provenance.count(),
    audit: await h.db.auditEvent.count(),
  });

  it('stores catalogue fields with the phone in E.164 and provenance for every value', async () => {
    // An administrator enters the phone and the notes: marketers may not (field-level need-to-know, field-visibility.int.test.ts).
    const { caller } = h.callerFor('marketer');
    const { id } = await h.callerFor('admin').caller.contacts.create({
      email: 'clara.hoffmann@example.org',
      firstName: 'Clara',
      lastName: 'Hoffmann',
      phone: '030 1234567',
      organization: 'Spree Analytics GmbH',
      attributes: { job_title: 'Head of Data', notes: 'Asked about the Q1 pilot.' },
    });
    const contact = await h.db.contact.findUniqueOrThrow({ where: { id }, include: { provenance: true } });
    expect(contact).toMatchObject({ phone: '030 1234567', phoneE164: '+49301234567', organization: 'Spree Analytics GmbH' });
    // Free text is sealed in the row (Art. 32); src/contacts/field-encryption.int.test.ts covers it in full.
    expect(Object.keys(contact.attributes as object).sort()).toEqual(['job_title', 'notes']);
    expect(contact.attributes).toMatchObject({ job_title: 'Head of Data' });
    expect(JSON.stringify(contact.attributes)).not.toContain('Q1 pilot');
    expect(contact.provenance.map((p) => p.field ?? '(contact)').sort()).toEqual(
      ['(contact)', 'email', 'first_name', 'job_title', 'last_name', 'notes', 'organization', 'phone'].sort(),
    );
    // Marketers work for no purpose that uses the phone or the notes (field-level need-to-know): the
    // record shows them only to those whose work needs them.
    await caller.contacts.open({ id, reason: 'campaign_check' });
    const detail = await caller.contacts.get({ id });
    expect(detail.values).toMatchObject({ job_title: 'Head of Data' });
    expect(detail.hiddenFields).toEqual(['notes', 'phone']);
    const full = await h.callerFor('dpo').caller.contacts.get({ id });
    expect(full.values).toMatchObject({ phone: '030 1234567', job_title: 'Head of Data' });
    // The list shows the organization and finds the contact by it.
    const found = await caller.contacts.list({ search: 'spree analytics' });
    expect(found.map((c) => [c.id, c.organization])).toEqual([[id, 'Spree Analytics GmbH']]);
  });

  it('refuses every wrong value at once, each named by its field, and writes nothing', async () => {
    const before = await rowCounts();
    // An administrator, who may fill every field: the values themselves are what is wrong.
    const error = await rejection(
      h.callerFor('admin').caller.contacts.create({
        email: 'wrong@example.org',
        phone: '12',
        attributes: { shoe_size: '44', notes: 'Has been in hospital since May' },
      }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.cause.code).toBe('SPECIAL_CATEGORY_DATA');
    expect(Object.keys(error.cause.fieldErrors ?? {}).sort()).toEqual(['notes', 'phone', 'shoe_size']);
    expect(error.cause.fieldErrors?.shoe_size).toEqual(['shoe_size: there is no such field in the field catalogue']);
    expect(error.cause.fieldErrors?.notes?.[0]).toContain('health data ("hospital")');
    expect(error.cause.fieldErrors?.phone?.[0]).toContain('not a valid phone number');
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a value for a field that no purpose uses (Art. 5(1)(b))', async () => {
    await h.db.fieldDefinition.create({
      data: { key: 'hobby', label: 'Hobby', description: 'Unused', category: 'preference', type: 'text' },
    });
    // An administrator sees every field; a marketer would be refused earlier (no purpose it works for uses the field).
    const error = await rejection(
      h.callerFor('admin').caller.contacts.create({ email: 'hobby@example.org', attributes: { hobby: 'Sailing' } }),
    );
    expect(error.cause).toMatchObject({ code: 'INVALID_FIELD_VALUES', field: 'hobby' });
    expect(error.message).toContain('no purpose of the catalogue uses this field');
  });

  it('finds duplicates by phone and by a similar name at a similar organization, and asks before saving', async () => {
    // An administrator: marketers may not enter a phone number (field-level need-to-know).
    const { caller } = h.callerFor('admin');
    const first = await caller.contacts.create({
      email: 'peter.mueller@nordwind.example',
      firstName: 'Peter',
      lastName: 'Müller',
      phone: '+49 40 555 0100',
      organization: 'Nordwind Logistik GmbH',
    });
    // The same number, written the German way.
    const byPhone = await rejection(caller.contacts.create({ email: 'p.mueller@private.example', phone: '040 5550100' }));
    expect(byPhone.code).toBe('CONFLICT');
    expect(byPhone.cause).toMatchObject({ code: 'POSSIBLE_DUPLICATE', field: 'phone' });
    // A typo in the name, the organization without its legal form.
    const probe = { email: 'peter@nordwind.example', firstName: 'Peter', lastName: 'Mueller', organization: 'Nordwind Logistik' };
    const byName = await rejection(caller.contacts.create(probe));
    expect(byName.cause.code).toBe('POSSIBLE_DUPLICATE');
    const candidates = await caller.contacts.checkDuplicates(probe);
    expect(candidates).toEqual([expect.objectContaining({ contactId: first.id, reasons: ['name_and_organization'] })]);
    // Another person at another company is not a duplicate.
    expect(await caller.contacts.checkDuplicates({ firstName: 'Petra', lastName: 'Schmidt', organization: 'Alster Bau AG' })).toEqual([]);
    // Saved anyway, knowingly; both records then see each other.
    const second = await caller.contacts.create({ ...probe, allowPossibleDuplicate: true });
    expect((await caller.contacts.duplicates({ id: second.id })).map((c) => c.contactId)).toEqual([first.id]);
  });

  it('refuses to merge an open lead, and moves score history and answered leads with the person', async () => {
    const { caller } = h.callerFor('marketer');
    const survivor = await caller.contacts.create({ email: 'lead.survivor@example.org', firstName: 'Lea' });
    const duplicate = await caller.contacts.create({ email: 'lead.duplicate@example.org', firstName: 'Lea' });
    const rep = await h.db.user.findFirstOrThrow({ where: { role: 'sales' } });
    const decisionId = crypto.randomUUID();
    await h.db.scoreEvent.create({
      data: {
        id: crypto.randomUUID(),
        contactId: duplicate.id,
        points: 25,
        reason: 'clicked',
        decisionId,
        idempotencyKey: `merge-test:${duplicate.id}`,
        occurredAt: new Date(),
      },
    });
    const lead = await h.db.lead.create({
      data: {
        id: crypto.randomUUID(),
        contactId: duplicate.id,
        ownerId: rep.id,
        purposeId: 'sales_follow_up',
        channel: 'email',
        trigger: { kind: 'manual' },
        workflowId: `handoff:${duplicate.id}`,
        handoffKey: `merge-test:${duplicate.id}`,
        decisionId,
        dueAt: new Date(Date.now() + 86_400_000),
      },
    });

    const refused = await rejection(caller.contacts.merge({ survivorId: survivor.id, duplicateId: duplicate.id }));
    expect(refused.cause.code).toBe('MERGE_BLOCKED_BY_OPEN_LEAD');
    expect(await h.db.contact.count({ where: { id: duplicate.id } })).toBe(1);

    await h.db.lead.update({ where: { id: lead.id }, data: { status: 'accepted', acceptedAt: new Date() } });
    await caller.contacts.merge({ survivorId: survivor.id, duplicateId: duplicate.id });
    expect(await h.db.scoreEvent.count({ where: { contactId: survivor.id } })).toBe(1);
    expect(await h.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).toMatchObject({ contactId: survivor.id, status: 'accepted' });
  });

  it('merges two records of one person: union of ledgers and provenance, empty fields filled, the merge recorded', async () => {
    // An administrator: the duplicate carries a phone number, which marketers may not enter (field-level need-to-know).
    const { caller } = h.callerFor('admin');
    const wording = await h.db.consentWording.findFirstOrThrow({ where: { purposeId: 'newsletter', language: 'en' } });
    const survivor = await caller.contacts.create({
      email: 'anna.klein@example.org',
      firstName: 'Anna',
      lastName: 'Klein',
      consent: {
        purposeId: 'newsletter',
        channel: 'email',
        method: 'in_person',
        wordingVersion: wording.version,
        wordingLanguage: 'en',
        grantedAt: '2026-11-20T10:00:00.000Z',
        source: 'Trade fair Hamburg',
      },
    });
    const duplicate = await caller.contacts.create({
      email: 'a.klein@work.example',
      firstName: 'Anna',
      lastName: 'Kleine',
      phone: '+49 89 1234 5678',
      organization: 'Isar Consulting',
      attributes: { job_title: 'CFO' },
      allowPossibleDuplicate: true,
    });
    const duplicateEvent = await h.db.consentEvent.create({
      data: {
        contactId: duplicate.id,
        purposeId: 'product_updates',
        channel: 'email',
        kind: 'granted',
        occurredAt: new Date('2026-11-21T09:00:00.000Z'),
        method: 'web_form',
        source: 'website',
        actor: 'contact',
      },
    });
    const ledgerBefore = await h.db.consentEvent.findMany({
      where: { contactId: { in: [survivor.id, duplicate.id] } },
      orderBy: { id: 'asc' },
    });
    const provenanceBefore = await h.db.provenance.count({ where: { contactId: { in: [survivor.id, duplicate.id] } } });

    const preview = await caller.contacts.mergePreview({ survivorId: survivor.id, duplicateId: duplicate.id });
    expect(preview.filled.sort()).toEqual(['job_title', 'organization', 'phone']);
    expect(preview.discarded.sort()).toEqual(['email', 'last_name']);
    expect(preview.moved.consentEvents).toBe(1);
    // A preview changes nothing.
    expect(await h.db.contact.count({ where: { id: duplicate.id } })).toBe(1);

    const plan = await caller.contacts.merge({ survivorId: survivor.id, duplicateId: duplicate.id });
    expect(plan).toEqual(preview);
    const merged = await h.db.contact.findUniqueOrThrow({ where: { id: survivor.id }, include: { consentEvents: true, provenance: true } });
    expect(merged).toMatchObject({
      email: 'anna.klein@example.org',
      lastName: 'Klein',
      phoneE164: '+498912345678',
      organization: 'Isar Consulting',
    });
    expect(merged.attributes).toEqual({ job_title: 'CFO' });
    // The ledger is the union, each event unchanged (same id, proof and times).
    const ledgerAfter = await h.db.consentEvent.findMany({ where: { contactId: survivor.id }, orderBy: { id: 'asc' } });
    expect(ledgerAfter.map(({ contactId: _c, ...rest }) => rest)).toEqual(ledgerBefore.map(({ contactId: _c, ...rest }) => rest));
    expect(ledgerAfter.find((e) => e.id === duplicateEvent.id)).toBeDefined();
    // Provenance: everything both had, plus the merge for the contact and each filled field, and
    // for each field whose survivor value was kept its own row once more (so it is the newest).
    expect(merged.provenance).toHaveLength(provenanceBefore + 1 + 3 + 2);
    const mergeRows = (reference: string) =>
      merged.provenance
        .filter((p) => p.source === 'merge' && p.reference === reference)
        .map((p) => p.field ?? '(contact)')
        .sort();
    expect(mergeRows(`contact:${duplicate.id}`)).toEqual(['(contact)', 'job_title', 'organization', 'phone']);
    // For each kept value the newest row is again the survivor's own (staff entry), not the duplicate's.
    for (const field of ['email', 'last_name']) {
      const newest = merged.provenance.filter((p) => p.field === field).sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime())[0];
      expect(newest).toMatchObject({ source: 'staff_entry', reference: 'admin-ui' });
    }
    expect(await h.db.contact.count({ where: { id: duplicate.id } })).toBe(0);
    // The merged-away record's welcome workflow ends instead of acting on a missing contact.
    const ended = await h.temporal.workflow.getHandle(welcomeWorkflowId(duplicate.id, 'newsletter')).describe();
    expect(ended.status.name).toBe('TERMINATED');
    const entry = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'contact.merge', entityId: survivor.id } });
    expect(entry.details).toMatchObject({ duplicateId: duplicate.id, movedConsentEvents: 1 });
    // The state the page and the gate read is the union too.
    const detail = await caller.contacts.get({ id: survivor.id });
    expect(detail.consents.map((c) => `${c.purposeId}:${c.status}`).sort()).toEqual(['newsletter:granted', 'product_updates:granted']);
  });

  it('refuses to merge a contact with itself or with an erased one', async () => {
    const { caller } = h.callerFor('dpo');
    const a = await h.callerFor('marketer').caller.contacts.create({ email: 'self@example.org' });
    expect((await rejection(caller.contacts.merge({ survivorId: a.id, duplicateId: a.id }))).cause.code).toBe('MERGE_SAME_CONTACT');
    const b = await h.callerFor('marketer').caller.contacts.create({ email: 'erased@example.org' });
    await h.db.contact.update({ where: { id: b.id }, data: { status: 'erased' } });
    expect((await rejection(caller.contacts.merge({ survivorId: a.id, duplicateId: b.id }))).cause.code).toBe('MERGE_NOT_ALLOWED');
    expect(await h.db.contact.count({ where: { id: { in: [a.id, b.id] } } })).toBe(2);
  });

  it('updates values and records provenance for the changed fields only', async () => {
    const { caller } = h.callerFor('sales');
    const { id } = await h.callerFor('marketer').caller.contacts.create({ email: 'owned@example.org', firstName: 'Olga' });
    await h.db.contact.update({ where: { id }, data: { ownerId: h.userId('sales') } });
    const result = await caller.contacts.update({
      id,
      values: { email: 'owned@example.org', firstName: 'Olga', organization: 'Elbe Werft', attributes: { city: 'Hamburg' } },
    });
    expect(result.changed.sort()).toEqual(['city', 'organization']);
    const provenance = await h.db.provenance.findMany({ where: { contactId: id, actor: `user:${h.userId('sales')}` } });
    expect(provenance.map((p) => p.field).sort()).toEqual(['city', 'organization']);
    // The same values again change nothing and record nothing.
    expect(
      (
        await caller.contacts.update({
          id,
          values: { email: 'owned@example.org', firstName: 'Olga', organization: 'Elbe Werft', attributes: { city: 'Hamburg' } },
        })
      ).changed,
    ).toEqual([]);
  });
});
