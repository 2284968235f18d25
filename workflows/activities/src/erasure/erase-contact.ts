import { ApplicationFailure, type Payload } from '@temporalio/common';
import { suppressionHash, type Db, type Prisma } from '@zweck/db';

export type ErasureMode = 'erase' | 'anonymize';
export type ErasureCause = { kind: 'data_subject_request'; requestId: string } | { kind: 'retention'; policyId: string; runId: string };
export interface EraseContactInput {
  contactId: string;
  mode: ErasureMode;
  cause: ErasureCause;
  actor: string;
}
export interface ErasureOutcome {
  contactId: string;
  mode: ErasureMode;
  erasedAt: string;
  database: { rowsDeleted: number; rowsAnonymized: number };
  mailLog: { removed: number };
  mailSink: { removed: number };
  temporal: { terminated: number; deleted: number; keyDestroyed: boolean };
}
export type ErasureStore = 'database' | 'mail_log' | 'mail_sink' | 'temporal';
export interface ErasureVerification {
  verifiedAt: string;
  clean: boolean;
  hits: Array<{ store: ErasureStore; where: string; count: number }>;
  /** What was searched, so that "clean" can be judged. */
  searched?: { database: { tables: number; columns: number }; mailSink: { messages: number } | null; temporal: { histories: number } };
}

/** Temporal as the erasure needs it; the worker implements it with @temporalio/client (activities may not import it). */
export interface ErasureTemporal {
  /** Workflow IDs (open or closed) that a visibility query finds. */
  listWorkflowIds(query: string): Promise<string[]>;
  /** Terminates the workflow if it runs; true when it did. */
  terminate(workflowId: string, reason: string): Promise<boolean>;
  /** Deletes the closed execution (WorkflowService.DeleteWorkflowExecution); false when there is none. */
  deleteExecution(workflowId: string): Promise<boolean>;
  /** The history as stored (serialized bytes, and every payload in it); null when the server has none (deleted). */
  history(workflowId: string): Promise<{ raw: Uint8Array; payloads: Payload[] } | null>;
  /** Decodes one payload with the product's codec: its JSON text, or null when no key opens it. */
  decodeText(payload: Payload): Promise<string | null>;
}

/** The payload key store (`ContactKeyStore` of @zweck/temporal-codec), as far as the erasure uses it. */
export interface ErasureKeys {
  destroy(contactId: string): Promise<boolean>;
  sealWithRing(plain: Buffer): { sealed: Buffer; keyId: string };
  openSealed(sealed: Buffer, keyId: string): Buffer;
}

/** The development and test SMTP sink's store (infra/mail-sink); absent in production, where no sink exists. */
export interface ErasureMailSink {
  removeByRecipient(address: string): Promise<number>;
  search(terms: string[]): Promise<{ messages: number; matches: number }>;
}

export interface ErasureServices {
  temporal: ErasureTemporal;
  keys: ErasureKeys;
  mailSink: ErasureMailSink | null;
}

export interface ErasureDeps {
  db: Db;
  config: { suppressionKey: string };
  now: () => Date;
  services: ErasureServices;
}

/** What the verifier searches for; sealed in `erasure_capture` between the two activities. */
interface Captured {
  identifiers: string[];
  address: string;
  workflowIds: string[];
}

/**
 * Tables whose rows stay, linked to the tombstone, when anonymizing: the statistics (counts,
 * campaign outcomes, messages without the address, the decisions that allowed them). Everything
 * else that names the contact is deleted in both modes.
 */
const STATISTICS_TABLES = new Set(['interaction', 'campaign_recipient', 'message', 'policy_decision']);
/**
 * Tables the erasure never deletes from: the tombstone itself, the audit log (append-only and
 * hash-chained, IDs only), the records of requests and retention runs that the erasure must be
 * able to prove, and its own key and capture rows.
 */
const KEPT_TABLES = new Set([
  'contact',
  'audit_event',
  'data_subject_request',
  'dsr_event',
  'dsr_notice',
  'retention_run_item',
  'contact_payload_key',
  'erasure_capture',
]);
/** Deleted first, in this order, where foreign keys point between them; any other table with a contact_id follows. */
const DELETE_ORDER = [
  'score_event',
  'lead',
  'repermission_ask',
  'journey_enrollment',
  'contact_event',
  'campaign_recipient',
  'interaction',
  'message',
  'policy_decision',
  'provenance',
  'consent_event',
  'consent_state',
  'consent_objection',
];

const contactWorkflowIds = async (db: Db, temporal: ErasureTemporal, contactId: string): Promise<string[]> => {
  const [purposes, enrollments, leads, events] = await Promise.all([
    db.purpose.findMany({ select: { id: true } }),
    db.journeyEnrollment.findMany({ where: { contactId }, select: { workflowId: true } }),
    db.lead.findMany({ where: { contactId }, select: { workflowId: true } }),
    db.consentEvent.findMany({ where: { contactId }, select: { id: true } }),
  ]);
  const receipts = await temporal.listWorkflowIds(`WorkflowId STARTS_WITH "consent-receipt:${contactId}:"`);
  return [
    ...new Set([
      ...purposes.map((p) => `welcome:${p.id}:${contactId}`),
      ...enrollments.map((e) => e.workflowId),
      ...leads.map((l) => l.workflowId),
      `handoff:${contactId}`,
      ...events.map((e) => `consent-receipt:${e.id}`),
      ...receipts,
    ]),
  ];
};

/** Reads the capture of an earlier attempt, or captures now (before anything is removed). */
async function capture(deps: ErasureDeps, contactId: string): Promise<Captured | null> {
  const { db, services } = deps;
  const existing = await db.erasureCapture.findUnique({ where: { contactId } });
  if (existing) return JSON.parse(services.keys.openSealed(Buffer.from(existing.sealed), existing.sealedWith).toString('utf8')) as Captured;
  const contact = await db.contact.findUnique({
    where: { id: contactId },
    select: { email: true, emailNormalized: true, firstName: true, lastName: true, phone: true, phoneE164: true, status: true },
  });
  if (contact === null || contact.status === 'erased') return null;
  const fullName = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  // The address, the full name and the phone as entered and normalised. First or last names alone
  // are not searched: on their own they match other people ("Anna") and prove nothing.
  const identifiers = [
    ...new Set([contact.emailNormalized, fullName, contact.phone ?? '', contact.phoneE164 ?? ''].map((s) => s.trim())),
  ].filter((s) => s.length >= 3);
  const captured: Captured = {
    identifiers,
    address: contact.emailNormalized,
    workflowIds: await contactWorkflowIds(db, services.temporal, contactId),
  };
  const { sealed, keyId } = services.keys.sealWithRing(Buffer.from(JSON.stringify(captured)));
  await db.erasureCapture.createMany({ data: [{ contactId, sealed: new Uint8Array(sealed), sealedWith: keyId }], skipDuplicates: true });
  return captured;
}

const tablesWithContactId = async (tx: Prisma.TransactionClient): Promise<string[]> =>
  (
    await tx.$queryRaw<Array<{ table_name: string }>>`
      SELECT c.table_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = current_schema() AND c.column_name = 'contact_id'`
  ).map((r) => r.table_name);

const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/**
 * Art. 17 GDPR across every store: the database (delete, or anonymize keeping the statistics),
 * the mail log and the SMTP sink's store, Temporal (running workflows terminated, closed ones
 * deleted, the contact's payload key destroyed), a keyed hash on the suppression list, the
 * tombstone, and an audit entry with IDs and counts only. Idempotent: a retry captures nothing
 * new (the capture row of the first attempt is reused) and every step finds its work done.
 */
export async function eraseContact(deps: ErasureDeps, input: EraseContactInput): Promise<ErasureOutcome> {
  const { db, services, config, now } = deps;
  const { contactId, mode, cause } = input;
  const captured = await capture(deps, contactId);
  if (captured === null && (await db.contact.count({ where: { id: contactId } })) === 0) {
    throw ApplicationFailure.nonRetryable(`contact ${contactId} does not exist`, 'ContactNotFound');
  }

  // 1. Temporal first: the contact's workflows end before their key is destroyed, so that no worker
  // meets a payload it can no longer read (the codec's ContactPayloadKeyDestroyedError).
  let terminated = 0;
  let deleted = 0;
  for (const workflowId of captured?.workflowIds ?? []) {
    if (await services.temporal.terminate(workflowId, `erasure of contact ${contactId}`)) terminated += 1;
    if (await services.temporal.deleteExecution(workflowId)) deleted += 1;
  }

  // 2. The database, in one transaction.
  let rowsDeleted = 0;
  let rowsAnonymized = 0;
  let mailLogRemoved = 0;
  const erasedAt = now();
  await db.$transaction(
    async (tx) => {
      // Lets the append-only ledger's trigger pass the erasure's deletes (migration 20261129080000_init).
      await tx.$executeRaw`SELECT set_config('zweck.erasure', 'on', true)`;
      const tables = await tablesWithContactId(tx);
      const ordered = [...DELETE_ORDER.filter((t) => tables.includes(t)), ...tables.filter((t) => !DELETE_ORDER.includes(t)).sort()];
      for (const table of ordered) {
        if (KEPT_TABLES.has(table)) continue;
        if (mode === 'anonymize' && STATISTICS_TABLES.has(table)) continue;
        const count = await tx.$executeRawUnsafe(`DELETE FROM ${quote(table)} WHERE "contact_id" = $1::uuid`, contactId);
        rowsDeleted += count;
        if (table === 'message') mailLogRemoved += count;
      }
      if (mode === 'anonymize') {
        // The statistics stay; what could identify the person in them goes (an SMTP answer can quote the address).
        mailLogRemoved += await tx.$executeRaw`UPDATE "message" SET "smtp_response" = NULL WHERE "contact_id" = ${contactId}::uuid`;
        rowsAnonymized += mailLogRemoved;
        rowsAnonymized +=
          await tx.$executeRaw`UPDATE "campaign_recipient" SET "smtp_response" = NULL WHERE "contact_id" = ${contactId}::uuid`;
        rowsAnonymized += await tx.$executeRaw`UPDATE "interaction" SET "details" = '{}'::jsonb WHERE "contact_id" = ${contactId}::uuid`;
      }
      const tombstone = `erased-${contactId}@erased.invalid`;
      rowsAnonymized += await tx.$executeRaw`
        UPDATE "contact" SET "email" = ${tombstone}, "email_normalized" = ${tombstone}, "first_name" = NULL, "last_name" = NULL,
          "phone" = NULL, "phone_e164" = NULL, "organization" = NULL, "attributes" = '{}'::jsonb, "time_zone" = NULL,
          "email_undeliverable_at" = NULL, "consent_facts" = '{}'::jsonb, "objected_at" = NULL, "owner_id" = NULL,
          "status" = 'erased', "updated_at" = ${erasedAt}
        WHERE "id" = ${contactId}::uuid AND "status" <> 'erased'`;
      // The contact's keyed address hash goes with the address (the update's trigger queued it again).
      rowsDeleted += await tx.$executeRaw`DELETE FROM "contact_address_hash" WHERE "contact_id" = ${contactId}::uuid`;
      rowsDeleted += await tx.$executeRaw`DELETE FROM "contact_address_hash_pending" WHERE "contact_id" = ${contactId}::uuid`;
      // Art. 17 with § 7 UWG: a later import must not bring the person back. Anonymizing for retention
      // is not the person's wish to be forgotten; a request is.
      if (captured && (mode === 'erase' || cause.kind === 'data_subject_request')) {
        await tx.suppressionEntry.createMany({
          data: [{ addressHash: suppressionHash(config.suppressionKey, captured.address), reason: `erasure:${cause.kind}` }],
          skipDuplicates: true,
        });
      }
    },
    { timeout: 60_000 },
  );

  // 3. The SMTP sink's store (development and tests).
  const sinkRemoved = captured && services.mailSink ? await services.mailSink.removeByRecipient(captured.address) : 0;

  // 4. Crypto-shredding: what remains of the contact's histories can no longer be read.
  const keyDestroyed = await services.keys.destroy(contactId);

  const outcome: ErasureOutcome = {
    contactId,
    mode,
    erasedAt: erasedAt.toISOString(),
    database: { rowsDeleted, rowsAnonymized },
    mailLog: { removed: mailLogRemoved },
    mailSink: { removed: sinkRemoved },
    temporal: { terminated, deleted, keyDestroyed },
  };
  await db.auditEvent.create({
    data: {
      actor: input.actor,
      action: mode === 'erase' ? 'contact.erased' : 'contact.anonymized',
      entityType: 'contact',
      entityId: contactId,
      details: {
        mode,
        cause: cause.kind,
        causeId: cause.kind === 'data_subject_request' ? cause.requestId : cause.runId,
        rowsDeleted,
        rowsAnonymized,
        mailLogRemoved,
        mailSinkRemoved: sinkRemoved,
        terminated,
        deleted,
        keyDestroyed,
      },
    },
  });
  return outcome;
}

const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED', 'xml', 'citext']);
const likePattern = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Searches every store for the identifiers captured before the erasure: every text-like column
 * (text, varchar, char, json, jsonb, arrays, enums) of every table of the database (from
 * information_schema, case-insensitive, nothing excluded), the SMTP sink's store, the mail log (the
 * `message` table, reported on its own) and the histories of the contact's workflows (raw bytes,
 * and whether any payload still decrypts). Reports counts per place, never an identifier. Once
 * clean, the capture row goes; while not, it stays so that the erasure can run and verify again.
 */
export async function verifyErasure(deps: ErasureDeps, { contactId }: { contactId: string }): Promise<ErasureVerification> {
  const { db, services, now } = deps;
  const row = await db.erasureCapture.findUnique({ where: { contactId } });
  if (!row) {
    throw ApplicationFailure.nonRetryable(`no captured identifiers for contact ${contactId}: run the erasure first`, 'NothingToVerify');
  }
  const captured = JSON.parse(services.keys.openSealed(Buffer.from(row.sealed), row.sealedWith).toString('utf8')) as Captured;
  const hits: ErasureVerification['hits'] = [];
  const patterns = captured.identifiers.map(likePattern);

  // The database.
  const columns = await db.$queryRaw<Array<{ table_name: string; column_name: string; data_type: string }>>`
    SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position`;
  const byTable = new Map<string, string[]>();
  for (const c of columns) {
    if (!TEXT_TYPES.has(c.data_type)) continue;
    byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.column_name]);
  }
  let columnCount = 0;
  for (const [table, cols] of byTable) {
    columnCount += cols.length;
    const selects = cols.map((col, i) => `count(*) FILTER (WHERE ${quote(col)}::text ILIKE ANY($1::text[])) AS c${i}`).join(', ');
    const [counts] = await db.$queryRawUnsafe<Array<Record<string, bigint>>>(`SELECT ${selects} FROM ${quote(table)}`, patterns);
    cols.forEach((col, i) => {
      const count = Number(counts?.[`c${i}`] ?? 0);
      if (count > 0) hits.push({ store: table === 'message' ? 'mail_log' : 'database', where: `${table}.${col}`, count });
    });
  }

  // The SMTP sink.
  let sinkSearched: { messages: number } | null = null;
  if (services.mailSink) {
    const { messages, matches } = await services.mailSink.search(captured.identifiers);
    sinkSearched = { messages };
    if (matches > 0) hits.push({ store: 'mail_sink', where: 'messages', count: matches });
  }

  // Temporal: what the server still keeps of the contact's workflows.
  const lowered = captured.identifiers.map((s) => s.toLowerCase());
  let histories = 0;
  for (const workflowId of captured.workflowIds) {
    const history = await services.temporal.history(workflowId);
    if (history === null) continue;
    histories += 1;
    const raw = Buffer.from(history.raw).toString('latin1').toLowerCase();
    const rawHits = lowered.reduce((n, id) => n + (raw.includes(id) ? 1 : 0), 0);
    if (rawHits > 0) hits.push({ store: 'temporal', where: `${workflowId} (stored bytes)`, count: rawHits });
    let readable = 0;
    let readableHits = 0;
    for (const payload of history.payloads) {
      const keyId = Buffer.from(payload.metadata?.['encryption-key-id'] ?? []).toString();
      const text = await services.temporal.decodeText(payload);
      if (text === null) continue;
      if (keyId.startsWith('contact:')) readable += 1;
      const lower = text.toLowerCase();
      readableHits += lowered.filter((id) => lower.includes(id)).length;
    }
    if (readable > 0) hits.push({ store: 'temporal', where: `${workflowId} (payloads still decrypt)`, count: readable });
    if (readableHits > 0) hits.push({ store: 'temporal', where: `${workflowId} (decrypted payloads)`, count: readableHits });
  }

  const clean = hits.length === 0;
  if (clean) await db.erasureCapture.deleteMany({ where: { contactId } });
  return {
    verifiedAt: now().toISOString(),
    clean,
    hits,
    searched: { database: { tables: byTable.size, columns: columnCount }, mailSink: sinkSearched, temporal: { histories } },
  };
}
