export { createActivities, type Activities, type ActivitiesConfig, type ActivityDeps, type SendOutcome } from './activities.ts';
export type { DecisionFacts } from '@zweck/decision-facts';
