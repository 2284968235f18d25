import type { Prisma } from '@zweck/db';
import { lockAndFoldLedger } from '@zweck/decision-facts';
import { audit } from '../audit.ts';
import { signalConsentChanged } from '../automation.ts';
import { loadFieldCatalogue, sealingOf, storedValues } from '../contacts/fields.ts';
import { checkOrThrow, formValues, updateContactRecord } from '../contacts/write.ts';
import type { ApiEnv } from '../env.ts';
import { signalJourneyConsentChanged } from '../journeys-runtime/enrollment.ts';
import { recipientsOfContact } from '../processors/recipients.ts';
import { AppError } from '../trpc/errors.ts';
import type { DsrType } from '../routers/requests/requests.schema.ts';
import { erasureStatus, signalDsrUpdated, startContactErasure } from './dsr.automation.ts';
import { automationOf, lockOpenRequest, recordEvent, type Art19Change, type DsrDeps } from './dsr.service.ts';

type Tx = Prisma.TransactionClient;

/** The request, open and verified, of the given type and matched to a contact: what every action needs. */
async function lockForAction(tx: Tx, id: string, types: readonly DsrType[]) {
  const row = await lockOpenRequest(tx, id);
  if (row.status === 'awaiting_verification') {
    throw new AppError('REQUEST_NOT_VERIFIED', 'The identity of the person is not yet verified; nothing is done before it is.', 'id');
  }
  if (!types.includes(row.type)) {
    throw new AppError('REQUEST_ACTION_NOT_FOR_TYPE', `This action does not belong to a request of type ${row.type}.`, 'id');
  }
  if (row.contactId === null) {
    throw new AppError('REQUEST_NO_CONTACT', 'No contact has this address: there is no data to act on.', 'id');
  }
  return { ...row, contactId: row.contactId };
}

/** Work has begun: an open request moves to in progress with its first action. */
async function markInProgress(tx: Tx, row: { id: string; status: string }, actor: string): Promise<void> {
  if (row.status !== 'open') return;
  await tx.dataSubjectRequest.update({ where: { id: row.id }, data: { status: 'in_progress' } });
  await recordEvent(tx, row.id, 'status_changed', actor, { from: 'open', to: 'in_progress' });
}

/**
 * The Art. 19 notices a change calls for: one per processor that received the person's data
 * (slice F's register), recorded as pending here, in the transaction of the change, and sent by
 * the request's workflow. Computed before the change, while the ledger still says who received what.
 */
async function recordArt19Notices(tx: Tx, requestId: string, contactId: string, change: Art19Change, actor: string): Promise<number> {
  const recipients = await recipientsOfContact(tx, contactId);
  const { count } = await tx.dsrNotice.createMany({
    data: recipients.map((r) => ({ requestId, processorId: r.processorId, change, status: 'pending' })),
    skipDuplicates: true,
  });
  await recordEvent(tx, requestId, 'notices_recorded', actor, {
    change,
    processorIds: recipients.map((r) => r.processorId),
    recorded: count,
  });
  return count;
}

/** Every running workflow of the contact hears that what it may do changed (welcome per purpose, journeys). */
async function signalContactWorkflows(deps: DsrDeps, contactId: string): Promise<void> {
  const purposes = await deps.db.consentEvent.findMany({ where: { contactId }, distinct: ['purposeId'], select: { purposeId: true } });
  if (purposes.length === 0) await signalJourneyConsentChanged(deps, contactId);
  for (const { purposeId } of purposes) await signalConsentChanged(deps, contactId, purposeId);
}

/**
 * Art. 18: the contact is restricted at once (only storage remains lawful: the policy refuses
 * everything else for a restricted person, and campaigns skip them), every running workflow is
 * told so that a journey exits before its next step, and recipients are notified (Art. 19).
 */
export async function restrictContact(deps: DsrDeps, requestId: string, actor: string): Promise<{ notices: number }> {
  const { contactId, notices } = await deps.db.$transaction(async (tx) => {
    const row = await lockForAction(tx, requestId, ['restriction']);
    await tx.contact.updateMany({ where: { id: row.contactId, status: 'active' }, data: { status: 'restricted' } });
    await markInProgress(tx, row, actor);
    await recordEvent(tx, requestId, 'action_taken', actor, { action: 'restriction', contactId: row.contactId });
    const recorded = await recordArt19Notices(tx, requestId, row.contactId, 'restriction', actor);
    await audit(tx, { actor, action: 'contact.restrict', entityType: 'contact', entityId: row.contactId, details: { requestId } });
    return { contactId: row.contactId, notices: recorded };
  });
  await signalContactWorkflows(deps, contactId);
  await signalDsrUpdated(automationOf(deps), requestId);
  return { notices };
}

/**
 * Art. 21(2), (3): the objection to direct marketing, recorded as the ledger's `objected` entry
 * (the same path as a spam complaint; the fold makes it cover all direct marketing on every
 * channel), with immediate effect for every running workflow of the person.
 */
export async function recordObjection(deps: DsrDeps, requestId: string, actor: string): Promise<{ recorded: boolean }> {
  const marketing = await deps.db.purpose.findMany({ where: { isDirectMarketing: true }, select: { id: true }, orderBy: { id: 'asc' } });
  const { contactId, recorded } = await deps.db.$transaction(async (tx) => {
    const row = await lockForAction(tx, requestId, ['objection']);
    const locked = await lockAndFoldLedger(tx, row.contactId);
    const purposeId = marketing[0]?.id;
    const isNew = locked !== null && locked.consents.objectedToDirectMarketingAt === null && purposeId !== undefined;
    if (isNew) {
      await tx.consentEvent.create({
        data: {
          contactId: row.contactId,
          purposeId,
          channel: 'email',
          kind: 'objected',
          occurredAt: new Date(),
          method: 'staff_entry',
          source: `data_subject_request:${requestId}`,
          actor: 'contact',
          evidence: { requestId, recordedBy: actor },
          dedupeKey: `dsr-objection:${requestId}`,
        },
      });
      await audit(tx, {
        actor,
        action: 'consent.object',
        entityType: 'contact',
        entityId: row.contactId,
        details: { purposeId, via: 'data_subject_request', requestId },
      });
    }
    await markInProgress(tx, row, actor);
    await recordEvent(tx, requestId, 'action_taken', actor, { action: 'objection', contactId: row.contactId, alreadyObjected: !isNew });
    return { contactId: row.contactId, recorded: isNew };
  });
  for (const { id } of marketing) await signalConsentChanged(deps, contactId, id);
  await signalDsrUpdated(automationOf(deps), requestId);
  return { recorded };
}

/** Art. 16: the contact's values corrected through the contact write path, each with its provenance; recipients are told. */
export async function rectifyContact(
  deps: DsrDeps & { env: Pick<ApiEnv, 'DEFAULT_PHONE_REGION' | 'FIELD_ENCRYPTION_KEYS'> },
  input: { id: string; values: Parameters<typeof formValues>[0] },
  actor: string,
): Promise<{ changed: string[]; notices: number }> {
  const catalogue = await loadFieldCatalogue(deps.db);
  const values = checkOrThrow(formValues(input.values), catalogue, { defaultCountry: deps.env.DEFAULT_PHONE_REGION });
  const sealing = sealingOf(deps.env.FIELD_ENCRYPTION_KEYS, catalogue);
  const result = await deps.db.$transaction(async (tx) => {
    const row = await lockForAction(tx, input.id, ['rectification']);
    await tx.$queryRaw`SELECT id FROM contact WHERE id = ${row.contactId}::uuid FOR UPDATE`;
    const contact = await tx.contact.findUniqueOrThrow({
      where: { id: row.contactId },
      select: { id: true, email: true, firstName: true, lastName: true, phone: true, organization: true, attributes: true },
    });
    const changed = await updateContactRecord(tx, row.contactId, storedValues(contact, sealing), values, sealing, {
      source: 'data_subject_request',
      reference: input.id,
      legalBasis: 'legal_obligation',
      actor,
    });
    await markInProgress(tx, row, actor);
    // Field keys only: the values themselves stay in the contact record.
    await recordEvent(tx, input.id, 'action_taken', actor, { action: 'rectification', contactId: row.contactId, fields: changed });
    const notices = changed.length > 0 ? await recordArt19Notices(tx, input.id, row.contactId, 'rectification', actor) : 0;
    if (changed.length > 0) {
      await audit(tx, {
        actor,
        action: 'contact.update',
        entityType: 'contact',
        entityId: row.contactId,
        details: { fields: changed, requestId: input.id },
      });
    }
    return { changed, notices };
  });
  await signalDsrUpdated(automationOf(deps), input.id);
  return result;
}

/**
 * Art. 17: the recipients are recorded (while the ledger still says who they are), then slice E's
 * erasure workflow runs across every store; its verifier's report decides whether the request
 * can be completed.
 */
export async function eraseContactForRequest(
  deps: DsrDeps,
  input: { id: string; mode: 'erase' | 'anonymize' },
  actor: string,
): Promise<{ started: 'started' | 'already_started'; notices: number }> {
  const { contactId, notices } = await deps.db.$transaction(async (tx) => {
    const row = await lockForAction(tx, input.id, ['erasure']);
    await markInProgress(tx, row, actor);
    const recorded = await recordArt19Notices(tx, input.id, row.contactId, 'erasure', actor);
    await recordEvent(tx, input.id, 'erasure_started', actor, { contactId: row.contactId, mode: input.mode });
    await audit(tx, {
      actor,
      action: 'dsr.erase',
      entityType: 'data_subject_request',
      entityId: input.id,
      details: { contactId: row.contactId, mode: input.mode },
    });
    return { contactId: row.contactId, notices: recorded };
  });
  const started = await startContactErasure(
    { temporal: deps.temporal, taskQueue: deps.env.TEMPORAL_TASK_QUEUE },
    { contactId, mode: input.mode, cause: { kind: 'data_subject_request', requestId: input.id }, actor },
  );
  await signalDsrUpdated(automationOf(deps), input.id);
  return { started, notices };
}

/**
 * The verifier's report of a finished erasure, entered on the timeline once per report (counts
 * and store names, never an identifier). Null while the erasure runs or was never started.
 */
export async function recordErasureReport(deps: DsrDeps, requestId: string): Promise<{ clean: boolean } | null> {
  const row = await deps.db.dataSubjectRequest.findUnique({ where: { id: requestId }, select: { type: true, contactId: true } });
  if (!row || row.type !== 'erasure' || row.contactId === null) return null;
  const status = await erasureStatus(deps.temporal, row.contactId);
  if (status?.result == null) return null;
  const { verification } = status.result;
  try {
    await recordEvent(
      deps.db,
      requestId,
      'erasure_verified',
      'system:verifier',
      { clean: verification.clean, verifiedAt: verification.verifiedAt, hits: verification.hits },
      `erasure-verified:${requestId}:${verification.verifiedAt}`,
    );
  } catch (error) {
    // Entered before: the same report (the key names its time).
    if (!(error instanceof Error && 'code' in error && (error as { code?: string }).code === 'P2002')) throw error;
  }
  return { clean: verification.clean };
}
