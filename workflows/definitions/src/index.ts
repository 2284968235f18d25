// The workflow bundle's entry: every workflow type the worker registers is exported here.
export { consentReceiptWorkflow } from './consent-receipt.workflow.ts';
export { welcomeWorkflow } from './welcome.workflow.ts';
export { campaignWorkflow } from './campaign.workflow.ts';
export { templateTestWorkflow } from './template-test.workflow.ts';
export { handoffWorkflow } from './handoff.workflow.ts';
export { journeyWorkflow } from './journey.workflow.ts';
export { journeySegmentTriggerWorkflow } from './journey-trigger.workflow.ts';
export { repermissionWorkflow } from './repermission.workflow.ts';
export { art14NoticeWorkflow } from './art14.workflow.ts';
export { contactErasureWorkflow } from './erasure.workflow.ts';
export { reviewWorkflow } from './review.workflow.ts';
export { dataSubjectRequestWorkflow } from './dsr.workflow.ts';
export { retentionWorkflow, retentionRunWorkflow } from './retention.workflow.ts';
