export { recordDecision } from './decisions.ts';
export {
  applyScoreChange,
  decayedPoints,
  explainScore,
  matchingRules,
  readLeadSettings,
  scoreAt,
  type ScoreChangeInput,
  type ScoreChangeOutcome,
  type ScoreExplanation,
  type ScoredEvent,
  type ScoringDeps,
} from './scoring.ts';
export {
  assignLead,
  escalateLead,
  fieldValueOf,
  RECYCLE_REASONS,
  settleLead,
  type AssignLeadInput,
  type AssignLeadResult,
  type RecycleReason,
  type SettleLeadInput,
} from './handoff.ts';
export { mayDo, SALES_PURPOSE_IDS, type MayDoItem } from './may-do.ts';
export { DEMO_REPS, seedDemoLeads } from './demo.ts';
