import { z } from 'zod';
import { AppError, type AppErrorCode } from '../trpc/errors.ts';
import { assertContactVisible, auditContactRead } from '../contacts/read-access.ts';
import { procedureFor, router } from '../trpc/init.ts';
import type { Context } from '../trpc/context.ts';
import { endEnrollment, enrollContact, listContactEnrollments, type EnrollRefusal, type JourneyRuntimeDeps } from './enrollment.ts';

const ZEnrollmentOut = z.object({
  enrollmentId: z.uuid(),
  journeyId: z.uuid(),
  journeyName: z.string(),
  versionNumber: z.number().int(),
  status: z.enum(['active', 'exited']),
  currentStepId: z.string().nullable(),
  stepEnteredAt: z.string().nullable(),
  waitingUntil: z.string().nullable(),
  enteredAt: z.string(),
  exitedAt: z.string().nullable(),
  exitReason: z.string().nullable(),
  exitStepId: z.string().nullable(),
});

const REFUSALS: Record<EnrollRefusal, { code: AppErrorCode; message: string; field: 'journeyId' | 'contactId' }> = {
  journey_not_found: { code: 'JOURNEY_NOT_FOUND', message: 'There is no such journey.', field: 'journeyId' },
  journey_not_active: { code: 'JOURNEY_NOT_ACTIVE', message: 'This journey is not active.', field: 'journeyId' },
  journey_not_published: { code: 'JOURNEY_NOT_PUBLISHED', message: 'This journey has no published version.', field: 'journeyId' },
  contact_not_found: { code: 'CONTACT_NOT_FOUND', message: 'There is no such contact.', field: 'contactId' },
  contact_not_eligible: {
    code: 'JOURNEY_CONTACT_NOT_ELIGIBLE',
    message: 'This contact is restricted or awaiting erasure and cannot enter a journey (Art. 17, 18 GDPR).',
    field: 'contactId',
  },
  already_active: { code: 'JOURNEY_ALREADY_ENROLLED', message: 'This contact is already on this journey.', field: 'contactId' },
  reentry_not_allowed: {
    code: 'JOURNEY_REENTRY_NOT_ALLOWED',
    message: 'This contact was on this journey before, and it allows no re-entry.',
    field: 'contactId',
  },
};

const runtimeDeps = (ctx: Context): JourneyRuntimeDeps => ({ db: ctx.db, temporal: ctx.temporal, taskQueue: ctx.env.TEMPORAL_TASK_QUEUE });

/** Journeys at run time: who is on which journey, at which step, and staff's hand on enrolments. */
export const journeyRuntimeRouter = router({
  /** Put a contact on a journey by hand, under the same rules as every trigger. */
  enroll: procedureFor('admin', 'marketer')
    .input(z.object({ journeyId: z.uuid('Not a journey ID'), contactId: z.uuid('Not a contact ID') }))
    .output(z.object({ enrollmentId: z.uuid(), journeyVersionId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const result = await enrollContact(runtimeDeps(ctx), input.journeyId, input.contactId, { kind: 'manual', userId: ctx.user.id });
      if (result.status === 'refused') {
        const refusal = REFUSALS[result.reason];
        throw new AppError(refusal.code, refusal.message, refusal.field);
      }
      return { enrollmentId: result.enrollmentId, journeyVersionId: result.journeyVersionId };
    }),

  /** End an active enrolment: it exits as `cancelled` at the step it stands at, and its workflow stops. */
  end: procedureFor('admin', 'marketer')
    .input(z.object({ enrollmentId: z.uuid('Not an enrolment ID') }))
    .output(z.object({ status: z.literal('ended') }))
    .mutation(async ({ ctx, input }) => {
      const result = await endEnrollment(runtimeDeps(ctx), input.enrollmentId, ctx.user.id);
      if (result === 'not_found') throw new AppError('JOURNEY_ENROLLMENT_NOT_FOUND', 'There is no such enrolment.', 'enrollmentId');
      if (result === 'not_active') throw new AppError('JOURNEY_ENROLLMENT_NOT_ACTIVE', 'This enrolment has already ended.', 'enrollmentId');
      return { status: result };
    }),

  /** A contact's enrolments, newest first, with the step each stands at (IDs and states, no personal data). */
  listForContact: procedureFor('admin', 'marketer', 'dpo')
    .input(z.object({ contactId: z.uuid('Not a contact ID') }))
    .output(z.array(ZEnrollmentOut))
    .query(async ({ ctx, input }) => {
      // Which journeys a person is on says something about them: need to know, and the read is audited.
      const access = await assertContactVisible(ctx, input.contactId);
      const enrollments = await listContactEnrollments(runtimeDeps(ctx), input.contactId);
      await auditContactRead(ctx, input.contactId, access, 'journeyRuntime.listForContact');
      return enrollments;
    }),
});
