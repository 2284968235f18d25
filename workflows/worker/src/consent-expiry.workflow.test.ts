import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingTestEnv } from './test/env.ts';
import type { consentExpiryProbe } from './test/workflows/consent-expiry.workflow.ts';

describe('policy inside the workflow sandbox, across a 30-day durable wait (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('allows before the consent lapses and denies with CONSENT_EXPIRED after', async () => {
    const taskQueue = `expiry-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./test/workflows/consent-expiry.workflow.ts', import.meta.url)),
    });
    const start = new Date(await env.currentTimeMs());
    const expiresAt = new Date(start.getTime() + 30 * 86_400_000).toISOString();
    const ledger = [
      { purposeId: 'newsletter', channel: 'email' as const, kind: 'granted' as const, occurredAt: start.toISOString(), expiresAt },
    ];

    const began = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof consentExpiryProbe>('consentExpiryProbe', {
        taskQueue,
        workflowId: `expiry-${taskQueue}`,
        args: [ledger, 31],
      }),
    );
    expect(result).toEqual({ before: [], after: ['CONSENT_EXPIRED'] });
    // 31 days of workflow time passed in well under a minute of wall time.
    expect(Date.now() - began).toBeLessThan(60_000);
  });
});
