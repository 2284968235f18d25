import { randomUUID } from 'node:crypto';
import { suppressionHash } from '@zweck/db';
import type { SegmentDefinition } from '@zweck/segments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { rejection } from '../../test/helpers.ts';

const ORG = 'Preview Co';
const previewCo: SegmentDefinition = {
  version: 1,
  match: 'all',
  conditions: [{ type: 'field', field: 'organization', op: 'equals', value: ORG }],
};

describe('segments', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  type Kind = 'granted' | 'confirmed' | 'withdrawn' | 'objected';
  async function person(
    nick: string,
    events: [Kind, ('web_form' | 'in_person')?][],
    data: { status?: 'restricted' | 'erased'; emailUndeliverableAt?: Date; city?: string } = {},
  ): Promise<string> {
    const id = randomUUID();
    const email = `${nick}@preview.test`;
    await h.db.contact.create({
      data: {
        id,
        email,
        emailNormalized: email,
        organization: ORG,
        status: data.status ?? 'active',
        emailUndeliverableAt: data.emailUndeliverableAt ?? null,
        attributes: data.city ? { city: data.city } : {},
      },
    });
    let minute = 0;
    for (const [kind, method = 'web_form'] of events) {
      await h.db.consentEvent.create({
        data: {
          contactId: id,
          purposeId: 'newsletter',
          channel: 'email',
          kind,
          occurredAt: new Date(Date.UTC(2026, 10, 1, 10, minute++)),
          method,
          source: 'test',
          actor: 'system:test',
        },
      });
    }
    return id;
  }

  describe('preview', () => {
    beforeAll(async () => {
      await person('ok', [['granted'], ['confirmed']], { city: 'Berlin' });
      await person('inperson', [['granted', 'in_person']]);
      await person('doi', [['granted']]);
      await person('none', []);
      await person('withdrew', [['granted'], ['confirmed'], ['withdrawn']]);
      await person('restricted', [['granted'], ['confirmed']], { status: 'restricted' });
      await person('restricted2', [], { status: 'restricted' });
      await person('suppressed', [['granted'], ['confirmed']]);
      await h.db.suppressionEntry.create({
        data: { addressHash: suppressionHash(h.env.SUPPRESSION_KEY, 'suppressed@preview.test'), reason: 'test' },
      });
      await person('objected', [['granted'], ['confirmed'], ['objected']]);
      await person('bounced', [['granted'], ['confirmed']], { emailUndeliverableAt: new Date() });
      await person('erased', [['granted'], ['confirmed']], { status: 'erased' });
    });

    it('counts the members, the reachable ones, and the excluded by primary reason and by every reason', async () => {
      const preview = await h
        .callerFor('marketer')
        .caller.segments.preview({ definition: previewCo, purposeId: 'newsletter', channel: 'email' });
      expect(preview.count).toBe(10);
      expect(preview.reachable).toBe(2);
      expect(Object.fromEntries(preview.excluded.map((e) => [e.code, e.count]))).toEqual({
        SUBJECT_RESTRICTED: 2,
        DOUBLE_OPT_IN_PENDING: 1,
        NO_CONSENT: 1,
        CONSENT_WITHDRAWN: 1,
        SUPPRESSED: 1,
        OBJECTED_TO_DIRECT_MARKETING: 1,
        ADDRESS_UNDELIVERABLE: 1,
      });
      expect(preview.excluded[0]).toEqual({ code: 'SUBJECT_RESTRICTED', count: 2 });
      expect(preview.excluded.reduce((n, e) => n + e.count, 0)).toBe(preview.count - preview.reachable);
      const every = Object.fromEntries(preview.reasons.map((e) => [e.code, e.count]));
      expect(every).toMatchObject({ NO_CONSENT: 2, CONSENT_WITHDRAWN: 2, SUBJECT_RESTRICTED: 2 });
    });

    it('previews for the DPO too, and checks the purpose, the channel and the fields', async () => {
      const dpo = h.callerFor('dpo').caller;
      const withCity: SegmentDefinition = {
        ...previewCo,
        conditions: [...previewCo.conditions, { type: 'field', field: 'city', op: 'is_set' }],
      };
      expect(await dpo.segments.preview({ definition: withCity, purposeId: 'newsletter', channel: 'email' })).toMatchObject({
        count: 1,
        reachable: 1,
      });

      const noPurpose = await rejection(dpo.segments.preview({ definition: previewCo, purposeId: 'nope', channel: 'email' }));
      expect(noPurpose.cause).toMatchObject({ code: 'PURPOSE_NOT_FOUND', field: 'purposeId' });
      const noChannel = await rejection(dpo.segments.preview({ definition: previewCo, purposeId: 'newsletter', channel: 'sms' }));
      expect(noChannel.cause).toMatchObject({ code: 'CHANNEL_NOT_IN_PURPOSE', field: 'channel' });
      const unknownField: SegmentDefinition = { ...previewCo, conditions: [{ type: 'field', field: 'shoe_size', op: 'is_set' }] };
      const noField = await rejection(dpo.segments.preview({ definition: unknownField, purposeId: 'newsletter', channel: 'email' }));
      expect(noField.cause).toMatchObject({ code: 'FIELD_NOT_FOUND', field: 'definition.conditions.0.field' });
    });
  });

  describe('saved segments', () => {
    const values = { name: 'Preview customers', description: 'Everyone at Preview Co', definition: previewCo };

    it('lets marketers create, list, get and update segments, and audits them without the compared values', async () => {
      const marketer = h.callerFor('marketer').caller;
      const created = await marketer.segments.create(values);
      expect(created).toMatchObject({ name: values.name, memberCount: 10, campaignCount: 0, createdBy: `user:${h.userId('marketer')}` });
      expect(created.definition).toEqual(previewCo);

      const list = await h.callerFor('dpo').caller.segments.list();
      expect(list.find((s) => s.id === created.id)).toMatchObject({ name: values.name, memberCount: 10 });

      const narrowed: SegmentDefinition = {
        ...previewCo,
        match: 'all',
        conditions: [...previewCo.conditions, { type: 'lifecycle', stages: ['customer'] }],
      };
      const updated = await marketer.segments.update({ id: created.id, ...values, name: 'Preview customers only', definition: narrowed });
      expect(updated).toMatchObject({ name: 'Preview customers only', memberCount: 0 });
      expect((await marketer.segments.get({ id: created.id })).definition).toEqual(narrowed);

      const entries = await h.db.auditEvent.findMany({ where: { entityType: 'segment', entityId: created.id }, orderBy: { id: 'asc' } });
      expect(entries.map((e) => e.action)).toEqual(['segment.create', 'segment.update']);
      expect(entries[0]!.details).toEqual({ match: 'all', conditionTypes: ['field'], fieldKeys: ['organization'] });
      expect(JSON.stringify(entries.map((e) => e.details))).not.toContain(ORG);
    });

    it('refuses a taken name, an unknown field, and roles that may not edit', async () => {
      const marketer = h.callerFor('marketer').caller;
      await marketer.segments.create({ ...values, name: 'Taken' });
      const taken = await rejection(marketer.segments.create({ ...values, name: 'Taken' }));
      expect(taken.cause).toMatchObject({ code: 'SEGMENT_NAME_TAKEN', field: 'name' });
      expect(taken.code).toBe('CONFLICT');

      const badField = await rejection(
        marketer.segments.create({
          ...values,
          name: 'Bad',
          definition: { ...previewCo, conditions: [{ type: 'field', field: 'shoe_size', op: 'is_set' }] },
        }),
      );
      expect(badField.cause).toMatchObject({ code: 'FIELD_NOT_FOUND', field: 'definition.conditions.0.field' });

      expect((await rejection(h.callerFor('dpo').caller.segments.create({ ...values, name: 'DPO' }))).code).toBe('FORBIDDEN');
      expect((await rejection(h.callerFor('sales').caller.segments.list())).code).toBe('FORBIDDEN');
      expect((await rejection(h.callerFor(null).caller.segments.list())).code).toBe('UNAUTHORIZED');
      const injected = { type: 'field', field: "city' OR 1=1 --", op: 'is_set' } as never;
      expect(
        (await rejection(marketer.segments.create({ ...values, name: 'Injected', definition: { ...previewCo, conditions: [injected] } })))
          .code,
      ).toBe('BAD_REQUEST');
    });

    it('deletes a segment no campaign uses, and refuses one that a campaign uses', async () => {
      const marketer = h.callerFor('marketer').caller;
      const unused = await marketer.segments.create({ ...values, name: 'Unused' });
      expect(await marketer.segments.delete({ id: unused.id })).toEqual({ id: unused.id });
      expect((await rejection(marketer.segments.get({ id: unused.id }))).cause).toMatchObject({ code: 'SEGMENT_NOT_FOUND' });

      const used = await marketer.segments.create({ ...values, name: 'Used' });
      const templateId = randomUUID();
      await h.db.template.create({
        data: { id: templateId, name: 'T', kind: 'marketing', subject: 'S', html: '<p>x</p>', text: 'x', createdBy: 'user:test' },
      });
      await h.db.campaign.create({
        data: {
          id: randomUUID(),
          name: 'C',
          segmentId: used.id,
          templateId,
          purposeId: 'newsletter',
          channel: 'email',
          createdBy: 'user:test',
        },
      });
      const inUse = await rejection(marketer.segments.delete({ id: used.id }));
      expect(inUse.cause).toMatchObject({ code: 'SEGMENT_IN_USE' });
      expect(inUse.code).toBe('CONFLICT');
      expect(await marketer.segments.get({ id: used.id })).toMatchObject({ campaignCount: 1, campaigns: [{ name: 'C', status: 'draft' }] });
    });
  });
});
