import type { SegmentDefinition } from '@zweck/segments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSubjectArchive } from '../subject-archive/build-archive.ts';
import { createHarness, type Harness } from '../test/harness.ts';
import { rejection } from '../test/helpers.ts';

/**
 * Free-text catalogue fields (the shipped `notes`) are sealed in `contact.attributes` on every
 * write path and opened on every read path (Art. 32(1)(a) GDPR): the row holds no clear text, the
 * API answers it, and a value moved into another row does not open.
 */
describe('free-text fields sealed in contact.attributes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const rowText = async (id: string): Promise<string> => {
    const [row] = await h.db.$queryRaw<{ text: string }[]>`SELECT attributes::text AS text FROM contact WHERE id = ${id}::uuid`;
    return row?.text ?? '';
  };
  const rowNotes = async (id: string): Promise<string> => {
    const [row] = await h.db.$queryRaw<{ notes: string }[]>`SELECT attributes ->> 'notes' AS notes FROM contact WHERE id = ${id}::uuid`;
    return row?.notes ?? '';
  };

  it('create and update: the row holds ciphertext bound to the contact, the API answers the clear text', async () => {
    const admin = h.callerFor('admin').caller;
    const note = 'Met at the Hannover fair, stand C12; call after 3 pm';
    const { id } = await admin.contacts.create({
      email: 'sealed.create@example.org',
      firstName: 'Selma',
      attributes: { notes: note, city: 'Leipzig' },
    });
    const text = await rowText(id);
    expect(text).not.toContain('Hannover');
    expect(text).toContain('Leipzig'); // other types stay clear: segments compare them
    expect(await rowNotes(id)).toMatch(/^zf1\.test-field\./);
    expect((await admin.contacts.get({ id })).values).toMatchObject({ notes: note, city: 'Leipzig' });

    // An update that leaves the note alone does not count it as changed (compared opened, not as ciphertext).
    const unchanged = await admin.contacts.update({
      id,
      values: { email: 'sealed.create@example.org', firstName: 'Selma', attributes: { notes: note, city: 'Dresden' } },
    });
    expect(unchanged.changed).toEqual(['city']);

    const newNote = 'Moved to the Berlin office; wants the pilot offer';
    const updated = await admin.contacts.update({
      id,
      values: { email: 'sealed.create@example.org', firstName: 'Selma', attributes: { notes: newNote, city: 'Dresden' } },
    });
    expect(updated.changed).toEqual(['notes']);
    const after = await rowText(id);
    expect(after).not.toContain('Berlin office');
    expect(after).not.toContain('Hannover');
    expect((await admin.contacts.get({ id })).values).toMatchObject({ notes: newNote });
  });

  it('import: new contacts and values filled into existing ones are sealed', async () => {
    const admin = h.callerFor('admin').caller;
    const existing = (await admin.contacts.create({ email: 'sealed.fill@example.org', firstName: 'Fritz' })).id;
    const file = {
      format: 'csv' as const,
      source: 'Fair list',
      content:
        'email,first_name,notes,legal_basis\n' +
        'sealed.import@example.org,Ida,"Asked for the catalogue at stand 4",legitimate_interest\n' +
        'sealed.fill@example.org,,"Wants a call in January",legitimate_interest\n',
    };
    const report = await admin.import.dryRun(file);
    expect(report.summary).toEqual({ create: 1, merge: 1, reject: 0 });
    const result = await admin.import.commit({ ...file, mode: 'all_or_nothing', expectedSha256: report.fileSha256 });
    const created = result.rows.find((r) => r.outcome === 'created')?.contactId ?? '';

    expect(await rowText(created)).not.toContain('stand 4');
    expect(await rowText(existing)).not.toContain('January');
    expect((await admin.contacts.get({ id: created })).values.notes).toBe('Asked for the catalogue at stand 4');
    expect((await admin.contacts.get({ id: existing })).values.notes).toBe('Wants a call in January');

    // The same file again: the stored (sealed) notes compare equal to the file's, so nothing is kept back or filled.
    const again = await admin.import.dryRun(file);
    expect(again.rows.flatMap((r) => r.reasons.map((x) => x.code))).not.toContain('KEPT_EXISTING_VALUE');
  });

  it('merge: the duplicate’s note moves to the survivor, sealed for the survivor', async () => {
    const admin = h.callerFor('admin').caller;
    const survivor = (await admin.contacts.create({ email: 'sealed.survivor@example.org', firstName: 'Mara' })).id;
    const duplicate = (
      await admin.contacts.create({
        email: 'sealed.duplicate@example.org',
        firstName: 'Mara',
        attributes: { notes: 'Prefers German; met at the Cebit' },
      })
    ).id;
    const preview = await admin.contacts.mergePreview({ survivorId: survivor, duplicateId: duplicate });
    expect(preview.filled).toContain('notes');
    await admin.contacts.merge({ survivorId: survivor, duplicateId: duplicate });
    expect(await rowText(survivor)).not.toContain('Cebit');
    expect((await admin.contacts.get({ id: survivor })).values.notes).toBe('Prefers German; met at the Cebit');
  });

  it('rectification on a data-subject request seals the corrected note', async () => {
    const admin = h.callerFor('admin').caller;
    const dpo = h.callerFor('dpo').caller;
    const email = 'sealed.rectify@example.org';
    const contactId = (await admin.contacts.create({ email, firstName: 'Rosa', attributes: { notes: 'Works at the Kiel office' } })).id;
    const { id } = await dpo.requests.create({ type: 'rectification', contactId, identityMethod: 'known_address' });
    const result = await dpo.requests.rectify({
      id,
      values: { email, firstName: 'Rosa', attributes: { notes: 'Works at the Lübeck office' } },
    });
    expect(result.changed).toEqual(['notes']);
    const text = await rowText(contactId);
    expect(text).not.toContain('Lübeck');
    expect(text).not.toContain('Kiel');
    expect((await admin.contacts.get({ id: contactId })).values.notes).toBe('Works at the Lübeck office');
  });

  it('a value copied into another contact’s row does not open: a typed error without the content', async () => {
    const admin = h.callerFor('admin').caller;
    const source = (await admin.contacts.create({ email: 'sealed.source@example.org', attributes: { notes: 'Confidential: budget 40k' } }))
      .id;
    const target = (await admin.contacts.create({ email: 'sealed.target@example.org' })).id;
    await h.db
      .$executeRaw`UPDATE contact SET attributes = (SELECT attributes FROM contact WHERE id = ${source}::uuid) WHERE id = ${target}::uuid`;
    const error = await rejection(admin.contacts.get({ id: target }));
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.cause).toMatchObject({ code: 'FIELD_VALUE_UNREADABLE', field: 'notes' });
    expect(error.message).not.toContain('budget');
    expect(error.message).not.toContain('zf1.');
    // The source itself still opens.
    expect((await admin.contacts.get({ id: source })).values.notes).toBe('Confidential: budget 40k');
  });

  it('a clear value written before encryption opens as itself', async () => {
    const admin = h.callerFor('admin').caller;
    const id = (await admin.contacts.create({ email: 'sealed.legacy@example.org' })).id;
    await h.db.$executeRaw`UPDATE contact SET attributes = '{"notes": "Written in 2025"}'::jsonb WHERE id = ${id}::uuid`;
    expect((await admin.contacts.get({ id })).values.notes).toBe('Written in 2025');
  });

  it('the subject archive gives the person their note in clear text', async () => {
    const admin = h.callerFor('admin').caller;
    const id = (
      await admin.contacts.create({ email: 'sealed.archive@example.org', firstName: 'Anja', attributes: { notes: 'Asked for a quote' } })
    ).id;
    const archive = await buildSubjectArchive(h.db, h.env.FIELD_ENCRYPTION_KEYS, id);
    expect(archive.json.contacts[0].values).toMatchObject({ email: 'sealed.archive@example.org', notes: 'Asked for a quote' });
  });

  it('refuses a segment condition on a free-text field, naming the condition', async () => {
    const marketer = h.callerFor('marketer').caller;
    const onNotes: SegmentDefinition = {
      version: 1,
      match: 'all',
      conditions: [
        { type: 'field', field: 'city', op: 'is_set' },
        { type: 'field', field: 'notes', op: 'contains', value: 'fair' },
      ],
    };
    const created = await rejection(
      marketer.segments.create({ name: 'Fair notes', description: 'People met at the fair', definition: onNotes }),
    );
    expect(created.code).toBe('BAD_REQUEST');
    expect(created.cause).toMatchObject({ code: 'FIELD_NOT_SEGMENTABLE', field: 'definition.conditions.1.field' });
    const preview = await rejection(marketer.segments.preview({ definition: onNotes, purposeId: 'newsletter', channel: 'email' }));
    expect(preview.cause.code).toBe('FIELD_NOT_SEGMENTABLE');
    expect(await h.db.segment.count({ where: { name: 'Fair notes' } })).toBe(0);
  });
});
