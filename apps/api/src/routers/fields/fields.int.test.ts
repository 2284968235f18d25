import { randomUUID } from 'node:crypto';
import { SPECIAL_DATA_CATEGORIES } from '@zweck/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf, rejection } from '../../test/helpers.ts';

const field = (overrides: Record<string, unknown> = {}) => ({
  key: 'industry',
  label: 'Industry',
  description: 'The sector the organization works in, to choose relevant content.',
  category: 'professional',
  type: 'text' as const,
  purposeIds: ['newsletter'],
  ...overrides,
});

describe('fields', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const rowCounts = async () => ({
    fields: await h.db.fieldDefinition.count(),
    purposeFields: await h.db.purposeField.count(),
    audit: await h.db.auditEvent.count(),
  });

  it('lists the catalogue with the purposes that use each field', async () => {
    const list = await h.callerFor('sales').caller.fields.list();
    const email = list.find((f) => f.key === 'email')!;
    expect(email).toMatchObject({ category: 'contact', type: 'email', isBuiltin: true, contactsWithValue: null });
    expect(email.purposes.map((p) => p.id)).toEqual(
      expect.arrayContaining(['consent_confirmation', 'data_subject_rights', 'newsletter', 'product_updates']),
    );
    expect(list.find((f) => f.key === 'job_title')).toMatchObject({ isBuiltin: false, contactsWithValue: 0 });
  });

  it('creates a field with its purposes, and audits it', async () => {
    const created = await h.callerFor('dpo').caller.fields.create(field());
    expect(created).toMatchObject({ key: 'industry', isBuiltin: false, category: 'professional', contactsWithValue: 0 });
    expect(created.purposes).toEqual([{ id: 'newsletter', name: 'Newsletter' }]);
    expect((await h.callerFor('dpo').caller.purposes.get({ id: 'newsletter' })).fields).toContain('industry');
    const entry = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'field.create', entityId: 'industry' } });
    expect(entry).toMatchObject({ actor: `user:${h.userId('dpo')}`, entityType: 'field' });
    expect(entry.details).toMatchObject({ category: 'professional', type: 'text', purposeIds: ['newsletter'] });
  });

  it('refuses every special category of Art. 9(1), names the field, and writes nothing', async () => {
    const before = await rowCounts();
    for (const category of SPECIAL_DATA_CATEGORIES) {
      const error = await rejection(h.callerFor('dpo').caller.fields.create(field({ key: 'sensitive', label: 'Sensitive', category })));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.cause).toMatchObject({ code: 'SPECIAL_CATEGORY_FIELD', field: 'category' });
      expect(error.message).toContain('Art. 9(1) GDPR');
    }
    // Nor may an existing field be turned into one.
    const error = await rejection(
      h.callerFor('dpo').caller.fields.update(field({ key: 'job_title', label: 'Job title', category: 'health' })),
    );
    expect(error.cause).toMatchObject({ code: 'SPECIAL_CATEGORY_FIELD', field: 'category' });
    expect(await rowCounts()).toEqual(before);
    expect(await h.db.fieldDefinition.findUnique({ where: { key: 'sensitive' } })).toBeNull();
  });

  it('refuses a special category hidden under an ordinary one, by its label or key', async () => {
    const before = await rowCounts();
    const byLabel = await rejection(
      h.callerFor('dpo').caller.fields.create(field({ key: 'faith', label: 'Religion', category: 'preference' })),
    );
    expect(byLabel.cause).toMatchObject({ code: 'SPECIAL_CATEGORY_FIELD', field: 'label' });
    const byKey = await rejection(
      h.callerFor('dpo').caller.fields.create(field({ key: 'union_member', label: 'Member', category: 'professional' })),
    );
    expect(byKey.cause).toMatchObject({ code: 'SPECIAL_CATEGORY_FIELD', field: 'key' });
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a taken key as a conflict, and bad keys and categories as bad input', async () => {
    const dpo = h.callerFor('dpo').caller;
    const before = await rowCounts();
    const taken = await rejection(dpo.fields.create(field({ key: 'email' })));
    expect(taken.code).toBe('CONFLICT');
    expect(taken.cause).toMatchObject({ code: 'FIELD_KEY_TAKEN', field: 'key' });
    const badKey = await rejection(dpo.fields.create(field({ key: 'Shoe Size' })));
    expect(badKey.code).toBe('BAD_REQUEST');
    expect(badKey.message).toContain('key: a field key is lower-case letters, digits and underscores');
    const badCategory = await rejection(dpo.fields.create(field({ key: 'shoe_size', category: 'fashion' })));
    expect(badCategory.message).toContain('category: Choose one of: identity, contact');
    const badPurpose = await rejection(dpo.fields.create(field({ key: 'shoe_size', purposeIds: ['no_such_purpose'] })));
    expect(badPurpose.cause).toMatchObject({ code: 'PURPOSE_NOT_FOUND', field: 'purposeIds' });
    expect(await rowCounts()).toEqual(before);
  });

  it('changes label, category and purposes; the type only while no contact holds a value', async () => {
    const dpo = h.callerFor('dpo').caller;
    await dpo.fields.create(field({ key: 'website', label: 'Website', type: 'text', purposeIds: [] }));
    const retyped = await dpo.fields.update(
      field({ key: 'website', label: 'Company website', type: 'url', purposeIds: ['product_updates'] }),
    );
    expect(retyped).toMatchObject({
      label: 'Company website',
      type: 'url',
      purposes: [{ id: 'product_updates', name: 'Product updates' }],
    });
    const entry = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'field.update', entityId: 'website' } });
    expect(entry.details).toMatchObject({
      changed: ['label', 'type', 'purposeIds'],
      'type.before': 'text',
      'type.after': 'url',
      'purposeIds.before': [],
      'purposeIds.after': ['product_updates'],
    });

    const id = randomUUID();
    await h.db.contact.create({
      data: { id, email: `${id}@example.org`, emailNormalized: `${id}@example.org`, attributes: { website: 'https://example.org' } },
    });
    expect((await dpo.fields.get({ key: 'website' })).contactsWithValue).toBe(1);
    const before = await rowCounts();
    const locked = await rejection(dpo.fields.update(field({ key: 'website', label: 'Company website', type: 'text' })));
    expect(locked.code).toBe('CONFLICT');
    expect(locked.cause).toMatchObject({ code: 'FIELD_TYPE_LOCKED', field: 'type' });
    expect(locked.message).toContain('1 contact has a value');
    expect(await rowCounts()).toEqual(before);
    // Everything else stays editable.
    expect((await dpo.fields.update(field({ key: 'website', label: 'Website', type: 'url', category: 'professional' }))).label).toBe(
      'Website',
    );
  });

  it('keeps the type of built-in fields', async () => {
    const dpo = h.callerFor('admin').caller;
    const error = await rejection(
      dpo.fields.update(field({ key: 'phone', label: 'Phone', category: 'contact', type: 'text', purposeIds: [] })),
    );
    expect(error.cause).toMatchObject({ code: 'FIELD_TYPE_LOCKED', field: 'type' });
    const relabelled = await dpo.fields.update(
      field({ key: 'phone', label: 'Business phone', category: 'contact', type: 'phone', purposeIds: [] }),
    );
    expect(relabelled).toMatchObject({ label: 'Business phone', type: 'phone', isBuiltin: true });
  });

  it('lets every signed-in role read the catalogue, and only the DPO and administrators change it', async () => {
    const before = await rowCounts();
    for (const role of ['marketer', 'sales'] as const) {
      const { caller } = h.callerFor(role);
      expect(await codeOf(caller.fields.list())).toBe('OK');
      expect(await codeOf(caller.fields.create(field({ key: 'sneaky' })))).toBe('FORBIDDEN');
      expect(await codeOf(caller.fields.update(field({ key: 'job_title' })))).toBe('FORBIDDEN');
    }
    expect(await codeOf(h.callerFor(null).caller.fields.list())).toBe('UNAUTHORIZED');
    expect(await rowCounts()).toEqual(before);
  });
});
