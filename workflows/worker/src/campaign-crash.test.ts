import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { createDb, type Db, type Prisma } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { messageIdFor, REQUIRED_FOOTER } from '@zweck/mail';
import { startMailSink, type MailSink, type StoredMessageSummary } from '@zweck/mail-sink';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { campaignWorkflow } from '@zweck/workflows';
import { campaignWorkflowId } from '@zweck/workflows/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerChild, writeWorkflowBundle, type WorkerChild, type WorkerChildEnv } from './test/worker-child.ts';

/** The worker's SMTP pool, and so the most messages one kill may repeat. */
const POOL = 8;
const MAIL_DOMAIN = 'zweck.test';

type Consent = 'confirmed' | 'withdrawn' | 'none';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through infra/test.sh (it starts PostgreSQL and Temporal)`);
  return value;
};

/**
 * The crash guarantees of a broadcast campaign, with the product's worker as a real process:
 * killed outright (SIGKILL) twice mid-campaign, every recipient still ends with exactly one
 * outcome, and the only repeats are messages that were in flight at a kill (at most the SMTP
 * pool's size per kill), each with its original Message-ID; stopped gracefully (SIGTERM), nothing
 * is repeated at all.
 */
describe('campaign against worker crashes (real worker process, PostgreSQL, Temporal, SMTP)', () => {
  let database: TestDatabase;
  let db: Db;
  let sink: MailSink;
  let client: Client;
  let bundlePath: string;
  let childEnv: WorkerChildEnv;
  let worker: WorkerChild | null = null;
  let templateId: string;
  const marker = randomUUID().slice(0, 8);

  beforeAll(async () => {
    [database, sink, bundlePath] = await Promise.all([
      createTestDatabase(need('ZWECK_PG_SERVER_URL'), 'crash'),
      startMailSink({ smtpPort: 0, httpPort: 0 }),
      writeWorkflowBundle('crash'),
    ]);
    db = createDb(database.url, { maxConnections: 5 });
    await seedCatalogue(db);
    const keys = `crash:${randomBytes(32).toString('base64')}`;
    childEnv = {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: need('TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: `campaign-crash-${randomBytes(4).toString('hex')}`,
      TEMPORAL_PAYLOAD_KEYS: keys,
      SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
      SMTP_POOL_SIZE: String(POOL),
      PUBLIC_URL: 'https://zweck.test',
      UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
      SUPPRESSION_KEY: randomBytes(32).toString('hex'),
      WORKFLOW_BUNDLE_PATH: bundlePath,
    };
    client = new Client({
      connection: await Connection.connect({ address: childEnv.TEMPORAL_ADDRESS }),
      dataConverter: createDataConverter(ZPayloadKeys.parse(keys)),
    });
    templateId = randomUUID();
    await db.template.create({
      data: {
        id: templateId,
        name: 'Crash news',
        kind: 'marketing',
        subject: 'News for {{first_name}}',
        html: `<p>Hello {{first_name}}, our news.</p>${REQUIRED_FOOTER.html}`,
        text: `Hello {{first_name}}, our news.\n${REQUIRED_FOOTER.text}`,
        createdBy: 'system:test',
      },
    });
    worker = await startWorkerChild(childEnv);
  });

  afterAll(async () => {
    if (worker) {
      worker.kill('SIGKILL');
      await worker.exited;
    }
    await client?.connection.close();
    await db?.$disconnect();
    await Promise.all([sink?.stop(), database?.drop(), bundlePath ? rm(bundlePath, { force: true }) : undefined]);
  });

  /** Contacts of one group with the newsletter ledger each consent state needs, and a segment of exactly them. */
  async function audience(group: string, spec: Record<Consent, number>) {
    const consentOf = new Map<string, Consent>();
    const emailOf = new Map<string, string>();
    const rows: Prisma.ContactCreateManyInput[] = [];
    const events: Prisma.ConsentEventCreateManyInput[] = [];
    for (const consent of ['confirmed', 'withdrawn', 'none'] as const) {
      for (let i = 0; i < spec[consent]; i++) {
        const id = randomUUID();
        const email = `${group}-${marker}-${consent}-${i}@example.org`;
        rows.push({ id, email, emailNormalized: email, firstName: 'Crash' });
        consentOf.set(id, consent);
        emailOf.set(id, email);
        if (consent === 'none') continue;
        const base = { contactId: id, purposeId: 'newsletter', channel: 'email', source: 'test', actor: 'contact' };
        events.push(
          { ...base, kind: 'granted', method: 'web_form', occurredAt: new Date('2026-11-01T10:00:00Z') },
          { ...base, kind: 'confirmed', method: 'double_opt_in', occurredAt: new Date('2026-11-01T10:05:00Z') },
        );
        if (consent === 'withdrawn') {
          events.push({ ...base, kind: 'withdrawn', method: 'one_click_unsubscribe', occurredAt: new Date('2026-11-02T10:00:00Z') });
        }
      }
    }
    await db.contact.createMany({ data: rows });
    await db.consentEvent.createMany({ data: events });
    const segmentId = randomUUID();
    await db.segment.create({
      data: {
        id: segmentId,
        name: `Crash ${group}`,
        definition: {
          version: 1,
          match: 'all',
          conditions: [{ type: 'field', field: 'email', op: 'starts_with', value: `${group}-${marker}-` }],
        },
        createdBy: 'system:test',
      },
    });
    const campaignId = randomUUID();
    await db.campaign.create({
      data: {
        id: campaignId,
        name: `Crash ${group}`,
        segmentId,
        templateId,
        purposeId: 'newsletter',
        channel: 'email',
        createdBy: 'system:test',
      },
    });
    return { campaignId, consentOf, emailOf };
  }

  const received = (group: string): StoredMessageSummary[] => sink.list().filter((m) => m.to.startsWith(`${group}-${marker}-`));

  async function waitForReceived(group: string, count: number): Promise<void> {
    await expect.poll(() => received(group).length, { timeout: 90_000, interval: 20 }).toBeGreaterThanOrEqual(count);
  }

  /** Stop the running worker with `signal`, wait until it is gone, and start a fresh one. */
  async function stopAndRestart(signal: NodeJS.Signals): Promise<{ at: number; restartedAt: number }> {
    const current = worker!;
    const at = Date.now();
    current.kill(signal);
    await current.exited;
    worker = null;
    worker = await startWorkerChild(childEnv);
    return { at, restartedAt: Date.now() };
  }

  /** Every recipient has exactly one final outcome, the expected one for their consent; the counts add up. */
  async function expectOneOutcomeEach(campaignId: string, consentOf: Map<string, Consent>): Promise<Set<string>> {
    const rows = await db.campaignRecipient.findMany({
      where: { campaignId },
      select: { contactId: true, outcome: true, reasonCodes: true },
    });
    expect(rows).toHaveLength(consentOf.size);
    expect(rows.filter((r) => r.outcome === 'pending')).toEqual([]);
    const counts = { sent: 0, CONSENT_WITHDRAWN: 0, NO_CONSENT: 0 };
    for (const row of rows) {
      const consent = consentOf.get(row.contactId);
      if (consent === 'confirmed') expect(row.outcome).toBe('sent');
      else expect(row).toMatchObject({ outcome: 'skipped', reasonCodes: [consent === 'withdrawn' ? 'CONSENT_WITHDRAWN' : 'NO_CONSENT'] });
      if (row.outcome === 'sent') counts.sent++;
      else counts[row.reasonCodes[0] as 'CONSENT_WITHDRAWN' | 'NO_CONSENT']++;
    }
    const expected = { sent: 0, CONSENT_WITHDRAWN: 0, NO_CONSENT: 0 };
    for (const consent of consentOf.values()) {
      if (consent === 'confirmed') expected.sent++;
      else expected[consent === 'withdrawn' ? 'CONSENT_WITHDRAWN' : 'NO_CONSENT']++;
    }
    expect(counts).toEqual(expected);
    return new Set(rows.filter((r) => r.outcome === 'sent').map((r) => r.contactId));
  }

  /**
   * The sink's messages by Message-ID: each sent recipient's deterministic ID, addressed to that
   * recipient, nothing else; returns the Message-IDs received more than once with their copies.
   */
  function expectMessagesOf(group: string, campaignId: string, sentTo: Set<string>, emailOf: Map<string, string>) {
    const byId = new Map<string, StoredMessageSummary[]>();
    for (const m of received(group)) byId.set(m.messageId ?? '', [...(byId.get(m.messageId ?? '') ?? []), m]);
    const expectedIds = new Map([...sentTo].map((c) => [messageIdFor(`campaign:${campaignId}:${c}`, MAIL_DOMAIN), c]));
    expect(new Set(byId.keys())).toEqual(new Set(expectedIds.keys()));
    for (const [messageId, copies] of byId) {
      // Every copy, the original and any repeat, carries the recipient's own Message-ID.
      for (const copy of copies) expect(copy.to).toBe(emailOf.get(expectedIds.get(messageId)!));
    }
    return [...byId.values()].filter((copies) => copies.length > 1);
  }

  it('loses nobody when the worker is killed twice mid-campaign, and repeats only what was in flight, with its Message-ID', async () => {
    const spec = { confirmed: 1_000, withdrawn: 200, none: 200 };
    const { campaignId, consentOf, emailOf } = await audience('kill', spec);
    const handle = await client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue: childEnv.TEMPORAL_TASK_QUEUE,
      workflowId: campaignWorkflowId(campaignId),
      args: [{ version: 1, campaignId }],
    });

    const kills: { at: number; restartedAt: number }[] = [];
    await waitForReceived('kill', 200);
    kills.push(await stopAndRestart('SIGKILL'));
    await waitForReceived('kill', 550);
    kills.push(await stopAndRestart('SIGKILL'));

    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'completed' });
    const sentTo = await expectOneOutcomeEach(campaignId, consentOf);
    expect(sentTo.size).toBe(spec.confirmed);

    const repeated = expectMessagesOf('kill', campaignId, sentTo, emailOf);
    // A repeat is one more copy of a message that was on its way when a kill came: the second copy
    // comes from a worker started after that kill, the first from the one killed (it arrived before
    // the new worker was up), and no kill repeats more than the pool's size.
    const perKill = kills.map(() => 0);
    for (const copies of repeated) {
      expect(copies).toHaveLength(2);
      const [first, second] = copies.map((c) => Date.parse(c.receivedAt)).sort((a, b) => a - b) as [number, number];
      const kill = kills.findLastIndex((k) => k.at < second);
      expect(kill, 'a repeat sent before any kill').toBeGreaterThanOrEqual(0);
      expect(first, 'a repeat whose first copy came after the restart').toBeLessThan(kills[kill]!.restartedAt);
      perKill[kill]!++;
    }
    for (const count of perKill) expect(count).toBeLessThanOrEqual(POOL);
    expect(received('kill').length).toBe(spec.confirmed + repeated.length);
  }, 240_000);

  it('repeats nothing when the worker is stopped gracefully (SIGTERM) mid-campaign', async () => {
    const spec = { confirmed: 500, withdrawn: 100, none: 100 };
    const { campaignId, consentOf, emailOf } = await audience('term', spec);
    const handle = await client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue: childEnv.TEMPORAL_TASK_QUEUE,
      workflowId: campaignWorkflowId(campaignId),
      args: [{ version: 1, campaignId }],
    });

    await waitForReceived('term', 150);
    const current = worker!;
    current.kill('SIGTERM');
    const exit = await current.exited;
    worker = null;
    // It stopped cleanly, and early: the campaign was not done when it left.
    expect(exit, current.output()).toEqual({ code: 0, signal: null });
    expect(current.output()).toContain('worker stopping');
    expect(await db.campaignRecipient.count({ where: { campaignId, outcome: 'pending' } })).toBeGreaterThan(0);
    worker = await startWorkerChild(childEnv);

    expect(await handle.result()).toMatchObject({ outcome: 'completed' });
    const sentTo = await expectOneOutcomeEach(campaignId, consentOf);
    expect(expectMessagesOf('term', campaignId, sentTo, emailOf)).toEqual([]);
    expect(received('term')).toHaveLength(spec.confirmed);
  }, 180_000);
});
