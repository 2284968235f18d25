import { randomUUID } from 'node:crypto';
import type { Role } from '@zweck/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.ts';
import { rejection } from '../test/helpers.ts';
import { visibleFieldKeys } from './field-visibility.ts';

/**
 * Field-level need-to-know through the real routers and database: each role sees the fields of the
 * purposes it works for (`purpose.staff_roles`, seeded), plus the e-mail address; admin and DPO see
 * every field. Checked on every output that carries a contact's field values.
 */
describe('field-level need-to-know', () => {
  let h: Harness;
  let contactId: string;
  let twinId: string;
  let leadId: string;

  const VALUES = {
    email: 'greta.lang@example.org',
    firstName: 'Greta',
    lastName: 'Lang',
    phone: '030 7654321',
    organization: 'Havel Werke GmbH',
    attributes: { job_title: 'Head of Purchasing', city: 'Potsdam', notes: 'Prefers calls in the morning.' },
  };

  const callerOf = (role: Role) => h.callerFor(role).caller;

  beforeAll(async () => {
    h = await createHarness();
    ({ id: contactId } = await callerOf('admin').contacts.create(VALUES));
    // A second record with the same phone: a duplicate candidate of the first.
    ({ id: twinId } = await callerOf('admin').contacts.create({
      email: 'g.lang@havel.example',
      firstName: 'Greta',
      lastName: 'Lang',
      phone: '+49 30 7654321',
      allowPossibleDuplicate: true,
    }));
    const sales = h.userId('sales');
    await h.db.contact.updateMany({ where: { id: { in: [contactId, twinId] } }, data: { ownerId: sales } });
    leadId = randomUUID();
    await h.db.lead.create({
      data: {
        id: leadId,
        contactId,
        ownerId: sales,
        purposeId: 'sales_follow_up',
        channel: 'email',
        trigger: { kind: 'manual' },
        workflowId: `lead-handoff-test-${leadId}`,
        handoffKey: `test:${leadId}`,
        decisionId: randomUUID(),
        dueAt: new Date(Date.now() + 3_600_000),
      },
    });
    // A marketer opens one contact only with a logged reason (record level, contacts/read-access.ts).
    await callerOf('marketer').contacts.open({ id: contactId, reason: 'campaign_check' });
    await callerOf('marketer').contacts.open({ id: twinId, reason: 'campaign_check' });
  });
  afterAll(async () => h?.close());

  it('derives what each role sees from the purposes it works for', async () => {
    expect(await visibleFieldKeys(h.db, 'admin')).toBe('all');
    expect(await visibleFieldKeys(h.db, 'dpo')).toBe('all');
    const marketer = await visibleFieldKeys(h.db, 'marketer');
    expect(marketer !== 'all' && [...marketer].sort()).toEqual(['city', 'email', 'first_name', 'job_title', 'last_name', 'organization']);
    const sales = await visibleFieldKeys(h.db, 'sales');
    expect(sales !== 'all' && [...sales].sort()).toEqual([
      'city',
      'email',
      'first_name',
      'job_title',
      'last_name',
      'notes',
      'organization',
      'phone',
    ]);
  });

  it('withholds the phone and the notes from a marketer on contacts.get, and names them', async () => {
    const contact = await callerOf('marketer').contacts.get({ id: contactId });
    expect(contact).not.toHaveProperty('phone');
    expect(contact).not.toHaveProperty('phoneE164');
    expect(contact.values).toEqual({
      email: VALUES.email,
      first_name: 'Greta',
      last_name: 'Lang',
      organization: 'Havel Werke GmbH',
      job_title: 'Head of Purchasing',
      city: 'Potsdam',
    });
    expect(contact.hiddenFields).toEqual(['notes', 'phone']);
    expect(contact.provenance.map((p) => p.field).filter((f) => f === 'phone' || f === 'notes')).toEqual([]);
    // Nothing of the withheld values anywhere in the answer.
    const text = JSON.stringify(contact);
    expect(text).not.toContain('7654321');
    expect(text).not.toContain('morning');
  });

  it('gives sales the fields of sales follow-up and customer relationship', async () => {
    const contact = await callerOf('sales').contacts.get({ id: contactId });
    expect(contact).toMatchObject({ phone: '030 7654321', phoneE164: '+49307654321', hiddenFields: [] });
    expect(contact.values).toMatchObject({ phone: '030 7654321', notes: 'Prefers calls in the morning.', city: 'Potsdam' });
  });

  it('gives the DPO and administrators every field', async () => {
    for (const role of ['dpo', 'admin'] as const) {
      const contact = await callerOf(role).contacts.get({ id: contactId });
      expect(contact.hiddenFields).toEqual([]);
      expect(contact.values).toMatchObject({ phone: '030 7654321', notes: 'Prefers calls in the morning.' });
      expect(contact.phoneE164).toBe('+49307654321');
    }
  });

  it('redacts contacts.list, contacts.duplicates and contacts.checkDuplicates the same way', async () => {
    const marketer = callerOf('marketer');
    const [item] = await marketer.contacts.list({ search: 'greta.lang@' });
    expect(item).toMatchObject({ id: contactId, email: VALUES.email, firstName: 'Greta', hiddenFields: [] });
    const duplicates = await marketer.contacts.duplicates({ id: contactId });
    expect(duplicates.map((d) => d.contactId)).toEqual([twinId]);
    expect(duplicates[0]).toMatchObject({ email: 'g.lang@havel.example', firstName: 'Greta' });
    const probe = await marketer.contacts.checkDuplicates({ phone: '030 7654321' });
    expect(probe.map((d) => d.contactId).sort()).toEqual([contactId, twinId].sort());
    expect(JSON.stringify([item, duplicates, probe])).not.toContain('7654321');
  });

  it('renders a template preview with a real contact without the fields the role does not see', async () => {
    const draft = {
      kind: 'transactional' as const,
      subject: 'For {{first_name}}',
      html: '<p>Call {{phone}}.</p>',
      text: 'Call {{phone}}.',
    };
    const asMarketer = await callerOf('marketer').templates.preview({ draft, sampleContactId: contactId });
    expect(asMarketer.problems).toEqual([]);
    expect(asMarketer.rendered?.subject).toBe('For Greta');
    expect(asMarketer.rendered?.text).not.toContain('7654321');
    const asAdmin = await callerOf('admin').templates.preview({ draft, sampleContactId: contactId });
    expect(asAdmin.rendered?.text).toContain('030 7654321');
  });

  it('leaves the merge preview as it is: field keys only, no values', async () => {
    const { id: thirdId } = await callerOf('admin').contacts.create({
      email: 'greta@private.example',
      phone: '+49 30 7654321',
      attributes: { city: 'Potsdam' },
      allowPossibleDuplicate: true,
    });
    const marketer = callerOf('marketer');
    await marketer.contacts.open({ id: thirdId, reason: 'correction' });
    const plan = await marketer.contacts.mergePreview({ survivorId: twinId, duplicateId: thirdId });
    expect(plan.filled).toEqual(['city']);
    expect(JSON.stringify(plan)).not.toMatch(/Potsdam|7654321/);
  });

  it('refuses a marketer’s update of a withheld field, naming it, and writes nothing', async () => {
    const before = {
      contact: await h.db.contact.findUniqueOrThrow({ where: { id: contactId } }),
      provenance: await h.db.provenance.count({ where: { contactId } }),
      audit: await h.db.auditEvent.count({ where: { action: 'contact.update' } }),
    };
    const error = await rejection(
      callerOf('marketer').contacts.update({
        id: contactId,
        values: { email: VALUES.email, firstName: 'Greta', phone: '040 111222', attributes: { notes: 'Overwritten.' } },
      }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.cause).toMatchObject({ code: 'FIELD_NOT_VISIBLE', field: 'notes' });
    expect(Object.keys(error.cause.fieldErrors ?? {})).toEqual(['notes', 'phone']);
    // The refusal names the fields, never the stored values.
    expect(error.message).not.toMatch(/7654321|morning/);
    expect(await h.db.contact.findUniqueOrThrow({ where: { id: contactId } })).toEqual(before.contact);
    expect(await h.db.provenance.count({ where: { contactId } })).toBe(before.provenance);
    expect(await h.db.auditEvent.count({ where: { action: 'contact.update' } })).toBe(before.audit);
  });

  it('keeps the withheld values when a marketer saves the fields it sees', async () => {
    const { changed } = await callerOf('marketer').contacts.update({
      id: contactId,
      values: {
        email: VALUES.email,
        firstName: 'Greta',
        lastName: 'Lang',
        organization: 'Havel Werke GmbH',
        attributes: { job_title: 'Chief Purchasing Officer', city: 'Potsdam' },
      },
    });
    expect(changed).toEqual(['job_title']);
    const admin = await callerOf('admin').contacts.get({ id: contactId });
    expect(admin.values).toMatchObject({
      phone: '030 7654321',
      notes: 'Prefers calls in the morning.',
      job_title: 'Chief Purchasing Officer',
    });
  });

  it('shows a lead only the sales purpose’s fields the role sees, on leads.get and leads.inbox', async () => {
    const sales = callerOf('sales');
    const lead = await sales.leads.get({ id: leadId });
    expect(lead.hiddenFields).toEqual([]);
    expect(lead.fields.find((f) => f.key === 'phone')?.value).toBe('030 7654321');
    expect(lead.label).toBe('Greta Lang');
    const inbox = await sales.leads.inbox({ tab: 'mine' });
    expect(inbox.items.find((i) => i.id === leadId)).toMatchObject({ label: 'Greta Lang', organization: 'Havel Werke GmbH' });
  });

  it('refuses a marketer’s new contact with a withheld field, naming it, and writes nothing', async () => {
    const email = 'hanna.wolf@example.org';
    const audits = await h.db.auditEvent.count({ where: { action: 'contact.create' } });
    const error = await rejection(
      callerOf('marketer').contacts.create({ email, firstName: 'Hanna', phone: '030 5550101', attributes: { notes: 'Met at the fair.' } }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.cause).toMatchObject({ code: 'FIELD_NOT_VISIBLE', field: 'notes' });
    expect(Object.keys(error.cause.fieldErrors ?? {})).toEqual(['notes', 'phone']);
    expect(await h.db.contact.count({ where: { emailNormalized: email } })).toBe(0);
    expect(await h.db.auditEvent.count({ where: { action: 'contact.create' } })).toBe(audits);
    // The fields the role sees are accepted; an empty withheld field counts as absent.
    const { id } = await callerOf('marketer').contacts.create({ email, firstName: 'Hanna', phone: '', attributes: { city: 'Halle' } });
    expect(await h.db.contact.findUniqueOrThrow({ where: { id } })).toMatchObject({ firstName: 'Hanna', phone: null });
  });

  it('refuses a marketer’s import file with a withheld column, naming it, before any contact is looked up or written', async () => {
    // The existing contact holds another phone: a merge would have filled or compared it (KEPT_EXISTING_VALUE).
    const file = {
      format: 'csv' as const,
      content: `email,first_name,phone\n${VALUES.email},Greta,040 999888\nnew.person@example.org,Nina,\n`,
      source: 'Trade fair list',
      defaultLegalBasis: 'legitimate_interest' as const,
    };
    const contacts = await h.db.contact.count();
    const batches = await h.db.importBatch.count();
    for (const attempt of [
      () => callerOf('marketer').import.dryRun(file),
      () => callerOf('marketer').import.commit({ ...file, mode: 'valid_rows_only', expectedSha256: '0'.repeat(64) }),
    ]) {
      const error = await rejection(attempt());
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.cause).toMatchObject({ code: 'FIELD_NOT_VISIBLE', field: 'phone' });
      expect(error.message).toContain('“phone”');
      expect(error.message).not.toMatch(/7654321|999888/);
    }
    expect(await h.db.contact.count()).toBe(contacts);
    expect(await h.db.importBatch.count()).toBe(batches);
    expect((await h.db.contact.findUniqueOrThrow({ where: { id: contactId } })).phone).toBe('030 7654321');
    // The wizard's guide offers the marketer only the columns its role sees.
    const guide = await callerOf('marketer').import.guide();
    expect(guide.fields.map((f) => f.key)).not.toContain('phone');
    expect(guide.fields.map((f) => f.key)).toContain('email');

    // Without the withheld column the file goes through, and its notes name visible fields only.
    const visibleOnly = { ...file, content: `email,first_name,city\n${VALUES.email},Greta,Berlin\n` };
    const report = await callerOf('marketer').import.dryRun(visibleOnly);
    expect(report.rows[0]).toMatchObject({ outcome: 'merge', contactId });
    expect(report.rows[0]?.reasons.filter((r) => r.code === 'KEPT_EXISTING_VALUE').map((r) => r.field)).toEqual(['city']);

    // Admin and DPO see every field: the same file is checked, and the phone's difference is reported to them.
    for (const role of ['admin', 'dpo'] as const) {
      const asSeer = await callerOf(role).import.dryRun(file);
      expect(asSeer.rows[0]?.reasons.filter((r) => r.code === 'KEPT_EXISTING_VALUE').map((r) => r.field)).toEqual(['phone']);
    }
  });

  it('refuses a segment condition on a withheld field on create, update and preview, naming the condition', async () => {
    const onPhone = {
      version: 1 as const,
      match: 'all' as const,
      conditions: [
        { type: 'field' as const, field: 'city', op: 'equals' as const, value: 'Potsdam' },
        { type: 'field' as const, field: 'phone', op: 'contains' as const, value: '7654' },
      ],
    };
    const onCity = { ...onPhone, conditions: onPhone.conditions.slice(0, 1) };
    const marketer = callerOf('marketer');
    const name = `Need to know ${randomUUID().slice(0, 8)}`;
    const segments = await h.db.segment.count();
    const created = await marketer.segments.create({ name, description: '', definition: onCity });
    for (const attempt of [
      () => marketer.segments.create({ name: `${name} 2`, description: '', definition: onPhone }),
      () => marketer.segments.update({ id: created.id, name, description: '', definition: onPhone }),
      () => marketer.segments.preview({ definition: onPhone, purposeId: 'newsletter', channel: 'email' }),
    ]) {
      const error = await rejection(attempt());
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.cause).toMatchObject({ code: 'FIELD_NOT_VISIBLE', field: 'definition.conditions.1.field' });
    }
    expect(await h.db.segment.count()).toBe(segments + 1);
    expect((await marketer.segments.get({ id: created.id })).definition).toEqual(onCity);

    // Admin and DPO filter on any field.
    const asDpo = await callerOf('dpo').segments.preview({ definition: onPhone, purposeId: 'newsletter', channel: 'email' });
    expect(asDpo.count).toBeGreaterThan(0);
    const byAdmin = await callerOf('admin').segments.update({ id: created.id, name, description: '', definition: onPhone });
    expect(byAdmin.definition).toEqual(onPhone);
  });

  it('follows the DPO’s change of a purpose’s staff roles, audited like every catalogue change', async () => {
    const dpo = callerOf('dpo');
    const edit = async (purposeId: string, staffRoles: Role[]) => {
      const { id, name, description, legalBasis, isDirectMarketing, balancingTest, requiresDoubleOptIn, fields, ...rest } =
        await dpo.purposes.get({ id: purposeId });
      return dpo.purposes.update({
        id,
        name,
        description,
        legalBasis,
        channels: rest.channels as ('email' | 'phone')[],
        isDirectMarketing,
        balancingTest,
        requiresDoubleOptIn,
        doubleOptInDeadlineHours: rest.doubleOptInDeadlineHours,
        allowsExistingCustomerException: rest.allowsExistingCustomerException,
        retentionMonths: rest.retentionMonths,
        fields,
        staffRoles,
      });
    };

    // Marketers also work for customer relationship: they now see the phone and the notes.
    const widened = await edit('customer_relationship', ['sales', 'marketer']);
    expect(widened.staffRoles).toEqual(['marketer', 'sales']);
    const [entry] = await h.db.auditEvent.findMany({
      where: { action: 'purpose.update', entityId: 'customer_relationship' },
      orderBy: { id: 'desc' },
      take: 1,
    });
    expect(entry?.details).toMatchObject({
      changed: ['staffRoles'],
      'staffRoles.before': ['sales'],
      'staffRoles.after': ['marketer', 'sales'],
    });
    const marketerNow = await callerOf('marketer').contacts.get({ id: contactId });
    expect(marketerNow.hiddenFields).toEqual([]);
    expect(marketerNow.phone).toBe('030 7654321');

    // Sales no longer works for any purpose but sales calls: the lead shows only what that purpose uses.
    await edit('customer_relationship', ['marketer']);
    await edit('sales_follow_up', []);
    const sales = callerOf('sales');
    const contact = await sales.contacts.get({ id: contactId });
    expect(contact.hiddenFields).toEqual(['city', 'job_title', 'notes']);
    expect(contact).toMatchObject({ phone: '030 7654321', firstName: 'Greta' });
    const lead = await sales.leads.get({ id: leadId });
    expect(lead.hiddenFields).toEqual(['city', 'job_title']);
    expect(lead.fields.map((f) => f.key)).not.toContain('city');

    // Nobody works for sales calls either: sales sees the e-mail address alone, and leads are named by number.
    await edit('sales_calls', []);
    const bare = await sales.contacts.get({ id: contactId });
    expect(bare.values).toEqual({ email: VALUES.email });
    expect(bare).not.toHaveProperty('firstName');
    const listed = await sales.contacts.list({ search: 'greta' });
    // Found by the address, which sales still sees; not the contact sales does not own (greta@private.example).
    expect(listed.map((c) => c.id)).toEqual([contactId]);
    expect(listed[0]).not.toHaveProperty('lastName');
    expect(listed[0]?.hiddenFields).toEqual(['first_name', 'last_name', 'organization']);
    expect(await sales.contacts.list({ search: 'Werke' })).toEqual([]); // a withheld field is not searched
    const inbox = await sales.leads.inbox({ tab: 'mine' });
    expect(inbox.items.find((i) => i.id === leadId)).toMatchObject({ label: `Lead ${leadId.slice(0, 8)}`, organization: null });

    // An update that leaves the withheld fields out changes none of them.
    await sales.contacts.update({ id: contactId, values: { email: VALUES.email } });
    const kept = await h.db.contact.findUniqueOrThrow({ where: { id: contactId } });
    expect(kept).toMatchObject({ firstName: 'Greta', lastName: 'Lang', phone: '030 7654321', organization: 'Havel Werke GmbH' });
  });
});
