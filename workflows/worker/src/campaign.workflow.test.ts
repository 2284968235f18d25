import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { suppressionHash, type Db, type Prisma } from '@zweck/db';
import { messageIdFor } from '@zweck/mail';
import type { campaignWorkflow } from '@zweck/workflows';
import {
  campaignProgressQuery,
  campaignWorkflowId,
  cancelCampaignSignal,
  pauseCampaignSignal,
  resumeCampaignSignal,
  type CampaignOutcome,
} from '@zweck/workflows/contracts';
import { createDataConverter, EncryptionCodec } from '@zweck/temporal-codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTestEnv } from './test/env.ts';
import { startWorkflowStack, type WorkflowStack } from './test/stack.ts';

const FOOTER_HTML =
  '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}';

type Consent = 'confirmed' | 'withdrawn' | 'none';
type Payload = Parameters<EncryptionCodec['decode']>[0][number];

describe('campaign workflow against real Temporal, PostgreSQL and SMTP', () => {
  let env: TestWorkflowEnvironment;
  let stack: WorkflowStack;
  let db: Db;
  let client: Client;
  let segmentId: string;
  let templateId: string;
  const marker = randomUUID().slice(0, 8);

  beforeAll(async () => {
    env = await createLocalTestEnv();
    stack = await startWorkflowStack(env, 'campaign');
    db = stack.db;
    client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: createDataConverter(stack.payloadKeys),
    });
    segmentId = randomUUID();
    templateId = randomUUID();
    await db.segment.create({
      data: {
        id: segmentId,
        name: 'Everyone',
        definition: { version: 1, match: 'all', conditions: [] },
        createdBy: 'system:test',
      },
    });
    await db.template.create({
      data: {
        id: templateId,
        name: 'November news',
        kind: 'marketing',
        subject: 'News for {{#first_name}}{{first_name}}{{/first_name}}{{^first_name}}you{{/first_name}}',
        html: `<p>Hello {{first_name}},</p><p>our news.</p>${FOOTER_HTML}`,
        text: `Hello {{first_name}},\nour news.\n${FOOTER_TEXT}`,
        createdBy: 'system:test',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  /** Contacts in one go, each with the newsletter ledger the test asks for. */
  async function contacts(group: string, spec: Record<Consent, number>, firstName = 'Quirinus'): Promise<Map<string, Consent>> {
    const made = new Map<string, Consent>();
    const rows: { id: string; email: string; emailNormalized: string; firstName: string }[] = [];
    const events: Prisma.ConsentEventCreateManyInput[] = [];
    for (const consent of ['confirmed', 'withdrawn', 'none'] as const) {
      for (let i = 0; i < spec[consent]; i++) {
        const id = randomUUID();
        const email = `${group}-${consent}-${i}-${marker}@example.org`;
        rows.push({ id, email, emailNormalized: email, firstName });
        made.set(id, consent);
        if (consent === 'none') continue;
        const base = { contactId: id, purposeId: 'newsletter', channel: 'email', source: 'test', actor: 'contact' };
        events.push(
          { ...base, kind: 'granted', method: 'web_form', occurredAt: new Date('2026-11-01T10:00:00Z') },
          { ...base, kind: 'confirmed', method: 'double_opt_in', occurredAt: new Date('2026-11-01T10:05:00Z') },
        );
        if (consent === 'withdrawn') {
          events.push({
            ...base,
            kind: 'withdrawn',
            method: 'one_click_unsubscribe',
            occurredAt: new Date('2026-11-02T10:00:00Z'),
          });
        }
      }
    }
    await db.contact.createMany({ data: rows });
    await db.consentEvent.createMany({ data: events });
    return made;
  }

  async function campaign(segment = segmentId, template = templateId): Promise<string> {
    const id = randomUUID();
    await db.campaign.create({
      data: {
        id,
        name: `Campaign ${id.slice(0, 6)}`,
        segmentId: segment,
        templateId: template,
        purposeId: 'newsletter',
        channel: 'email',
        createdBy: 'system:test',
      },
    });
    return id;
  }

  const start = (campaignId: string, tuning = { resolvePage: 7, sendBatch: 9 }) =>
    client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: campaignWorkflowId(campaignId),
      args: [{ version: 1, campaignId, tuning }],
    });

  /** A segment of only these contacts (a consent condition would do too; explicit IDs keep tests apart). */
  async function segmentOf(group: string): Promise<string> {
    const id = randomUUID();
    await db.segment.create({
      data: {
        id,
        name: `Group ${group} ${id.slice(0, 6)}`,
        definition: { version: 1, match: 'all', conditions: [{ type: 'field', field: 'email', op: 'starts_with', value: `${group}-` }] },
        createdBy: 'system:test',
      },
    });
    return id;
  }

  const outcomesOf = async (campaignId: string) =>
    db.campaignRecipient.findMany({
      where: { campaignId },
      select: { contactId: true, outcome: true, reasonCodes: true, messageId: true },
    });

  it('gives every recipient exactly one outcome: sent with one message each, skipped with the policy reason', async () => {
    const made = await contacts('mix', { confirmed: 30, withdrawn: 10, none: 10 });
    const suppressedId = [...made].find(([, c]) => c === 'confirmed')![0];
    const suppressed = await db.contact.findUniqueOrThrow({ where: { id: suppressedId }, select: { email: true } });
    await db.suppressionEntry.create({
      data: { addressHash: suppressionHash(stack.config.suppressionKey, suppressed.email), reason: 'test' },
    });
    const campaignId = await campaign(await segmentOf('mix'));

    const result: CampaignOutcome = await (await start(campaignId)).result();
    expect(result).toEqual({ outcome: 'completed', totals: { recipients: 50, sent: 29, skipped: 21, failed: 0 } });

    const rows = await outcomesOf(campaignId);
    expect(rows).toHaveLength(50);
    const byContact = new Map(rows.map((r) => [r.contactId, r]));
    for (const [id, consent] of made) {
      const row = byContact.get(id)!;
      if (id === suppressedId) expect(row).toMatchObject({ outcome: 'skipped', reasonCodes: ['SUPPRESSED'] });
      else if (consent === 'confirmed') expect(row.outcome).toBe('sent');
      else expect(row).toMatchObject({ outcome: 'skipped', reasonCodes: [consent === 'withdrawn' ? 'CONSENT_WITHDRAWN' : 'NO_CONSENT'] });
    }
    // One message per sent recipient, each with its deterministic Message-ID and the unsubscribe headers.
    const received = stack.sink.list().filter((m) => m.to.startsWith('mix-'));
    expect(received).toHaveLength(29);
    const sentRows = rows.filter((r) => r.outcome === 'sent');
    expect(new Set(received.map((m) => m.messageId))).toEqual(
      new Set(sentRows.map((r) => messageIdFor(`campaign:${campaignId}:${r.contactId}`, stack.config.mailDomain))),
    );
    const one = stack.sink.get(received[0]!.id)!;
    expect(one.subject).toBe('News for Quirinus');
    expect(one.headers.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value).toMatch(
      /^<https:\/\/zweck\.test\/u\/[^>]+>, <mailto:/,
    );
    expect(one.text).toContain('Unsubscribe: https://zweck.test/u/');
    // Every decision is on record, with the policy's version and digest.
    const decisions = await db.policyDecision.findMany({ where: { decidedBy: `activity:sendCampaignBatch:${campaignId}` } });
    expect(decisions).toHaveLength(50);
    // Written as one statement per window: each row says what the policy said for that person.
    for (const d of decisions) {
      const consent = made.get(d.contactId);
      expect(d).toMatchObject({ purposeId: 'newsletter', channel: 'email', action: 'send' });
      expect(d.policyVersion).not.toBe('');
      expect(d.inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      if (d.contactId === suppressedId) expect(d).toMatchObject({ allowed: false, legalBasis: null, reasonCodes: ['SUPPRESSED'] });
      else if (consent === 'confirmed') expect(d).toMatchObject({ allowed: true, legalBasis: 'consent', reasonCodes: [] });
      else expect(d).toMatchObject({ allowed: false, reasonCodes: [consent === 'withdrawn' ? 'CONSENT_WITHDRAWN' : 'NO_CONSENT'] });
      expect(d.decidedAt.getTime()).toBeLessThanOrEqual(d.recordedAt.getTime());
    }
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe('completed');
  });

  it('stops every later send to a person who withdraws while the campaign runs', async () => {
    const made = await contacts('pause', { confirmed: 12, withdrawn: 0, none: 0 });
    const campaignId = await campaign(await segmentOf('pause'));
    const handle = await start(campaignId, { resolvePage: 5, sendBatch: 4 });
    await handle.signal(pauseCampaignSignal);
    await expect.poll(async () => (await handle.query(campaignProgressQuery)).status, { timeout: 20_000 }).toBe('paused');
    const sentBefore = (await outcomesOf(campaignId)).filter((r) => r.outcome === 'sent').map((r) => r.contactId);
    // A withdrawal lands (as the unsubscribe link writes it) for someone not yet mailed.
    const target = [...made.keys()].find((id) => !sentBefore.includes(id))!;
    await db.consentEvent.create({
      data: {
        contactId: target,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'withdrawn',
        occurredAt: new Date(),
        method: 'one_click_unsubscribe',
        source: 'test',
        actor: 'contact',
      },
    });
    await handle.signal(resumeCampaignSignal);
    const result = await handle.result();
    expect(result.outcome).toBe('completed');
    const row = (await outcomesOf(campaignId)).find((r) => r.contactId === target)!;
    expect(row).toMatchObject({ outcome: 'skipped', reasonCodes: ['CONSENT_WITHDRAWN'] });
    const email = (await db.contact.findUniqueOrThrow({ where: { id: target }, select: { email: true } })).email;
    expect(stack.sink.list().filter((m) => m.to === email)).toHaveLength(0);
  });

  it('on cancel, leaves everyone not yet sent to with the outcome "cancelled", and nobody without one', async () => {
    await contacts('cancel', { confirmed: 20, withdrawn: 0, none: 0 });
    const campaignId = await campaign(await segmentOf('cancel'));
    await db.campaign.update({ where: { id: campaignId }, data: { throttlePerMinute: 60 } });
    const handle = await start(campaignId, { resolvePage: 50, sendBatch: 2 });
    await expect.poll(async () => (await handle.query(campaignProgressQuery)).totals.sent, { timeout: 20_000 }).toBeGreaterThan(0);
    await handle.signal(cancelCampaignSignal);
    const result = await handle.result();
    expect(result.outcome).toBe('cancelled');
    const rows = await outcomesOf(campaignId);
    expect(rows).toHaveLength(20);
    expect(rows.filter((r) => r.outcome === 'pending')).toEqual([]);
    const cancelled = rows.filter((r) => r.reasonCodes.includes('CAMPAIGN_CANCELLED'));
    expect(cancelled.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.outcome === 'sent').length + cancelled.length).toBe(20);
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe('cancelled');
  });

  it('refuses a direct-marketing campaign with a transactional template (no marketing footer), and sends nothing', async () => {
    const bare = randomUUID();
    await db.template.create({
      data: {
        id: bare,
        name: `Bare ${bare.slice(0, 6)}`,
        kind: 'transactional',
        subject: 'Hi',
        html: '<p>Hi</p>',
        text: 'Hi',
        createdBy: 'system:test',
      },
    });
    const campaignId = await campaign(segmentId, bare);
    const result = await (await start(campaignId)).result();
    expect(result).toEqual({ outcome: 'refused', reasonCodes: ['TEMPLATE_NOT_FOR_MARKETING'] });
    expect(await db.campaignRecipient.count({ where: { campaignId } })).toBe(0);
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe('cancelled');
  });

  it('keeps the person out of the history: no address or name in any event, even decrypted', async () => {
    await contacts('canary', { confirmed: 3, withdrawn: 0, none: 0 }, 'Zebediah');
    const campaignId = await campaign(await segmentOf('canary'));
    const handle = await start(campaignId, { resolvePage: 2, sendBatch: 2 });
    await handle.result();
    const history = await handle.fetchHistory();
    const raw = JSON.stringify(history, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(raw).not.toMatch(/zebediah|canary-|@example\.org/i);
    // Decrypted too: every payload of every event holds IDs, states and counts only.
    const payloads: Payload[] = [];
    const collect = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      if ('metadata' in node && 'data' in node && (node as Payload).data instanceof Uint8Array) payloads.push(node as Payload);
      else for (const value of Object.values(node)) collect(value);
    };
    collect(history);
    expect(payloads.length).toBeGreaterThan(10);
    const plain = await new EncryptionCodec(stack.payloadKeys).decode(payloads);
    const text = plain.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
    expect(text).toContain(campaignId);
    expect(text).not.toMatch(/zebediah|canary-|@example\.org/i);
  });
});
