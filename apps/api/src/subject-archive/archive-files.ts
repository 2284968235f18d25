import { stringify } from 'csv-stringify/sync';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { ZweckExportV1 } from './archive-format.ts';

/**
 * The readable side of the archive: one CSV per section and a README that explains them, and the
 * zip that carries them with the JSON. CSV through csv-stringify (quoting, line breaks inside
 * values) and zip through fflate rather than by hand: both formats have corners (RFC 4180 quoting,
 * the zip's central directory and CRCs) that well-kept libraries already get right.
 */

export const ARCHIVE_JSON_NAME = 'subject-archive.json';
export const ARCHIVE_README_NAME = 'README.txt';

/** The sections the import does not read, and why: in the JSON's envelope and in the README. */
export const NOT_IMPORTED = [
  {
    section: 'subject.interactions, subject.events, subject.scoreHistory',
    why: 'They record what you did with mails and forms of this installation (opens, clicks, events). A new controller has no campaign or form they belong to, and lead scores are profiling that needs your consent there anew (Art. 6(1)(a) GDPR).',
  },
  {
    section: 'subject.messages, subject.campaigns, subject.journeys, subject.decisions, subject.leads',
    why: 'They are this installation’s record of its own processing (the mail log, campaign outcomes, policy decisions, sales follow-up). They stay here as proof; an importing installation keeps its own record.',
  },
  {
    section: 'subject.purposes, subject.recipients, subject.retention, subject.art14Notices, subject.consentState',
    why: 'They describe this controller’s purposes, processors and deletion periods, and the consent state is computed from the consent records, which are imported.',
  },
  {
    section: 'consents[].id, recordedAt, recordedBy, wordingText',
    why: 'The importing installation records its own IDs and times; the wording is matched by version and hash against its own catalogue, and the original evidence is kept under evidence.original.',
  },
];

type Row = Record<string, unknown>;

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cell).join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
};

/**
 * One CSV: a header line, then the rows. A cell that starts with = + - @ is prefixed with a quote
 * so that a spreadsheet shows it as text instead of running it as a formula (CSV injection).
 */
function csv(columns: readonly string[], rows: readonly Row[]): string {
  return stringify(
    rows.map((row) => columns.map((c) => cell(row[c]))),
    { header: true, columns: [...columns], escape_formulas: true, record_delimiter: 'unix' },
  );
}

export function archiveFiles(json: ZweckExportV1): Record<string, string> {
  const [person] = json.contacts;
  const s = person.subject;
  return {
    'contact.csv': csv(
      ['item', 'value'],
      Object.entries(s.contact).map(([item, value]) => ({ item, value })),
    ),
    'fields.csv': csv(['key', 'label', 'category', 'value'], s.fields),
    'consents.csv': csv(
      [
        'occurredAt',
        'purposeId',
        'channel',
        'kind',
        'method',
        'source',
        'wordingVersion',
        'wordingLanguage',
        'wordingHash',
        'expiresAt',
        'evidence',
        'recordedAt',
        'recordedBy',
        'id',
      ],
      person.consents,
    ),
    'consent_state.csv': csv(['purposeId', 'channel', 'status', 'since', 'expiresAt'], s.consentState),
    'provenance.csv': csv(['field', 'source', 'reference', 'legalBasis', 'recordedAt'], person.provenance),
    'interactions.csv': csv(['occurredAt', 'kind', 'campaign', 'details'], s.interactions),
    'events.csv': csv(['occurredAt', 'name', 'receivedAt', 'details'], s.events),
    'score_history.csv': csv(['occurredAt', 'points', 'reason', 'halfLifeDays'], s.scoreHistory),
    'leads.csv': csv(
      ['createdAt', 'status', 'purposeId', 'channel', 'owner', 'dueAt', 'escalatedAt', 'acceptedAt', 'recycledAt', 'recycleReason'],
      s.leads,
    ),
    'messages.csv': csv(['createdAt', 'sentAt', 'kind', 'subject', 'purposeId', 'channel', 'status', 'messageId'], s.messages),
    'campaigns.csv': csv(['campaign', 'outcome', 'reasonCodes', 'decidedAt', 'sentAt'], s.campaigns),
    'journeys.csv': csv(['journey', 'version', 'status', 'enteredAt', 'exitedAt', 'exitReason'], s.journeys),
    'decisions.csv': csv(['decidedAt', 'purposeId', 'channel', 'action', 'allowed', 'legalBasis', 'reasonCodes'], s.decisions),
    'purposes.csv': csv(['id', 'name', 'legalBasis', 'isDirectMarketing', 'description', 'balancingTest', 'appliesBecause'], s.purposes),
    'recipients.csv': csv(['name', 'noticeEmail', 'purposeIds', 'processorId'], s.recipients),
    'retention.csv': csv(['purposeId', 'period', 'anchor', 'action', 'policyId'], s.retention),
    'art14_notices.csv': csv(['source', 'collectedAt', 'dueAt', 'status', 'notifiedAt', 'method', 'exemption'], s.art14Notices),
  };
}

const FILE_TEXT: Record<string, string> = {
  'contact.csv': 'your record as a whole: its status, lifecycle stage, when it was created and changed, who looks after it (by role)',
  'fields.csv':
    'every value we hold about you (name, address, phone, organization, other fields), with the field’s label and data category',
  'consents.csv':
    'every consent, confirmation, withdrawal, expiry and objection, with its proof: how (method), where (source), which wording you saw (version and SHA-256 hash; the full text is in the JSON), when, and the technical evidence recorded',
  'consent_state.csv': 'what your consents amount to today, per purpose and channel',
  'provenance.csv': 'where your record and each value came from (a form, an import, staff entry), on which legal basis, and when',
  'interactions.csv': 'what you did with our mails and forms: opened, clicked, attended, form submitted, bounced',
  'events.csv': 'named events other systems reported about you (a webinar registration, a purchase)',
  'score_history.csv': 'each change of your lead score and why (only with your consent to scoring)',
  'leads.csv': 'when you were handed to sales, what happened, and the reason a lead was returned (staff appear by role only)',
  'messages.csv': 'every mail we sent or tried to send you: kind, subject, purpose, time and status',
  'campaigns.csv': 'the campaigns you were a recipient of and their outcome for you (sent, or skipped and why)',
  'journeys.csv': 'the automated journeys you went through',
  'decisions.csv': 'every decision our policy made about processing your data: purpose, action, allowed or not, legal basis, reasons',
  'purposes.csv': 'the purposes your data is processed for, their legal basis, and the legitimate interest where that is the basis',
  'recipients.csv': 'the processors (service providers) that received your data, and for which purposes',
  'retention.csv': 'how long your data is kept for each purpose (ISO 8601 period, counted from the anchor) and what happens then',
  'art14_notices.csv': 'where data about you came from someone other than you, and when we informed you about it (Art. 14 GDPR)',
};

export function archiveReadme(json: ZweckExportV1, files: Record<string, string>): string {
  const controller = json.archive.controller.name || 'the controller';
  const lines = [
    `Your data at ${controller}`,
    '='.repeat(`Your data at ${controller}`.length),
    '',
    `Produced ${json.exportedAt}, in answer to your right of access (Art. 15 GDPR) and to data portability (Art. 20 GDPR).`,
    json.archive.controller.privacyNoticeUrl ? `Privacy notice: ${json.archive.controller.privacyNoticeUrl}` : '',
    '',
    `${ARCHIVE_JSON_NAME}`,
    '  Everything in one machine-readable file (JSON, UTF-8). It is a "zweck.contacts" document of',
    '  version 1: Zweck (this product) imports it as it is, so you can take your data to another',
    '  installation of it, and other software can read it. Times are ISO 8601 in UTC.',
    '',
    'The CSV files (UTF-8, comma-separated, one line per entry; a cell starting with = + - or @ is',
    'preceded by an apostrophe so that spreadsheets show it as text):',
    ...Object.keys(files).map((name) => `  ${name.padEnd(20)} ${FILE_TEXT[name] ?? ''}`),
    '',
    'What an import of the JSON takes over: your values (fields), the legal basis, your consents with',
    'their proof (the original evidence is kept beside the importer’s own), and the provenance.',
    'What it does not take over, and why:',
    ...json.archive.notImported.flatMap((n) => [`  - ${n.section}:`, `    ${n.why}`]),
    '',
    'Other people: colleagues who handled your data appear by their role, never by name. Names of',
    'campaigns and journeys are ours and name no one.',
    '',
    'Your rights: you may ask us to correct (Art. 16), erase (Art. 17) or restrict (Art. 18) your',
    'data, object to its processing (Art. 21), withdraw any consent at any time (Art. 7(3)), and',
    'lodge a complaint with a supervisory authority (Art. 77).',
    '',
  ];
  return lines.filter((line, i) => !(line === '' && lines[i - 1] === '')).join('\n');
}

/** The zip: the JSON, the README and the CSVs under csv/, each stamped with the time the archive was produced. */
export function zipArchive(json: ZweckExportV1, files: Record<string, string>, producedAt: Date): Uint8Array {
  const entries: Zippable = {
    [ARCHIVE_README_NAME]: strToU8(archiveReadme(json, files)),
    [ARCHIVE_JSON_NAME]: strToU8(JSON.stringify(json, null, 2)),
  };
  for (const [name, content] of Object.entries(files)) entries[`csv/${name}`] = strToU8(content);
  return zipSync(entries, { level: 6, mtime: producedAt });
}
