import { seedDemoProcessors } from '@zweck/db/seed';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDS_CSV_COLUMNS } from '../../records/records.ts';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf } from '../../test/helpers.ts';

describe('records of processing activities (Art. 30)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await seedDemoProcessors(h.db);
    // A retention policy of the newsletter wins over the purpose's own setting.
    await h.db.retentionPolicy.create({
      data: {
        name: 'Newsletter after withdrawal',
        scopeKind: 'purpose',
        purposeId: 'newsletter',
        period: 'P6M',
        anchor: 'consent_withdrawn',
        action: 'delete',
      },
    });
  });
  afterAll(async () => h?.close());

  it('exports one CSV row per purpose, generated from the catalogue, the processors and the retention policies', async () => {
    const dpo = h.callerFor('dpo').caller;
    const audits = await h.db.auditEvent.count({ where: { action: 'records.export' } });
    const { filename, content } = await dpo.records.exportCsv();
    expect(filename).toMatch(/^records-of-processing-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parse<Record<(typeof RECORDS_CSV_COLUMNS)[number], string>>(content, { columns: true });
    expect(Object.keys(rows[0]!)).toEqual([...RECORDS_CSV_COLUMNS]);
    expect(rows.map((r) => r.purpose_id).sort()).toEqual((await h.db.purpose.findMany({ select: { id: true } })).map((p) => p.id).sort());

    const byId = new Map(rows.map((r) => [r.purpose_id, r]));
    const tracking = byId.get('email_tracking')!;
    expect(tracking.legal_basis).toBe('Consent, Art. 6(1)(a) GDPR');
    expect(tracking.recipients).toContain('Clickmetric Inc. (Analytics of opens and clicks of marketing e-mail; United States)');
    expect(tracking.recipients).toContain('Postwerk Versand GmbH');
    expect(tracking.third_country_transfers).toBe('Clickmetric Inc.: United States, Standard contractual clauses (Art. 46(2)(c))');
    expect(tracking.controller).toContain('Zweck Demo GmbH');
    expect(tracking.dpo).toContain('dpo@zweck.test');

    const newsletter = byId.get('newsletter')!;
    expect(newsletter.retention).toBe('6 months after the withdrawal of consent, then delete (policy "Newsletter after withdrawal")');
    expect(newsletter.third_country_transfers).toBe('');
    expect(newsletter.fields.split('; ')).toContain('email');
    expect(newsletter.data_categories.split('; ')).toContain('contact');

    const relationship = byId.get('customer_relationship')!;
    expect(relationship.legal_basis).toBe('Legitimate interest, Art. 6(1)(f) GDPR');
    expect(relationship.balancing_test.length).toBeGreaterThan(50);
    expect(relationship.retention).toBe('36 months after the legal basis ends (purpose setting)');
    expect(relationship.recipients).toContain('Nordhost Cloud AB');

    expect(await h.db.auditEvent.count({ where: { action: 'records.export' } })).toBe(audits + 1);
  });

  it('gives the document its controller and DPO, and only to the DPO and admins', async () => {
    const records = await h.callerFor('admin').caller.records.get();
    expect(records.controller).toMatchObject({ name: 'Zweck Demo GmbH', dpoEmail: 'dpo@zweck.test' });
    expect(records.activities.find((a) => a.purposeId === 'lead_scoring')?.recipients.map((r) => r.name)).toEqual([
      'Clickmetric Inc.',
      'Nordhost Cloud AB',
    ]);
    expect(await codeOf(h.callerFor('marketer').caller.records.get())).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('sales').caller.records.exportCsv())).toBe('FORBIDDEN');
  });
});
