import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../audit-chain.ts';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf, rejection } from '../../test/helpers.ts';

/** A processor as the DPO's form sends it, with `overrides`. */
const processor = (overrides: Record<string, unknown> = {}) => ({
  name: 'Postwerk Versand GmbH',
  service: 'Delivery of e-mail',
  noticeEmail: 'datenschutz@postwerk.example',
  contractSignedOn: '2025-03-14',
  country: 'DE',
  transferMechanism: 'eu_eea' as const,
  dataCategories: ['identity' as const, 'contact' as const],
  purposeIds: ['newsletter', 'product_updates'],
  reviewOn: '2027-03-14',
  ...overrides,
});

describe('processors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const rowCounts = async () => ({
    processors: await h.db.processor.count(),
    links: await h.db.processorPurpose.count(),
    audit: await h.db.auditEvent.count(),
  });

  it('lets the DPO create and update a processor, audits both, and lets admins read only', async () => {
    const dpo = h.callerFor('dpo').caller;
    const created = await dpo.processors.create(processor({ country: 'de' }));
    expect(created).toMatchObject({
      name: 'Postwerk Versand GmbH',
      country: 'DE',
      countryName: 'Germany',
      isThirdCountryTransfer: false,
      contractSignedOn: '2025-03-14',
      reviewOn: '2027-03-14',
      purposeIds: ['newsletter', 'product_updates'],
    });
    const createdEntry = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'processor.create', entityId: created.id } });
    expect(createdEntry.actor).toBe(`user:${h.userId('dpo')}`);
    expect(JSON.stringify(createdEntry.details)).not.toContain('datenschutz@');
    // The review date became a yearly review (Wiedervorlage) with its reminder workflow.
    const reviews = await h.db.review.findMany({ where: { subjectType: 'processor', subjectId: created.id } });
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ dueOn: new Date('2027-03-14T00:00:00.000Z'), recurrenceMonths: 12, status: 'open' });
    const description = await h.temporal.workflow.getHandle(`review:${reviews[0]!.id}`).describe();
    expect(description.status.name).toBe('RUNNING');

    const updated = await dpo.processors.update({
      id: created.id,
      ...processor({ country: 'US', transferMechanism: 'standard_contractual_clauses', purposeIds: ['newsletter'], reviewOn: null }),
    });
    expect(updated).toMatchObject({ country: 'US', isThirdCountryTransfer: true, purposeIds: ['newsletter'], reviewOn: null });
    const updateEntry = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'processor.update', entityId: created.id } });
    expect(updateEntry.details).toMatchObject({
      changed: ['country', 'transferMechanism', 'purposeIds', 'reviewOn'],
      'country.before': 'DE',
      'country.after': 'US',
      noticeEmailChanged: false,
    });
    // Removing the date plans nothing new; moving it plans the new date once.
    expect(await h.db.review.count({ where: { subjectId: created.id } })).toBe(1);
    await dpo.processors.update({
      id: created.id,
      ...processor({
        country: 'US',
        transferMechanism: 'standard_contractual_clauses',
        purposeIds: ['newsletter'],
        reviewOn: '2027-06-01',
      }),
    });
    expect(
      (await h.db.review.findMany({ where: { subjectId: created.id }, orderBy: { dueOn: 'asc' } })).map((r) =>
        r.dueOn.toISOString().slice(0, 10),
      ),
    ).toEqual(['2027-03-14', '2027-06-01']);
    await dpo.processors.update({
      id: created.id,
      ...processor({ country: 'US', transferMechanism: 'standard_contractual_clauses', purposeIds: ['newsletter'], reviewOn: null }),
    });
    // Saving the same values again changes and audits nothing.
    const audits = await h.db.auditEvent.count();
    await dpo.processors.update({
      id: created.id,
      ...processor({ country: 'US', transferMechanism: 'standard_contractual_clauses', purposeIds: ['newsletter'], reviewOn: null }),
    });
    expect(await h.db.auditEvent.count()).toBe(audits);

    const admin = h.callerFor('admin').caller;
    expect((await admin.processors.list()).map((p) => p.id)).toContain(created.id);
    expect((await admin.processors.get({ id: created.id })).name).toBe('Postwerk Versand GmbH');
    expect(await codeOf(admin.processors.create(processor()))).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('marketer').caller.processors.list())).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor(null).caller.processors.list())).toBe('UNAUTHORIZED');
    expect(await codeOf(admin.processors.get({ id: randomUUID() }))).toBe('NOT_FOUND');
    expect(await verifyAuditChain(h.db)).toMatchObject({ ok: true });
  });

  it('refuses bad input field by field, and writes nothing', async () => {
    const dpo = h.callerFor('dpo').caller;
    const before = await rowCounts();

    const bad = await rejection(
      dpo.processors.create(
        processor({ country: 'XX', noticeEmail: 'not-an-address', contractSignedOn: '14.03.2025', transferMechanism: 'handshake' }),
      ),
    );
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toContain('country: An ISO 3166-1 alpha-2 country code');
    expect(bad.message).toContain('noticeEmail: An e-mail address');
    expect(bad.message).toContain('contractSignedOn: A date as YYYY-MM-DD');
    expect(bad.message).toContain('transferMechanism:');
    expect((await rejection(dpo.processors.create(processor({ dataCategories: [] })))).message).toContain(
      'dataCategories: Choose the data',
    );
    // Codes that name no country (the European Union, United Nations) are not countries.
    expect((await rejection(dpo.processors.create(processor({ country: 'EU' })))).message).toContain('country:');

    // Rules between the values, each naming its field.
    const cases = [
      [{ country: 'US', transferMechanism: 'eu_eea' }, 'TRANSFER_MECHANISM_MISMATCH', 'transferMechanism'],
      [{ country: 'FR', transferMechanism: 'standard_contractual_clauses' }, 'TRANSFER_MECHANISM_MISMATCH', 'transferMechanism'],
      [{ country: 'IN', transferMechanism: 'adequacy_decision' }, 'TRANSFER_MECHANISM_MISMATCH', 'transferMechanism'],
      [{ purposeIds: ['newsletter', 'no_such_purpose'] }, 'PURPOSE_NOT_FOUND', 'purposeIds'],
    ] as const;
    for (const [overrides, code, field] of cases) {
      const error = await rejection(dpo.processors.create(processor(overrides)));
      expect(error.code, JSON.stringify(overrides)).toBe('BAD_REQUEST');
      expect(error.cause, JSON.stringify(overrides)).toMatchObject({ code, field });
    }
    expect(await rowCounts()).toEqual(before);

    // The same for an update: the stored processor stays as it was.
    const existing = await dpo.processors.create(processor({ name: 'Nordhost Cloud AB', country: 'SE' }));
    const afterCreate = await rowCounts();
    const error = await rejection(dpo.processors.update({ id: existing.id, ...processor({ name: 'Renamed', country: 'US' }) }));
    expect(error.cause).toMatchObject({ code: 'TRANSFER_MECHANISM_MISMATCH', field: 'transferMechanism' });
    expect(await rowCounts()).toEqual(afterCreate);
    expect((await dpo.processors.get({ id: existing.id })).name).toBe('Nordhost Cloud AB');
    expect(await codeOf(dpo.processors.update({ id: randomUUID(), ...processor() }))).toBe('NOT_FOUND');
  });
});
