export { createActivities, type Activities, type ActivitiesConfig, type ActivityDeps, type SendOutcome } from './activities.ts';
export type { DecisionFacts } from '@zweck/decision-facts';
export {
  notifyDpo,
  subjectPath,
  SUBJECT_PATHS,
  ZDpoNoticeInput,
  ZDpoNoticeKind,
  ZDpoSubjectType,
  type DpoNoticeInput,
  type DpoNoticeKind,
  type DpoSubjectType,
} from './dpo-notices.ts';
export type { ReviewPlan, ReviewStage } from './review.activities.ts';
export {
  eraseContact,
  verifyErasure,
  type EraseContactInput,
  type ErasureCause,
  type ErasureMode,
  type ErasureOutcome,
  type ErasureServices,
  type ErasureTemporal,
  type ErasureKeys,
  type ErasureMailSink,
  type ErasureVerification,
} from './erasure/erase-contact.ts';
