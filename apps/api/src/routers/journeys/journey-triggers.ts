import { activateJourneyTriggers, deactivateJourneyTriggers } from '../../journeys-runtime/index.ts';
import type { Context } from '../../trpc/context.ts';
import type { JourneyStatus } from './journeys.schema.ts';

/**
 * The one place where the journey's lifecycle meets its runtime: after a publish or a status
 * change has committed, the trigger that enrols new contacts is started (or woken for a pass with
 * the new version) or stopped. Running enrolments are never touched here: paused or archived,
 * they finish their version.
 *
 * The change itself has committed by now, so a Temporal that does not answer does not undo it:
 * the failure is logged (IDs only), and the trigger workflow, which reads the journey's status at
 * every pass, ends by itself when the journey is no longer active; publishing or resuming again
 * starts it.
 */
export async function journeyTriggersOnStatus(
  ctx: Pick<Context, 'db' | 'temporal' | 'env' | 'log'>,
  journeyId: string,
  before: JourneyStatus,
  after: JourneyStatus,
): Promise<void> {
  const deps = { db: ctx.db, temporal: ctx.temporal, taskQueue: ctx.env.TEMPORAL_TASK_QUEUE };
  try {
    if (after === 'active') await activateJourneyTriggers(deps, journeyId);
    else await deactivateJourneyTriggers(deps, journeyId);
  } catch (error) {
    ctx.log.error(
      { journeyId, before, after, err: error instanceof Error ? error.name : 'unknown' },
      'journey trigger could not follow the status',
    );
  }
}
