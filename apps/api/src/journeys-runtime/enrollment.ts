import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isUniqueViolation, Prisma, type Db } from '@zweck/db';
import { ZJourneyDefinition, type JourneyDefinition } from '@zweck/journeys';
import type { journeyWorkflow } from '@zweck/workflows';
import {
  cancelJourneySignal,
  consentChangedSignal,
  journeyPositionQuery,
  journeyWorkflowId,
  TASK_QUEUE,
  type JourneyPosition,
} from '@zweck/workflows/contracts';
import { audit } from '../audit.ts';

/**
 * Enrolment on the API side: one row per run of one contact through one journey version (the
 * partial unique index keeps one active per journey and contact), and one journey workflow per row,
 * started with IDs only. Every trigger (an API event, a confirmed hosted form, staff by hand) comes
 * through `enrollContact`; the segment trigger runs in the worker with the same rules.
 */
export interface JourneyRuntimeDeps {
  db: Db;
  temporal: Client;
  /** The worker's task queue; absent: the product's queue. */
  taskQueue?: string | undefined;
}

/** What made the contact enter, for the audit log (IDs only). */
export type EnrollmentCause =
  { kind: 'event'; eventId: string } | { kind: 'form_submitted'; purposeId: string } | { kind: 'manual'; userId: string };

export type EnrollRefusal =
  | 'journey_not_found'
  | 'journey_not_active'
  | 'journey_not_published'
  | 'contact_not_found'
  | 'contact_not_eligible'
  | 'already_active'
  | 'reentry_not_allowed';

export type EnrollResult =
  { status: 'enrolled'; enrollmentId: string; workflowId: string; journeyVersionId: string } | { status: 'refused'; reason: EnrollRefusal };

/** The journey's latest published version, with its definition parsed. */
export async function latestPublishedVersion(
  db: Db,
  journeyId: string,
): Promise<{ status: string; version: { id: string; number: number; definition: JourneyDefinition } | null } | null> {
  const journey = await db.journey.findUnique({
    where: { id: journeyId },
    select: { status: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, number: true, definition: true } } },
  });
  if (!journey) return null;
  const latest = journey.versions[0];
  return {
    status: journey.status,
    version: latest ? { id: latest.id, number: latest.number, definition: ZJourneyDefinition.parse(latest.definition) } : null,
  };
}

/**
 * Enrol a contact in the journey's latest published version and start its workflow. Refused when
 * the journey is not active or has no published version, when the contact is not active
 * (restricted, erasure pending or erased: Art. 17, 18 GDPR), while the contact has an active
 * enrolment in the journey, and, where the journey allows no re-entry, when the contact was
 * enrolled in it before.
 */
export async function enrollContact(
  deps: JourneyRuntimeDeps,
  journeyId: string,
  contactId: string,
  cause: EnrollmentCause,
): Promise<EnrollResult> {
  const refuse = (reason: EnrollRefusal): EnrollResult => ({ status: 'refused', reason });
  const journey = await latestPublishedVersion(deps.db, journeyId);
  if (!journey) return refuse('journey_not_found');
  if (journey.status !== 'active') return refuse('journey_not_active');
  const { version } = journey;
  if (!version) return refuse('journey_not_published');
  const contact = await deps.db.contact.findUnique({ where: { id: contactId }, select: { status: true } });
  if (!contact || contact.status === 'erased') return refuse('contact_not_found');
  if (contact.status !== 'active') return refuse('contact_not_eligible');

  const enrollmentId = randomUUID();
  const workflowId = journeyWorkflowId(journeyId, contactId);
  let refused: EnrollRefusal | null = null;
  try {
    refused = await deps.db.$transaction(async (tx) => {
      // One decision at a time per journey and contact, so that "enrolled before?" holds until the insert.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${workflowId}, 0))`;
      const earlier = await tx.journeyEnrollment.findFirst({
        where: { journeyId, contactId },
        orderBy: { enteredAt: 'desc' },
        select: { status: true },
      });
      if (earlier?.status === 'active') return 'already_active';
      if (earlier && !version.definition.allowReentry) return 'reentry_not_allowed';
      await tx.journeyEnrollment.create({
        data: { id: enrollmentId, journeyId, journeyVersionId: version.id, contactId, workflowId },
      });
      return null;
    });
  } catch (error) {
    // The partial unique index: another trigger enrolled the contact a moment ago.
    if (isUniqueViolation(error)) return refuse('already_active');
    throw error;
  }
  if (refused !== null) return refuse(refused);

  try {
    await deps.temporal.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
      taskQueue: deps.taskQueue ?? TASK_QUEUE,
      workflowId,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      args: [{ version: 1, enrollmentId, journeyVersionId: version.id, contactId }],
    });
  } catch (error) {
    // No workflow runs this row: take it back so that it blocks nobody.
    await deps.db.journeyEnrollment.delete({ where: { id: enrollmentId } });
    // The previous enrolment's workflow is still finishing: it is, in effect, still active.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return refuse('already_active');
    throw error;
  }
  await audit(deps.db, {
    actor: cause.kind === 'manual' ? `user:${cause.userId}` : 'system:journeys',
    action: 'journey.enroll',
    entityType: 'contact',
    entityId: contactId,
    details: {
      journeyId,
      journeyVersionId: version.id,
      enrollmentId,
      cause: cause.kind,
      ...(cause.kind === 'event' ? { eventId: cause.eventId } : cause.kind === 'form_submitted' ? { purposeId: cause.purposeId } : {}),
    },
  });
  return { status: 'enrolled', enrollmentId, workflowId, journeyVersionId: version.id };
}

/**
 * End an active enrolment by hand: the row is closed as `cancelled` at its current step first,
 * then the workflow is told, so that it stops before its next step. A workflow already gone
 * changes nothing.
 */
export async function endEnrollment(
  deps: JourneyRuntimeDeps,
  enrollmentId: string,
  userId: string,
): Promise<'ended' | 'not_found' | 'not_active'> {
  const row = await deps.db.journeyEnrollment.findUnique({
    where: { id: enrollmentId },
    select: { status: true, workflowId: true, contactId: true, journeyId: true, currentStepId: true },
  });
  if (!row) return 'not_found';
  const closed = await deps.db.journeyEnrollment.updateMany({
    where: { id: enrollmentId, status: 'active' },
    data: { status: 'exited', exitReason: 'cancelled', exitStepId: row.currentStepId, exitedAt: new Date(), currentStepId: null },
  });
  if (closed.count === 0) return 'not_active';
  try {
    await deps.temporal.workflow.getHandle(row.workflowId).signal(cancelJourneySignal);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  await audit(deps.db, {
    actor: `user:${userId}`,
    action: 'journey.end',
    entityType: 'contact',
    entityId: row.contactId,
    details: { journeyId: row.journeyId, enrollmentId },
  });
  return 'ended';
}

/**
 * Tell the contact's running enrolments that their consent changed: each checks its exit rules
 * against a fresh read before anything else (withdrawal, objection). Closed ones are skipped.
 */
export async function signalJourneyConsentChanged(deps: Pick<JourneyRuntimeDeps, 'db' | 'temporal'>, contactId: string): Promise<number> {
  const rows = await deps.db.journeyEnrollment.findMany({ where: { contactId, status: 'active' }, select: { workflowId: true } });
  let signalled = 0;
  for (const { workflowId } of rows) {
    try {
      await deps.temporal.workflow.getHandle(workflowId).signal(consentChangedSignal);
      signalled++;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  return signalled;
}

export interface ContactEnrollment {
  enrollmentId: string;
  journeyId: string;
  journeyName: string;
  versionNumber: number;
  status: 'active' | 'exited';
  currentStepId: string | null;
  stepEnteredAt: string | null;
  /** When a waiting step gives up, as the running workflow answers (null when not waiting or not answering). */
  waitingUntil: string | null;
  enteredAt: string;
  exitedAt: string | null;
  exitReason: string | null;
  exitStepId: string | null;
}

/** The position of a running enrolment as its workflow reports it; null when no worker answers in time. */
async function positionOf(temporal: Client, workflowId: string, timeoutMs: number): Promise<JourneyPosition | null> {
  try {
    return await temporal.withDeadline(Date.now() + timeoutMs, () => temporal.workflow.getHandle(workflowId).query(journeyPositionQuery));
  } catch {
    // The row holds the step; the wait's end is a convenience the page shows when it can.
    return null;
  }
}

/** A contact's enrolments, newest first, with the step each stands at and, while waiting, until when. */
export async function listContactEnrollments(deps: JourneyRuntimeDeps, contactId: string, timeoutMs = 2_000): Promise<ContactEnrollment[]> {
  const rows = await deps.db.journeyEnrollment.findMany({
    where: { contactId },
    orderBy: { enteredAt: 'desc' },
    take: 100,
    select: {
      id: true,
      journeyId: true,
      workflowId: true,
      status: true,
      currentStepId: true,
      stepEnteredAt: true,
      enteredAt: true,
      exitedAt: true,
      exitReason: true,
      exitStepId: true,
      journey: { select: { name: true } },
      journeyVersion: { select: { number: true } },
    },
  });
  return Promise.all(
    rows.map(async (row) => {
      const position = row.status === 'active' ? await positionOf(deps.temporal, row.workflowId, timeoutMs) : null;
      return {
        enrollmentId: row.id,
        journeyId: row.journeyId,
        journeyName: row.journey.name,
        versionNumber: row.journeyVersion.number,
        status: row.status,
        currentStepId: row.currentStepId,
        stepEnteredAt: row.stepEnteredAt?.toISOString() ?? null,
        waitingUntil: position?.waitingUntil ?? null,
        enteredAt: row.enteredAt.toISOString(),
        exitedAt: row.exitedAt?.toISOString() ?? null,
        exitReason: row.exitReason,
        exitStepId: row.exitStepId,
      };
    }),
  );
}

/** Active journeys whose latest published version starts on this trigger. */
export async function journeysTriggeredBy(
  db: Db,
  trigger: { type: 'event'; name: string } | { type: 'form_submitted'; purposeId: string },
): Promise<string[]> {
  const [key, value] = trigger.type === 'event' ? ['name', trigger.name] : ['purposeId', trigger.purposeId];
  const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
    SELECT j.id::text AS id
    FROM journey j
    JOIN LATERAL (
      SELECT v.definition FROM journey_version v WHERE v.journey_id = j.id ORDER BY v.number DESC LIMIT 1
    ) latest ON true
    WHERE j.status = 'active'::"JourneyStatus"
      AND latest.definition -> 'trigger' ->> 'type' = ${trigger.type}
      AND latest.definition -> 'trigger' ->> ${key}::text = ${value}
    ORDER BY j.id`);
  return rows.map((r) => r.id);
}

/** The workflows of a contact's active enrolments (to be told once a merge has ended them). */
export async function activeJourneyWorkflowIds(db: Db, contactId: string): Promise<string[]> {
  const rows = await db.journeyEnrollment.findMany({ where: { contactId, status: 'active' }, select: { workflowId: true } });
  return rows.map((r) => r.workflowId);
}

/**
 * Inside a merge's transaction: the merged-away record's running enrolments end as `cancelled`
 * at the step they stood at (its workflows carry its ID, which ceases to exist), then its
 * enrolments and API events move to the survivor, whose own enrolments go on.
 */
export async function moveJourneyRowsOnMerge(tx: Prisma.TransactionClient, duplicateId: string, survivorId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE journey_enrollment
    SET status = 'exited'::"EnrollmentStatus", exit_reason = 'cancelled', exit_step_id = current_step_id, exited_at = now(), current_step_id = NULL
    WHERE contact_id = ${duplicateId}::uuid AND status = 'active'::"EnrollmentStatus"`;
  await tx.journeyEnrollment.updateMany({ where: { contactId: duplicateId }, data: { contactId: survivorId } });
  await tx.contactEvent.updateMany({ where: { contactId: duplicateId }, data: { contactId: survivorId } });
}

/** Tell workflows whose enrolment was ended outside them (a merge) to stop; those already closed are skipped. */
export async function cancelJourneyWorkflows(temporal: Client, workflowIds: readonly string[]): Promise<number> {
  let cancelled = 0;
  for (const workflowId of workflowIds) {
    try {
      await temporal.workflow.getHandle(workflowId).signal(cancelJourneySignal);
      cancelled++;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  return cancelled;
}
