import { randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import type { MailSinkClient } from '@zweck/mail-sink/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedbackStack, hrefs, pathOf, type FeedbackStack } from '../test/feedback-stack.ts';
import type { Harness } from '../test/harness.ts';
import { REPERMISSION_SCHEDULE_ID, type RepermissionOutcome } from '@zweck/workflows/contracts';

/** Re-permission on the real stack: the workflow on the product's worker, the renewal mail, the page. */
describe('re-permission before a consent expires', () => {
  const marker = randomUUID().slice(0, 8);
  let s: FeedbackStack;
  let h: Harness;
  let db: Db;
  let app: FastifyInstance;
  let sink: MailSinkClient;
  beforeAll(async () => {
    s = await startFeedbackStack();
    ({ h, db, app, sink } = s);
  }, 200_000);
  afterAll(async () => s?.stop());
  const person: FeedbackStack['person'] = (...args) => s.person(...args);
  const mailTo: FeedbackStack['mailTo'] = (address) => s.mailTo(address);

  const domain = `renew-${marker}.example.org`;

  const runRepermission = (id: string) =>
    h.temporal.workflow.execute('repermissionWorkflow', {
      taskQueue: h.env.TEMPORAL_TASK_QUEUE!,
      workflowId: `${REPERMISSION_SCHEDULE_ID}:${id}`,
      args: [{ version: 1, withinDays: 30 }],
    }) as Promise<RepermissionOutcome>;

  it('asks exactly once before a consent expires, and the link renews it with its proof', async () => {
    const soon = new Date(Date.now() + 10 * 86_400_000);
    // Given for a year, 355 days ago.
    const expiring = await person(`soon@${domain}`, { expiresAt: soon, grantedAt: new Date(Date.now() - 355 * 86_400_000) });
    await person(`later@${domain}`, { expiresAt: new Date(Date.now() + 200 * 86_400_000) });

    const firstRun = await runRepermission(`${marker}-1`);
    expect(firstRun.sent).toBe(1);
    const secondRun = await runRepermission(`${marker}-2`);
    expect(secondRun.sent).toBe(0);
    expect(await db.repermissionAsk.count({ where: { contactId: expiring } })).toBe(1);
    const mails = (await sink.list()).filter((m) => m.to.endsWith(`@${domain}`));
    expect(mails.map((m) => m.to)).toEqual([`soon@${domain}`]);

    const mail = await mailTo(`soon@${domain}`);
    const renew = hrefs(String(mail.html)).find((l) => l.startsWith('https://zweck.test/renew/'))!;
    expect(renew).toBeDefined();
    const page = await app.inject({ method: 'GET', url: pathOf(renew) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Yes, renew my consent');
    // Showing the page changes nothing.
    expect(await db.consentEvent.count({ where: { contactId: expiring, method: 're_permission' } })).toBe(0);

    for (let i = 0; i < 2; i++) expect((await app.inject({ method: 'POST', url: pathOf(renew) })).statusCode).toBe(200);
    const renewed = await db.consentEvent.findMany({ where: { contactId: expiring, method: 're_permission' } });
    expect(renewed).toHaveLength(1);
    const wording = await db.consentWording.findFirstOrThrow({ where: { purposeId: 'newsletter', language: 'en' } });
    expect(renewed[0]).toMatchObject({
      kind: 'granted',
      purposeId: 'newsletter',
      wordingVersion: wording.version,
      wordingHash: wording.textHash,
    });
    expect(renewed[0]!.expiresAt!.getTime()).toBeGreaterThan(soon.getTime());
    const ask = await db.repermissionAsk.findFirstOrThrow({ where: { contactId: expiring } });
    expect(ask).toMatchObject({ outcome: 'sent', renewalEventId: renewed[0]!.id });

    // Renewed: a later run does not ask again.
    expect((await runRepermission(`${marker}-3`)).sent).toBe(0);
    expect((await sink.list()).filter((m) => m.to === `soon@${domain}`)).toHaveLength(1);
  });
});
