import { createHash, randomUUID } from 'node:crypto';
import { isUniqueViolation, Prisma, type Db } from '@zweck/db';
import { lockAndFoldLedger } from '@zweck/decision-facts';
import { screenSpecialCategories } from '@zweck/policy';
import { z } from 'zod';
import { recordArt14Duties } from '../art14/art14-duties.ts';
import { audit } from '../audit.ts';
import {
  BUILTIN_COLUMNS,
  keysWithValues,
  loadFieldCatalogue,
  loadFieldSealing,
  sealedAttributes,
  type ContactValues,
  type FieldSealing,
} from '../contacts/fields.ts';
import { ALWAYS_VISIBLE_FIELD, isFieldVisible, type VisibleFields } from '../contacts/field-visibility.ts';
import type { ApiEnv } from '../env.ts';
import { AppError } from '../trpc/errors.ts';
import {
  basesCarried,
  checkImport,
  loadPurposes,
  NON_CONSENT_BASES,
  type ImportCheck,
  type ImportOptions,
  type ReportRow,
  type RowPlan,
} from './import-check.ts';
import { CSV_IMPORT_COLUMNS, IMPORT_LIMITS, parseImportFile, type ImportFormat, type ParsedImportFile } from './import-file.ts';
import { settleTrigramIndexes, tightenTrigramThreshold } from './import-lookups.ts';
import {
  insertAuditEvents,
  insertConsentEvents,
  insertContacts,
  insertProvenance,
  fillContacts,
  type AuditRow,
  type FillRow,
  type ConsentEventRow,
  type ProvenanceRow,
} from './import-writes.ts';

/**
 * Import of contacts from CSV or the Zweck contacts document (JSON): a dry run that reports row
 * by row what would be created, merged or rejected and why, and a commit that checks the same
 * file again inside one transaction and writes exactly that: contacts, consent events with their
 * proof, provenance, the import batch and the audit. No welcome workflow starts for imported
 * contacts: an import is not a sign-up, and the policy decides at each later send.
 */

export interface ImportRequest extends ImportOptions {
  format: ImportFormat;
  content: string;
}

export type ImportMode = 'all_or_nothing' | 'valid_rows_only';

export interface CommitRequest extends ImportRequest {
  mode: ImportMode;
  /** The hash the dry run reported: the commit refuses another file. */
  expectedSha256: string;
  /** The digest of the dry run's report: the commit refuses when the database has changed the outcome since. */
  expectedReportDigest?: string | undefined;
}

export interface DryRunResult {
  fileSha256: string;
  reportDigest: string;
  summary: ImportCheck['summary'];
  rows: ReportRow[];
}

/** One row as committed and as the import batch keeps it: outcome, contact and codes, never values. */
export const ZCommittedRow = z.object({
  row: z.number().int(),
  outcome: z.enum(['created', 'merged', 'rejected']),
  contactId: z.string().nullable(),
  codes: z.array(z.string()),
});
export type CommittedRow = z.infer<typeof ZCommittedRow>;

/** `import_batch.report`: read back with this schema, as every boundary is. */
const ZStoredReport = z.object({
  version: z.literal(1),
  options: z.object({ allowPossibleDuplicates: z.boolean(), defaultLegalBasis: z.string().nullable() }),
  reportDigest: z.string(),
  rows: z.array(ZCommittedRow),
});
type StoredReport = z.infer<typeof ZStoredReport>;

export interface CommitResult {
  batchId: string;
  /** The same file with the same choices was imported before: nothing new was written, this is that import's result. */
  replayed: boolean;
  fileSha256: string;
  mode: ImportMode;
  summary: { created: number; merged: number; rejected: number; consentEvents: number };
  rows: CommittedRow[];
}

type Deps = { db: Db; env: Pick<ApiEnv, 'SUPPRESSION_KEY' | 'DEFAULT_PHONE_REGION' | 'FIELD_ENCRYPTION_KEYS'> };

/** Who imports: the audit's actor, and the fields their role sees (`visibleFieldKeys`), which bound what the file may carry. */
export interface Importer {
  actor: string;
  visible: VisibleFields;
}

/** An import of 10,000 rows writes some 100,000 rows; far longer than Prisma's default of 5 s. */
const COMMIT_TIMEOUT_MS = 5 * 60_000;

/** The import's source is free text typed by staff: screened like every other (Art. 9(1)). */
function checkSource(source: string): void {
  const [special] = screenSpecialCategories(source);
  if (special) {
    throw new AppError(
      'SPECIAL_CATEGORY_DATA',
      `source: this text seems to contain ${special.category.replace(/_/g, ' ')} data ("${special.term}"), which may not be stored (Art. 9(1) GDPR).`,
      'source',
    );
  }
}

/**
 * Field-level need-to-know (Art. 32 GDPR): a file may carry only values of fields the importer's
 * role sees. A withheld field could otherwise be filled or compared during a merge, and the
 * report would tell whether the stored value differs; so the whole file is refused, naming the
 * columns, before any contact is looked up.
 */
function assertColumnsVisible(parsed: ParsedImportFile, visible: VisibleFields): void {
  if (visible === 'all') return;
  const refused = new Set<string>();
  for (const record of parsed.records) {
    for (const key of Object.keys(record.values)) if (!isFieldVisible(visible, key)) refused.add(key);
  }
  const columns = [...refused].sort();
  const [first] = columns;
  if (first === undefined) return;
  const one = columns.length === 1;
  throw new AppError(
    'FIELD_NOT_VISIBLE',
    `${one ? 'The column' : 'The columns'} ${columns.map((c) => `“${c}”`).join(', ')} ${one ? 'holds a field' : 'hold fields'} your role does not work with (need-to-know, Art. 32 GDPR), so nothing was imported. Remove ${one ? 'it' : 'them'} from the file, or ask someone whose role uses ${one ? 'this field' : 'these fields'} to import it.`,
    first,
    Object.fromEntries(columns.map((c) => [c, [`${c}: not visible to your role`]])),
  );
}

async function parse(db: Db, input: ImportRequest, visible: VisibleFields): Promise<ParsedImportFile> {
  checkSource(input.source);
  const catalogue = await loadFieldCatalogue(db);
  const parsed = parseImportFile(input.format, input.content, new Set(catalogue.keys()));
  assertColumnsVisible(parsed, visible);
  return parsed;
}

const optionsOf = (input: ImportOptions): ImportOptions => ({
  source: input.source.trim(),
  defaultLegalBasis: input.defaultLegalBasis,
  allowPossibleDuplicates: input.allowPossibleDuplicates,
});

/** Names the outcome of every row (and the choices behind it), so that a commit can prove it writes what was reviewed. */
function digestOf(check: ImportCheck, options: ImportOptions): string {
  const outline = check.rows.map((r) => [
    r.row,
    r.outcome,
    r.contactId,
    r.consents,
    r.reasons.map((x) => [x.code, x.field ?? null, x.contactId ?? null, x.otherRow ?? null]),
  ]);
  return createHash('sha256')
    .update(JSON.stringify({ options: [options.defaultLegalBasis, options.allowPossibleDuplicates], outline }))
    .digest('hex');
}

export async function dryRunImport(
  deps: Deps,
  { actor, visible }: Importer,
  input: ImportRequest,
  now = new Date(),
): Promise<DryRunResult> {
  const parsed = await parse(deps.db, input, visible);
  const options = optionsOf(input);
  await settleTrigramIndexes(deps.db);
  // One snapshot for every look-up of the file, and nothing written.
  const check = await deps.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET TRANSACTION READ ONLY`;
      await tightenTrigramThreshold(tx);
      return checkImport(tx, parsed.records, options, {
        suppressionKey: deps.env.SUPPRESSION_KEY,
        fieldKeys: deps.env.FIELD_ENCRYPTION_KEYS,
        defaultCountry: deps.env.DEFAULT_PHONE_REGION,
        now,
        lockExisting: false,
      });
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, timeout: COMMIT_TIMEOUT_MS },
  );
  await audit(deps.db, {
    actor,
    action: 'import.dry_run',
    entityType: 'import',
    details: {
      format: input.format,
      fileSha256: parsed.fileSha256,
      rows: check.rows.length,
      create: check.summary.create,
      merge: check.summary.merge,
      reject: check.summary.reject,
    },
  });
  return { fileSha256: parsed.fileSha256, reportDigest: digestOf(check, options), summary: check.summary, rows: check.rows };
}

const codesOf = (row: ReportRow): string[] => row.reasons.map((r) => r.code);

function resultOf(
  batchId: string,
  replayed: boolean,
  fileSha256: string,
  mode: ImportMode,
  rows: CommittedRow[],
  consentEvents: number,
): CommitResult {
  const count = (outcome: CommittedRow['outcome']) => rows.filter((r) => r.outcome === outcome).length;
  return {
    batchId,
    replayed,
    fileSha256,
    mode,
    summary: { created: count('created'), merged: count('merged'), rejected: count('rejected'), consentEvents },
    rows,
  };
}

/** A batch of this file with the same choices, if one was committed: a retried commit gets its result. */
async function findCommitted(
  tx: Prisma.TransactionClient,
  input: CommitRequest,
  options: ImportOptions,
  fileSha256: string,
): Promise<CommitResult | null> {
  const batches = await tx.importBatch.findMany({
    where: { fileSha256, format: input.format, mode: input.mode, source: options.source },
    select: { id: true, report: true },
    orderBy: { createdAt: 'desc' },
  });
  for (const batch of batches) {
    const stored = ZStoredReport.safeParse(batch.report);
    if (!stored.success) continue;
    const same =
      stored.data.options.allowPossibleDuplicates === options.allowPossibleDuplicates &&
      stored.data.options.defaultLegalBasis === options.defaultLegalBasis;
    if (!same) continue;
    const consentEvents = await tx.consentEvent.count({ where: { dedupeKey: { startsWith: `import:${fileSha256}:` } } });
    return resultOf(batch.id, true, fileSha256, input.mode, stored.data.rows, consentEvents);
  }
  return null;
}

export async function commitImport(
  deps: Deps,
  { actor, visible }: Importer,
  input: CommitRequest,
  now = new Date(),
): Promise<CommitResult> {
  const parsed = await parse(deps.db, input, visible);
  if (parsed.fileSha256 !== input.expectedSha256) {
    throw new AppError(
      'IMPORT_FILE_CHANGED',
      'This is not the file of the dry run (its content differs). Run the dry run again for this file.',
      'expectedSha256',
    );
  }
  const options = optionsOf(input);
  await settleTrigramIndexes(deps.db);
  try {
    const result = await deps.db.$transaction(
      async (tx) => {
        // Two commits of one file run one after the other: the second finds the first's batch.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`import:${parsed.fileSha256}`}, 0))`;
        const committed = await findCommitted(tx, input, options, parsed.fileSha256);
        if (committed) return committed;

        await tightenTrigramThreshold(tx);
        const check = await checkImport(tx, parsed.records, options, {
          suppressionKey: deps.env.SUPPRESSION_KEY,
          fieldKeys: deps.env.FIELD_ENCRYPTION_KEYS,
          defaultCountry: deps.env.DEFAULT_PHONE_REGION,
          now,
          lockExisting: true,
        });
        const reportDigest = digestOf(check, options);
        if (input.expectedReportDigest !== undefined && input.expectedReportDigest !== reportDigest) {
          throw new AppError(
            'IMPORT_REPORT_CHANGED',
            'The contacts have changed since the dry run, and so would the outcome of some rows. Run the dry run again and review it.',
          );
        }
        if (input.mode === 'all_or_nothing' && check.summary.reject > 0) {
          throw new AppError(
            'IMPORT_HAS_REJECTED_ROWS',
            `${check.summary.reject} of ${check.rows.length} rows are rejected, so nothing was imported. Correct the file, or import only the valid rows.`,
            'mode',
          );
        }
        if (check.summary.create + check.summary.merge === 0) {
          throw new AppError('IMPORT_NOTHING_TO_IMPORT', 'No row of this file can be imported: every row is rejected.', 'mode');
        }
        const sealing = await loadFieldSealing(tx, deps.env.FIELD_ENCRYPTION_KEYS);
        return writeImport(tx, check, { ...input, ...options }, parsed.fileSha256, reportDigest, actor, now, sealing);
      },
      { timeout: COMMIT_TIMEOUT_MS, maxWait: 10_000 },
    );
    if (!result.replayed && result.summary.created > 0) await settleTrigramIndexes(deps.db);
    return result;
  } catch (error) {
    // Another writer created a contact with one of these addresses after the check read them.
    if (isUniqueViolation(error, 'email_normalized')) {
      throw new AppError(
        'IMPORT_REPORT_CHANGED',
        'A contact with an address of this file was added while the import ran. Run the dry run again and review it.',
      );
    }
    throw error;
  }
}

type Accepted = Exclude<RowPlan, { outcome: 'reject' }>;

/** The values a merge fills: the fields the check found empty in the existing contact; free text sealed for it. */
function fillOf(contactId: string, plan: Extract<RowPlan, { outcome: 'merge' }>, sealing: FieldSealing): FillRow {
  const filled = (field: string) => plan.fill.includes(field);
  return {
    id: contactId,
    firstName: filled('first_name') ? plan.values.firstName : null,
    lastName: filled('last_name') ? plan.values.lastName : null,
    organization: filled('organization') ? plan.values.organization : null,
    phone: filled('phone') ? plan.values.phone : null,
    phoneE164: filled('phone') ? plan.values.phoneE164 : null,
    attributes: sealedAttributes(
      sealing,
      contactId,
      Object.fromEntries(Object.entries(plan.values.attributes).filter(([key]) => filled(key))),
    ),
  };
}

async function writeImport(
  tx: Prisma.TransactionClient,
  check: ImportCheck,
  input: CommitRequest,
  fileSha256: string,
  reportDigest: string,
  actor: string,
  now: Date,
  sealing: FieldSealing,
): Promise<CommitResult> {
  const batchId = randomUUID();
  const reference = `import:${batchId}`;
  const contacts: { id: string; values: ContactValues }[] = [];
  const merges: { contactId: string; plan: Extract<RowPlan, { outcome: 'merge' }> }[] = [];
  const provenance: ProvenanceRow[] = [];
  const events: ConsentEventRow[] = [];
  const audits: AuditRow[] = [];
  const rows: CommittedRow[] = [];

  check.plans.forEach((plan, i) => {
    const report = check.rows[i];
    if (!report) throw new Error('import check: a plan without its report row');
    if (plan.outcome === 'reject') {
      rows.push({ row: report.row, outcome: 'rejected', contactId: null, codes: codesOf(report) });
      return;
    }
    const accepted: Accepted = plan;
    const contactId = accepted.outcome === 'create' ? randomUUID() : accepted.contactId;
    const fields = accepted.outcome === 'create' ? keysWithValues(accepted.values) : accepted.fill;
    if (accepted.outcome === 'create') contacts.push({ id: contactId, values: accepted.values });
    else merges.push({ contactId, plan: accepted });

    // Where the contact and each value written came from (Art. 14(2)(f)); a merge records the import as a source of the contact.
    const ours = { contactId, source: 'import', reference, legalBasis: accepted.legalBasis, actor, recordedAt: now };
    provenance.push({ ...ours, field: null }, ...fields.map((field) => ({ ...ours, field })));
    // Provenance the file brings along (the export of another installation) keeps its own source and time.
    for (const p of accepted.provenance) {
      if (p.field !== null && !fields.includes(p.field)) continue;
      provenance.push({
        contactId,
        field: p.field,
        source: p.source,
        reference: p.reference ?? null,
        legalBasis: p.legalBasis,
        actor,
        recordedAt: p.recordedAt ? new Date(p.recordedAt) : now,
      });
    }
    events.push(
      ...accepted.consents.map((c) => ({
        contactId,
        purposeId: c.purposeId,
        channel: c.channel,
        kind: c.kind,
        occurredAt: c.occurredAt,
        expiresAt: c.expiresAt,
        method: c.method,
        source: c.source,
        wordingVersion: c.wordingVersion,
        wordingHash: c.wordingHash,
        actor,
        // The evidence another installation recorded stays with the event (Art. 7(1)), beside this import's own.
        evidence: { importBatchId: batchId, row: report.row, ...(c.evidence ? { original: c.evidence } : {}) },
        // A retried commit of the same file records each event once.
        dedupeKey: `import:${fileSha256}:${report.row}:${c.index}`,
      })),
    );
    audits.push({
      actor,
      action: accepted.outcome === 'create' ? 'contact.create' : 'contact.import_merge',
      entityType: 'contact',
      entityId: contactId,
      details: {
        via: 'import',
        importBatchId: batchId,
        row: report.row,
        fields,
        consentEvents: accepted.consents.length,
        ...(accepted.outcome === 'merge'
          ? { keptExisting: report.reasons.filter((r) => r.code === 'KEPT_EXISTING_VALUE').map((r) => r.field ?? '') }
          : {}),
      },
    });
    rows.push({ row: report.row, outcome: accepted.outcome === 'create' ? 'created' : 'merged', contactId, codes: codesOf(report) });
  });

  await insertContacts(tx, contacts, sealing);
  await fillContacts(
    tx,
    merges.filter((m) => m.plan.fill.length > 0).map((m) => fillOf(m.contactId, m.plan, sealing)),
  );
  for (const { contactId, plan } of merges) {
    if (plan.consents.length === 0) continue;
    // Every writer of the ledger decides under this lock (the check read the ledger under the same lock).
    const locked = await lockAndFoldLedger(tx, contactId);
    if (!locked || locked.status === 'erased' || locked.status === 'erasure_pending') {
      throw new AppError('IMPORT_REPORT_CHANGED', 'A contact of this file was erased while the import ran. Run the dry run again.');
    }
  }
  await insertProvenance(tx, provenance);
  // The data did not come from the people themselves: each must be informed within a month (Art. 14).
  await recordArt14Duties(
    tx,
    rows.flatMap((r) => (r.contactId === null ? [] : [r.contactId])),
    { source: 'import', reference, collectedAt: now },
  );
  const consentEvents = await insertConsentEvents(tx, events);
  await insertAuditEvents(tx, audits);

  const report: StoredReport = {
    version: 1,
    options: { allowPossibleDuplicates: input.allowPossibleDuplicates, defaultLegalBasis: input.defaultLegalBasis },
    reportDigest,
    rows,
  };
  const result = resultOf(batchId, false, fileSha256, input.mode, rows, consentEvents);
  await tx.importBatch.create({
    data: {
      id: batchId,
      format: input.format,
      mode: input.mode,
      source: input.source,
      fileSha256,
      rowCount: rows.length,
      createdCount: result.summary.created,
      mergedCount: result.summary.merged,
      rejectedCount: result.summary.rejected,
      report,
      actor,
    },
  });
  await audit(tx, {
    actor,
    action: 'import.commit',
    entityType: 'import_batch',
    entityId: batchId,
    details: {
      format: input.format,
      mode: input.mode,
      fileSha256,
      rows: rows.length,
      created: result.summary.created,
      merged: result.summary.merged,
      rejected: result.summary.rejected,
      consentEvents,
    },
  });
  return result;
}

/** What the wizard explains: the columns, the fields, the purposes with their wordings, and the bases an import may use. */
export async function importGuide(db: Db, visible: VisibleFields) {
  const builtins: readonly string[] = ['email', ...Object.keys(BUILTIN_COLUMNS).filter((k) => k !== 'email')];
  const order = (key: string): number => (builtins.includes(key) ? builtins.indexOf(key) : builtins.length);
  const catalogue = await loadFieldCatalogue(db);
  const purposes = await loadPurposes(db);
  const carried = basesCarried(purposes);
  return {
    limits: IMPORT_LIMITS,
    importColumns: [...CSV_IMPORT_COLUMNS],
    // Only the fields the importer's role sees: a file with any other column is refused (assertColumnsVisible).
    fields: [...catalogue.values()]
      .filter((f) => f.key === ALWAYS_VISIBLE_FIELD || isFieldVisible(visible, f.key))
      .map((f) => ({ key: f.key, label: f.label, type: f.type, isUsable: f.purposeIds.length > 0 }))
      .sort((a, b) => order(a.key) - order(b.key) || a.key.localeCompare(b.key)),
    consentPurposes: [...purposes.values()]
      .filter((p) => p.legalBasis === 'consent')
      .map((p) => ({
        id: p.id,
        channels: p.channels,
        wordings: p.wordings.map((w) => ({ version: w.version, language: w.language })),
      })),
    nonConsentBases: NON_CONSENT_BASES.filter((b) => carried.has(b)),
  };
}
