import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { suppressionHash } from '@zweck/db';
import { CATALOGUE } from '@zweck/db/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.ts';
import { newsletterConsent, rejection } from '../test/helpers.ts';
import { exportContacts } from './contacts-format.ts';
import { IMPORT_LIMITS } from './import-file.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const SOURCE = 'Trade fair list, partner X';
const NEWSLETTER_HASH_EN = `sha256:${createHash('sha256').update(CATALOGUE[0].wording.en, 'utf8').digest('hex')}`;

/**
 * A purpose on legitimate interest with its balancing test, which also uses phone and notes (the shipped catalogue has neither).
 * Marketers work for it, so the marketer who imports here may fill those fields (field-level need-to-know).
 */
async function addTradeFairFollowUp(h: Harness): Promise<void> {
  await h.db.purpose.create({
    data: {
      id: 'trade_fair_follow_up',
      name: 'Trade fair follow-up',
      description: 'Following up with business contacts about their enquiries.',
      legalBasis: 'legitimate_interest',
      channels: ['email', 'phone'],
      isDirectMarketing: false,
      balancingTest:
        'Interest: answering business contacts who asked about our products. Impact: a call or mail at work, easy to refuse. Result: the interest prevails.',
      staffRoles: ['marketer'],
    },
  });
  await h.db.purposeField.createMany({
    data: ['email', 'first_name', 'last_name', 'phone', 'organization', 'job_title', 'notes'].map((fieldKey) => ({
      purposeId: 'trade_fair_follow_up',
      fieldKey,
    })),
    skipDuplicates: true,
  });
}

describe('import of contacts', () => {
  let h: Harness;
  let anna: string;
  let bernd: string;
  beforeAll(async () => {
    h = await createHarness();
    await addTradeFairFollowUp(h);
    const { caller } = h.callerFor('marketer');
    anna = (
      await caller.contacts.create({
        email: 'anna.alt@example.org',
        firstName: 'Anna',
        lastName: 'Alt',
        consent: newsletterConsent({ grantedAt: '2026-09-01T10:00:00+02:00', source: 'Office visit' }),
      })
    ).id;
    bernd = (await caller.contacts.create({ email: 'bernd@example.org', firstName: 'Bernd', lastName: 'Bauer', phone: '+49 30 1234567' }))
      .id;
    await h.db.suppressionEntry.create({
      data: { addressHash: suppressionHash(h.env.SUPPRESSION_KEY, 'gone@example.org'), reason: 'erasure' },
    });
  });
  afterAll(async () => h?.close());

  const counts = async () => ({
    contacts: await h.db.contact.count(),
    consentEvents: await h.db.consentEvent.count(),
    provenance: await h.db.provenance.count(),
    batches: await h.db.importBatch.count(),
  });

  const mixed = { format: 'csv' as const, content: fixture('mixed.csv'), source: SOURCE };

  it('reports, row by row, what would be created, merged or rejected and why, and writes nothing', async () => {
    const before = await counts();
    const report = await h.callerFor('marketer').caller.import.dryRun(mixed);
    expect(report.fileSha256).toBe(sha256(mixed.content));
    expect(report.summary).toEqual({ create: 2, merge: 1, reject: 6 });
    expect(report.rows).toEqual([
      { row: 1, outcome: 'create', contactId: null, reasons: [], consents: 1 },
      { row: 2, outcome: 'create', contactId: null, reasons: [], consents: 0 },
      {
        row: 3,
        outcome: 'reject',
        contactId: null,
        reasons: [
          {
            code: 'MISSING_CONSENT_PROOF',
            field: 'consent_wording_version',
            message:
              'consent_wording_version is missing: which wording the person agreed to is part of the proof of consent (Art. 7(1) GDPR).',
          },
        ],
        consents: 0,
      },
      {
        row: 4,
        outcome: 'reject',
        contactId: null,
        reasons: [
          {
            code: 'SUPPRESSED',
            field: 'email',
            message: 'This address is on the suppression list (erasure or objection); it cannot be imported.',
          },
        ],
        consents: 0,
      },
      {
        row: 5,
        outcome: 'merge',
        contactId: anna,
        reasons: [
          {
            code: 'KEPT_EXISTING_VALUE',
            field: 'last_name',
            message: "last_name: the contact has another value; it is kept, and the file's value is not imported.",
          },
        ],
        consents: 1,
      },
      {
        row: 6,
        outcome: 'reject',
        contactId: null,
        reasons: [
          {
            code: 'POSSIBLE_DUPLICATE',
            field: 'phone',
            contactId: bernd,
            message: `Possibly the same person: the same phone number as the existing contact ${bernd}. Tick “Create possible duplicates anyway” if it is another person.`,
          },
        ],
        consents: 0,
      },
      {
        row: 7,
        outcome: 'reject',
        contactId: null,
        reasons: [
          {
            code: 'SPECIAL_CATEGORY_DATA',
            field: 'notes',
            message: 'notes: this text seems to contain health data ("diabet"), which may not be stored (Art. 9(1) GDPR)',
          },
        ],
        consents: 0,
      },
      {
        row: 8,
        outcome: 'reject',
        contactId: null,
        reasons: [
          {
            code: 'DUPLICATE_IN_FILE',
            field: 'email',
            otherRow: 1,
            message: 'The same e-mail address as row 1: merge the two rows in the file, or remove one.',
          },
        ],
        consents: 0,
      },
      {
        row: 9,
        outcome: 'reject',
        contactId: null,
        reasons: [
          {
            code: 'NO_LEGAL_BASIS',
            field: 'legal_basis',
            message:
              'No consent and no other legal basis: name one in the legal basis column, or choose a default legal basis for the import.',
          },
        ],
        consents: 0,
      },
    ]);
    expect(await counts()).toEqual(before);
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'import.dry_run' }, orderBy: { id: 'desc' } });
    expect(audit.details).toEqual({ format: 'csv', fileSha256: report.fileSha256, rows: 9, create: 2, merge: 1, reject: 6 });
  });

  it('all or nothing: refuses a file with rejected rows and writes nothing', async () => {
    const { caller } = h.callerFor('marketer');
    const report = await caller.import.dryRun(mixed);
    const before = await counts();
    const error = await rejection(caller.import.commit({ ...mixed, mode: 'all_or_nothing', expectedSha256: report.fileSha256 }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.cause.code).toBe('IMPORT_HAS_REJECTED_ROWS');
    expect(error.message).toBe('6 of 9 rows are rejected, so nothing was imported. Correct the file, or import only the valid rows.');
    expect(await counts()).toEqual(before);
  });

  it('refuses another file than the dry run’s, and a file whose outcome the database has changed since', async () => {
    const { caller } = h.callerFor('marketer');
    const error = await rejection(
      caller.import.commit({ ...mixed, mode: 'valid_rows_only', expectedSha256: sha256('email\nsomeone.else@example.org\n') }),
    );
    expect(error.cause).toMatchObject({ code: 'IMPORT_FILE_CHANGED', field: 'expectedSha256' });

    const file = { format: 'csv' as const, source: SOURCE, content: 'email,legal_basis\nrace@example.org,legitimate_interest\n' };
    const report = await caller.import.dryRun(file);
    expect(report.rows[0]?.outcome).toBe('create');
    await caller.contacts.create({ email: 'race@example.org' });
    const before = await counts();
    const changed = await rejection(
      caller.import.commit({
        ...file,
        mode: 'all_or_nothing',
        expectedSha256: report.fileSha256,
        expectedReportDigest: report.reportDigest,
      }),
    );
    expect(changed.cause.code).toBe('IMPORT_REPORT_CHANGED');
    expect(await counts()).toEqual(before);
  });

  it('valid rows only: writes exactly the valid rows with their proof and provenance; the merge keeps the union of both records', async () => {
    const { caller } = h.callerFor('marketer');
    const marketer = `user:${h.userId('marketer')}`;
    const report = await caller.import.dryRun(mixed);
    const before = await counts();
    const result = await caller.import.commit({
      ...mixed,
      mode: 'valid_rows_only',
      expectedSha256: report.fileSha256,
      expectedReportDigest: report.reportDigest,
    });
    expect(result).toMatchObject({ replayed: false, summary: { created: 2, merged: 1, rejected: 6, consentEvents: 2 } });
    expect(result.rows.map((r) => [r.row, r.outcome])).toEqual([
      [1, 'created'],
      [2, 'created'],
      [3, 'rejected'],
      [4, 'rejected'],
      [5, 'merged'],
      [6, 'rejected'],
      [7, 'rejected'],
      [8, 'rejected'],
      [9, 'rejected'],
    ]);
    expect(result.rows[4]?.contactId).toBe(anna);
    const after = await counts();
    expect(after.contacts - before.contacts).toBe(2);
    expect(after.consentEvents - before.consentEvents).toBe(2);
    expect(after.batches - before.batches).toBe(1);
    const reference = `import:${result.batchId}`;

    // A created contact: its values, its consent with the catalogue's wording hash, its provenance per field.
    const carlaId = result.rows[0]?.contactId ?? '';
    const carla = await h.db.contact.findUniqueOrThrow({ where: { id: carlaId }, include: { consentEvents: true, provenance: true } });
    expect(carla).toMatchObject({ email: 'carla.neu@example.org', firstName: 'Carla', lastName: 'Neu', status: 'active' });
    expect(carla.consentEvents).toHaveLength(1);
    expect(carla.consentEvents[0]).toMatchObject({
      purposeId: 'newsletter',
      channel: 'email',
      kind: 'granted',
      occurredAt: new Date('2026-10-01T07:00:00.000Z'),
      method: 'web_form',
      source: 'Website newsletter form',
      wordingVersion: '2026-11',
      wordingHash: NEWSLETTER_HASH_EN,
      actor: marketer,
      evidence: { importBatchId: result.batchId, row: 1 },
      dedupeKey: `import:${report.fileSha256}:1:0`,
    });
    expect(carla.provenance.map((p) => [p.field, p.source, p.reference, p.legalBasis]).sort()).toEqual(
      [
        [null, 'import', reference, 'consent'],
        ['email', 'import', reference, 'consent'],
        ['first_name', 'import', reference, 'consent'],
        ['last_name', 'import', reference, 'consent'],
      ].sort(),
    );
    const dieter = await h.db.provenance.findFirstOrThrow({ where: { contactId: result.rows[1]?.contactId ?? '', field: null } });
    expect(dieter.legalBasis).toBe('legitimate_interest');

    // The merge: empty fields filled, the existing last name kept, both consents in one ledger, the merge recorded.
    const merged = await h.db.contact.findUniqueOrThrow({
      where: { id: anna },
      include: { consentEvents: { orderBy: { occurredAt: 'asc' } }, provenance: true },
    });
    expect(merged).toMatchObject({ lastName: 'Alt', phone: '+49 170 1234567', phoneE164: '+491701234567' });
    expect(merged.attributes).toEqual({ job_title: 'CTO' });
    expect(merged.consentEvents.map((e) => [e.purposeId, e.method, e.actor])).toEqual([
      ['newsletter', 'in_person', marketer],
      ['product_updates', 'in_person', marketer],
    ]);
    expect(merged.consentEvents[1]?.wordingHash).toBe(
      (
        await h.db.consentWording.findUniqueOrThrow({
          where: { purposeId_version_language: { purposeId: 'product_updates', version: '2026-11', language: 'de' } },
        })
      ).textHash,
    );
    expect(
      merged.provenance
        .filter((p) => p.reference === reference)
        .map((p) => p.field ?? '(contact)')
        .sort(),
    ).toEqual(['(contact)', 'job_title', 'phone']);
    expect(merged.provenance.filter((p) => p.source === 'staff_entry').length).toBeGreaterThan(0);
    const mergeAudit = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'contact.import_merge', entityId: anna } });
    expect(mergeAudit.details).toEqual({
      via: 'import',
      importBatchId: result.batchId,
      row: 5,
      fields: ['phone', 'job_title'],
      consentEvents: 1,
      keptExisting: ['last_name'],
    });

    // The batch keeps outcomes and codes, never values.
    const batch = await h.db.importBatch.findUniqueOrThrow({ where: { id: result.batchId } });
    expect(batch).toMatchObject({
      format: 'csv',
      mode: 'valid_rows_only',
      source: SOURCE,
      fileSha256: report.fileSha256,
      rowCount: 9,
      createdCount: 2,
      mergedCount: 1,
      rejectedCount: 6,
      actor: marketer,
    });
    const stored = JSON.stringify(batch.report);
    for (const value of ['carla', 'Carla', 'anna', 'gone@', 'diabet', 'Website', '1234567']) expect(stored).not.toContain(value);
    const commitAudit = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'import.commit', entityId: result.batchId } });
    expect(JSON.stringify(commitAudit.details)).not.toContain('@');

    // Committing the same file with the same choices again writes nothing and answers with the first result.
    const again = await caller.import.commit({ ...mixed, mode: 'valid_rows_only', expectedSha256: report.fileSha256 });
    expect(again).toEqual({ ...result, replayed: true });
    expect(await counts()).toEqual(after);

    // The same file with other choices: the rows now exist, so they merge without writing any event twice.
    const later = await caller.import.dryRun(mixed);
    expect(later.rows.slice(0, 2).map((r) => [r.outcome, r.reasons.map((x) => x.code)])).toEqual([
      ['merge', ['CONSENT_ALREADY_RECORDED']],
      ['merge', []],
    ]);
  });

  it('creates a possible duplicate when asked to, and says so', async () => {
    const { caller } = h.callerFor('admin');
    const file = {
      format: 'csv' as const,
      source: SOURCE,
      content: 'email,phone,legal_basis\nbernd.privat@example.org,+49 30 1234567,legitimate_interest\n',
    };
    const strict = await caller.import.dryRun(file);
    expect(strict.rows[0]).toMatchObject({ outcome: 'reject', reasons: [{ code: 'POSSIBLE_DUPLICATE', contactId: bernd }] });
    const lenient = await caller.import.dryRun({ ...file, allowPossibleDuplicates: true });
    expect(lenient.rows[0]).toMatchObject({ outcome: 'create', reasons: [{ code: 'POSSIBLE_DUPLICATE_ALLOWED', contactId: bernd }] });
  });

  it('reads semicolons (German Excel) and a byte order mark, and the hash names the text without it', async () => {
    const content =
      'email;first_name;consent_purposes;consent_method;consent_wording_version;consent_language;consent_given_at;consent_source\r\n' +
      'jana.semikolon@example.org;Jana;"newsletter";double_opt_in;2026-11;de;2026-10-05T08:00:00Z;Landing page\r\n';
    const report = await h.callerFor('marketer').caller.import.dryRun({ format: 'csv', content: `\uFEFF${content}`, source: SOURCE });
    expect(report.fileSha256).toBe(sha256(content));
    expect(report.rows).toEqual([{ row: 1, outcome: 'create', contactId: null, reasons: [], consents: 1 }]);
  });

  it('refuses files it cannot read as a whole, naming why', async () => {
    const { caller } = h.callerFor('marketer');
    const unknown = await rejection(
      caller.import.dryRun({ format: 'csv', source: SOURCE, content: 'email,shoe_size\na@example.org,44\n' }),
    );
    expect(unknown.cause.code).toBe('IMPORT_FILE_INVALID');
    expect(unknown.message).toContain('“shoe_size” is neither a field of the field catalogue nor an import column');
    const rows = `email\n${Array.from({ length: IMPORT_LIMITS.maxRows + 1 }, (_, i) => `p${i}@example.org`).join('\n')}\n`;
    const tooMany = await rejection(caller.import.dryRun({ format: 'csv', source: SOURCE, content: rows }));
    expect(tooMany).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', cause: { code: 'IMPORT_TOO_LARGE' } });
    const art9 = await rejection(
      caller.import.dryRun({ format: 'csv', source: 'List of the diabetes support group', content: 'email\na@example.org\n' }),
    );
    expect(art9.cause).toMatchObject({ code: 'SPECIAL_CATEGORY_DATA', field: 'source' });
  });

  it('lets the DPO dry-run but not commit; sales neither', async () => {
    const dpo = h.callerFor('dpo').caller;
    const report = await dpo.import.dryRun(mixed);
    expect((await rejection(dpo.import.commit({ ...mixed, mode: 'valid_rows_only', expectedSha256: report.fileSha256 }))).code).toBe(
      'FORBIDDEN',
    );
    expect((await rejection(h.callerFor('sales').caller.import.dryRun(mixed))).code).toBe('FORBIDDEN');
  });

  it('reads its own export: one contact moves to another installation with its values, ledger and provenance', async () => {
    const document = await exportContacts(h.db, h.env.FIELD_ENCRYPTION_KEYS, [anna], new Date('2026-11-29T10:00:00Z'));
    const other = await createHarness();
    try {
      await addTradeFairFollowUp(other);
      const { caller } = other.callerFor('admin');
      const file = { format: 'json' as const, content: JSON.stringify(document), source: 'Export of installation A' };
      const report = await caller.import.dryRun(file);
      expect(report.rows).toEqual([{ row: 1, outcome: 'create', contactId: null, reasons: [], consents: 2 }]);
      const result = await caller.import.commit({ ...file, mode: 'all_or_nothing', expectedSha256: report.fileSha256 });
      const id = result.rows[0]?.contactId ?? '';
      const exported = await exportContacts(other.db, other.env.FIELD_ENCRYPTION_KEYS, [id], new Date('2026-11-29T10:00:00Z'));
      const [mine, theirs] = [document.contacts[0], exported.contacts[0]];
      expect(theirs?.values).toEqual(mine?.values);
      expect(theirs?.consents).toEqual(mine?.consents);
      expect(theirs?.consents.map((c) => [c.purposeId, c.kind, c.method])).toEqual([
        ['newsletter', 'granted', 'in_person'],
        ['product_updates', 'granted', 'in_person'],
      ]);
      // The original provenance travels along, and the import adds itself as a source.
      for (const p of mine?.provenance ?? []) expect(theirs?.provenance).toContainEqual(p);
      expect(theirs?.provenance.filter((p) => p.reference === `import:${result.batchId}`)).toHaveLength(
        1 + Object.keys(mine?.values ?? {}).length,
      );
    } finally {
      await other.close();
    }
  });

  it('reports each contact of a JSON document on its own, including withdrawals without a grant’s proof', async () => {
    const document = {
      format: 'zweck.contacts',
      version: 1,
      contacts: [
        {
          values: { email: 'json.one@example.org' },
          consents: [
            {
              purposeId: 'newsletter',
              channel: 'email',
              kind: 'granted',
              occurredAt: '2026-09-01T08:00:00.000Z',
              method: 'web_form',
              source: 'Website',
              wordingVersion: '2026-11',
              wordingLanguage: 'en',
              wordingHash: 'sha256:0000',
            },
            {
              purposeId: 'newsletter',
              channel: 'email',
              kind: 'withdrawn',
              occurredAt: '2026-09-02T08:00:00.000Z',
              method: 'one_click_unsubscribe',
              source: 'message',
            },
          ],
        },
        {
          values: { email: 'json.two@example.org' },
          legalBasis: 'legitimate_interest',
          consents: [
            {
              purposeId: 'newsletter',
              channel: 'email',
              kind: 'confirmed',
              occurredAt: '2026-09-01T08:00:00.000Z',
              method: 'double_opt_in',
              source: 'link',
            },
          ],
        },
        { values: 'not an object' },
      ],
    };
    const report = await h
      .callerFor('marketer')
      .caller.import.dryRun({ format: 'json', content: JSON.stringify(document), source: SOURCE });
    expect(report.rows.map((r) => [r.row, r.outcome, r.reasons.map((x) => [x.code, x.field])])).toEqual([
      [1, 'reject', [['UNKNOWN_WORDING', 'consents[0].wordingHash']]],
      [2, 'reject', [['INVALID_CONSENT_PROOF', 'consents[0].purposeId']]],
      [3, 'reject', [['INVALID_RECORD', 'values']]],
    ]);
  });
});
