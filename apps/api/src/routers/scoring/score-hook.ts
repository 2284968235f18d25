import type { Client } from '@temporalio/client';
import type { Db } from '@zweck/db';
import { applyScoreChange, matchingRules } from '@zweck/leads';
import { LEAD_SCORING_PURPOSE_ID } from '@zweck/workflows/contracts';
import { startHandoff } from '../leads/handoff-start.ts';

export interface ScoreHookDeps {
  db: Db;
  temporal: Client;
  suppressionKey: string;
  taskQueue?: string | undefined;
}

export interface ScoreHookResult {
  /** Rules that matched and changed the score. */
  applied: number;
  /** Rules that matched but the policy refused (reason codes, e.g. NO_CONSENT). */
  refused: string[][];
  handoff: 'started' | 'already_started' | null;
}

/**
 * Apply the active scoring rules that a recorded interaction or API event matches, after its row
 * was written. Each change asks the policy (action `profile` under `lead_scoring`: only consent
 * carries profiling) and is recorded either way; a change that lifts the score across the
 * threshold starts the handoff to sales. Called only from interactions.ts, the one way events enter.
 */
export async function scoreAndHandOff(
  deps: ScoreHookDeps,
  input: { contactId: string; source: 'interaction' | 'event'; match: string; sourceId: string },
  now: Date = new Date(),
): Promise<ScoreHookResult> {
  const result: ScoreHookResult = { applied: 0, refused: [], handoff: null };
  const rules = await matchingRules(deps.db, input.source, input.match);
  for (const rule of rules) {
    const change = await applyScoreChange(
      { db: deps.db, suppressionKey: deps.suppressionKey },
      {
        contactId: input.contactId,
        purposeId: LEAD_SCORING_PURPOSE_ID,
        points: rule.points,
        reason: rule.name.slice(0, 120),
        source: { kind: 'rule', ruleId: rule.id, interactionId: input.sourceId },
      },
      { now, decidedBy: `api:scoring-rule:${rule.id}` },
    );
    if (!change.applied) {
      result.refused.push(change.reasonCodes);
      // The decision is the same for every further rule of this event: one refusal is enough.
      break;
    }
    result.applied++;
    if (change.crossedThreshold) {
      result.handoff = await startHandoff(
        deps.temporal,
        input.contactId,
        { kind: 'threshold', scoreEventId: change.scoreEventId },
        deps.taskQueue,
      );
    }
  }
  return result;
}
