import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '@zweck/activities';
import { ZTemplateTestInput, type TemplateTestInput, type TemplateTestOutcome } from './template-test.contracts.ts';

const { sendTemplateTest } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * Mail a template to the staff member who asked, marked "[Test]". Staff mail about their own work
 * (purpose `staff_notifications`, contract): the activity asks the policy right before it sends,
 * and the mail transport takes nothing but that "yes".
 */
export async function templateTestWorkflow(rawInput: TemplateTestInput): Promise<TemplateTestOutcome> {
  const parsed = ZTemplateTestInput.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid template test input: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
      'InvalidInput',
    );
  }
  const { userId, templateId, draft } = parsed.data;
  return sendTemplateTest({ userId, templateId, draft, idempotencyKey: workflowInfo().workflowId });
}
