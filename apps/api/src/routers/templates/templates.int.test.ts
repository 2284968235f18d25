import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { rejection } from '../../test/helpers.ts';

const FOOTER_HTML = `<p style="white-space:pre-line">{{imprint}}</p>
<p><a href="{{privacy_notice_url}}">Privacy</a> <a href="{{preferences_url}}">Preferences</a> <a href="{{unsubscribe_url}}">Unsubscribe</a></p>`;
const FOOTER_TEXT = '{{imprint}}\n{{privacy_notice_url}}\n{{preferences_url}}\n{{unsubscribe_url}}';

const marketing = (overrides: Record<string, string> = {}) => ({
  name: `Autumn news ${randomUUID().slice(0, 8)}`,
  kind: 'marketing' as const,
  subject: 'Autumn news for {{first_name}}',
  html: `<p>Hello {{first_name}} from {{city}},</p><p><a href="https://shop.example/autumn">Offers</a></p>${FOOTER_HTML}`,
  text: `Hello {{first_name}},\n\n${FOOTER_TEXT}`,
  ...overrides,
});

describe('templates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('creates, lists, reads and updates a marketing template, audited', async () => {
    const marketer = h.callerFor('marketer').caller;
    const input = marketing();
    const { id } = await marketer.templates.create(input);
    const list = await h.callerFor('dpo').caller.templates.list();
    expect(list.find((t) => t.id === id)).toMatchObject({ name: input.name, kind: 'marketing', campaignCount: 0 });
    expect(await marketer.templates.get({ id })).toMatchObject({
      html: input.html,
      text: input.text,
      createdBy: `user:${h.userId('marketer')}`,
    });

    await marketer.templates.update({ id, ...input, subject: 'Winter news' });
    expect((await marketer.templates.get({ id })).subject).toBe('Winter news');
    expect(
      await h.db.auditEvent.count({
        where: { entityType: 'template', entityId: id, action: { in: ['template.create', 'template.update'] } },
      }),
    ).toBe(2);
  });

  it('refuses a marketing template without the unsubscribe link, naming the field', async () => {
    const error = await rejection(h.callerFor('marketer').caller.templates.create(marketing({ html: '<p>Hi {{first_name}}</p>' })));
    expect(error.code).toBe('BAD_REQUEST');
    const cause = error.cause;
    expect(cause.code).toBe('TEMPLATE_INVALID');
    expect(cause.field).toBe('html');
    expect(cause.fieldErrors?.html?.some((m) => m.includes('{{unsubscribe_url}}'))).toBe(true);
    expect(cause.fieldErrors?.text).toBeUndefined();
  });

  it('allows only the catalogue fields that are not free text, and escaped output only', async () => {
    const marketer = h.callerFor('marketer').caller;
    const notes = await rejection(marketer.templates.create(marketing({ subject: 'About {{notes}}' })));
    expect(notes.cause.fieldErrors?.subject?.[0]).toContain('{{notes}}');
    const raw = await rejection(marketer.templates.create(marketing({ html: `{{{first_name}}}${FOOTER_HTML}` })));
    expect(raw.cause.field).toBe('html');
    // A transactional template needs no footer.
    await expect(
      marketer.templates.create({
        name: `Receipt ${randomUUID()}`,
        kind: 'transactional',
        subject: 'Your order',
        html: '<p>Thanks</p>',
        text: 'Thanks',
      }),
    ).resolves.toEqual({ id: expect.any(String) as string });
  });

  it('refuses a second template with the same name', async () => {
    const marketer = h.callerFor('marketer').caller;
    const input = marketing();
    await marketer.templates.create(input);
    const error = await rejection(marketer.templates.create(input));
    expect(error.cause.code).toBe('TEMPLATE_NAME_TAKEN');
  });

  it('lets the DPO read but not write, and sales neither', async () => {
    const { id } = await h.callerFor('admin').caller.templates.create(marketing());
    const dpo = h.callerFor('dpo').caller;
    expect((await dpo.templates.get({ id })).id).toBe(id);
    expect((await rejection(dpo.templates.update({ id, ...marketing() }))).code).toBe('FORBIDDEN');
    expect((await rejection(dpo.templates.testSend({ templateId: id }))).code).toBe('FORBIDDEN');
    expect((await rejection(h.callerFor('sales').caller.templates.list())).code).toBe('FORBIDDEN');
    expect((await rejection(h.callerFor(null).caller.templates.placeholders())).code).toBe('UNAUTHORIZED');
  });

  it('deletes an unused template, and refuses one a campaign uses', async () => {
    const marketer = h.callerFor('marketer').caller;
    const { id: unused } = await marketer.templates.create(marketing());
    await marketer.templates.delete({ id: unused });
    expect((await rejection(marketer.templates.get({ id: unused }))).code).toBe('NOT_FOUND');

    const { id } = await marketer.templates.create(marketing());
    const segment = await h.db.segment.create({ data: { id: randomUUID(), name: `s-${randomUUID()}`, definition: {}, createdBy: 'test' } });
    await h.db.campaign.create({
      data: {
        id: randomUUID(),
        name: 'c',
        segmentId: segment.id,
        templateId: id,
        purposeId: 'newsletter',
        channel: 'email',
        createdBy: 'test',
      },
    });
    const error = await rejection(marketer.templates.delete({ id }));
    expect(error.code).toBe('CONFLICT');
    expect(error.cause.code).toBe('TEMPLATE_IN_USE');
    expect((await marketer.templates.list()).find((t) => t.id === id)?.campaignCount).toBe(1);
  });

  it('previews with a sample contact, escaped, with example links, and audits the read of the contact', async () => {
    const marketer = h.callerFor('marketer').caller;
    const { id: contactId } = await marketer.contacts.create({
      email: 'preview-sample@example.org',
      firstName: '<img src=x onerror=alert(1)>',
      lastName: 'Sample',
      attributes: { city: 'Köln' },
    });
    const { id } = await marketer.templates.create(marketing());
    const before = await h.db.auditEvent.count({ where: { action: 'contact.read', entityId: contactId } });
    const preview = await marketer.templates.preview({ templateId: id, sampleContactId: contactId });
    expect(preview.problems).toEqual([]);
    expect(preview.sample).toBe('contact');
    expect(preview.rendered?.html).toContain('Hello &lt;img src=x onerror=alert(1)&gt; from Köln,');
    expect(preview.rendered?.html).toContain('href="https://example.invalid/unsubscribe-link-example"');
    expect(preview.rendered?.subject).toBe('Autumn news for <img src=x onerror=alert(1)>');
    expect(await h.db.auditEvent.count({ where: { action: 'contact.read', entityId: contactId } })).toBe(before + 1);

    // A draft with problems: no rendering, the problems instead; without a sample, the user's own name.
    const draft = await marketer.templates.preview({
      draft: { kind: 'marketing', subject: 'Hi {{first_name}}', html: '<p>x</p>', text: 'x' },
    });
    expect(draft.rendered).toBeNull();
    expect(draft.problems.map((p) => `${p.field}:${p.placeholder}`)).toContain('html:unsubscribe_url');
    const example = await marketer.templates.preview({
      draft: { kind: 'transactional', subject: 'Hi {{first_name}} ({{city}})', html: 'x', text: 'x' },
    });
    expect(example).toMatchObject({ sample: 'example', rendered: { subject: 'Hi Mara ([City])' } });

    expect((await rejection(marketer.templates.preview({ templateId: id, sampleContactId: randomUUID() }))).code).toBe('NOT_FOUND');
  });

  it('offers the palette: catalogue fields without free text, the system values and the footer', async () => {
    const palette = await h.callerFor('dpo').caller.templates.placeholders();
    const keys = palette.personal.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['first_name', 'last_name', 'organization', 'job_title', 'city']));
    expect(keys).not.toContain('notes');
    expect(palette.requiredForMarketing).toEqual(['unsubscribe_url', 'preferences_url', 'privacy_notice_url', 'imprint']);
    expect(palette.requiredFooter.html).toContain('{{unsubscribe_url}}');
  });
});
