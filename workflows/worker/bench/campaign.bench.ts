// A broadcast campaign through the whole stack (Temporal, the worker's batched activities, the
// policy per recipient, PostgreSQL, pooled SMTP into the sink) against plain pooled nodemailer
// sending the same number of messages to the same sink, measured in one run.
// Run (services up: `bash infra/services.sh start`, then `source infra/lib.sh`):
//   BENCH_CONTACTS=100000 pnpm --filter @zweck/worker bench:campaign
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createDb } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase } from '@zweck/db/testing';
import { createMailer, messageIdFor, REQUIRED_FOOTER } from '@zweck/mail';
import { spawnSinkProcess } from '@zweck/mail-sink/process';
import { decide, foldLedger } from '@zweck/policy';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { campaignWorkflow } from '@zweck/workflows';
import { campaignWorkflowId } from '@zweck/workflows/contracts';
import { createWorker } from '../src/worker.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 10_000);
/** The policy must skip these: no consent. */
const SKIPPED = Math.round(CONTACTS / 5);
const POOL = Number(process.env.BENCH_SMTP_POOL ?? 8);

const serverUrl = process.env.ZWECK_PG_SERVER_URL;
const temporalAddress = process.env.TEMPORAL_ADDRESS;
if (!serverUrl || !temporalAddress) throw new Error('run with infra/lib.sh sourced and the services started');

const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);

const database = await createTestDatabase(serverUrl, 'bench-campaign');
const db = createDb(database.url, { maxConnections: 10 });
await seedCatalogue(db);

console.log(`seeding ${CONTACTS} consenting and ${SKIPPED} non-consenting contacts…`);
await db.$executeRaw`
  INSERT INTO contact (id, email, email_normalized, first_name)
  SELECT gen_random_uuid(), 'bench-' || i || '@example.org', 'bench-' || i || '@example.org', 'Bench'
  FROM generate_series(1, ${CONTACTS + SKIPPED}::int) AS i`;
await db.$executeRaw`
  INSERT INTO consent_event (id, contact_id, purpose_id, channel, kind, occurred_at, method, source, actor)
  SELECT gen_random_uuid(), c.id, 'newsletter', 'email', k.kind::"ConsentEventKind", k.at, k.method::"ConsentMethod", 'bench', 'contact'
  FROM (SELECT id FROM contact ORDER BY id LIMIT ${CONTACTS}::int) c
  CROSS JOIN (VALUES ('granted', timestamptz '2026-11-01 10:00Z', 'web_form'), ('confirmed', timestamptz '2026-11-01 10:05Z', 'double_opt_in')) AS k(kind, at, method)`;
const segmentId = randomUUID();
const templateId = randomUUID();
await db.segment.create({
  data: { id: segmentId, name: 'All', definition: { version: 1, match: 'all', conditions: [] }, createdBy: 'bench' },
});
await db.template.create({
  data: {
    id: templateId,
    name: 'Bench',
    kind: 'marketing',
    subject: 'News for {{first_name}}',
    html: `<p>Hello {{first_name}}, here is our news.</p>${REQUIRED_FOOTER.html}`,
    text: `Hello {{first_name}}, here is our news.\n${REQUIRED_FOOTER.text}`,
    createdBy: 'bench',
  },
});

const sink = await spawnSinkProcess(process.env);
const smtpUrl = `smtp://127.0.0.1:${sink.smtpPort}`;

// 1. Plain pooled nodemailer: the same number of messages, POOL in flight.
const plainMailer = createMailer({ smtpUrl, from: '"Bench" <bench@zweck.test>', maxConnections: POOL });
const allowed = decide({
  subject: { status: 'active', isSuppressed: false, consents: foldLedger([]) },
  purpose: { id: 'bench', legalBasis: 'contract', channels: ['email'], isDirectMarketing: false },
  channel: 'email',
  action: 'send',
  now: new Date().toISOString(),
});
if (!allowed.allowed) throw new Error('the plain baseline needs an allowed decision');
let next = 0;
const plainStart = performance.now();
await Promise.all(
  Array.from({ length: POOL }, async () => {
    while (next < CONTACTS) {
      const i = next++;
      await plainMailer.send(allowed, {
        to: `plain-${i}@example.org`,
        subject: 'News for Bench',
        html: '<p>Hello Bench, here is our news.</p>',
        text: 'Hello Bench, here is our news.',
        messageId: messageIdFor(`plain:${i}`, 'zweck.test'),
        unsubscribe: null,
      });
    }
  }),
);
const plainRate = CONTACTS / ((performance.now() - plainStart) / 1000);
plainMailer.close();

// 2. The campaign through the whole stack.
const payloadKeys = ZPayloadKeys.parse(`bench:${randomBytes(32).toString('base64')}`);
const taskQueue = `bench-campaign-${randomBytes(4).toString('hex')}`;
const mailer = createMailer({ smtpUrl, from: '"Zweck" <news@zweck.test>', maxConnections: POOL });
const worker = await createWorker({
  connection: await NativeConnection.connect({ address: temporalAddress }),
  namespace: 'default',
  taskQueue,
  payloadKeys,
  deps: {
    db,
    mailer,
    campaignConcurrency: Number(process.env.BENCH_CAMPAIGN_CONCURRENCY ?? POOL),
    config: {
      publicUrl: 'https://zweck.test',
      mailDomain: 'zweck.test',
      unsubscribeSecret: randomBytes(32).toString('hex'),
      suppressionKey: randomBytes(32).toString('hex'),
      sender: { imprint: 'Zweck Bench GmbH', privacyNoticeUrl: 'https://zweck.test/privacy' },
      controllerName: 'Zweck Bench GmbH',
    },
  },
});
const running = worker.run();
const client = new Client({
  connection: await Connection.connect({ address: temporalAddress }),
  dataConverter: createDataConverter(payloadKeys),
});
const campaignId = randomUUID();
await db.campaign.create({
  data: { id: campaignId, name: 'Bench', segmentId, templateId, purposeId: 'newsletter', channel: 'email', createdBy: 'bench' },
});
const campaignStart = performance.now();
const result = await client.workflow.execute<typeof campaignWorkflow>('campaignWorkflow', {
  taskQueue,
  workflowId: campaignWorkflowId(campaignId),
  args: [{ version: 1, campaignId }],
});
const campaignSeconds = (performance.now() - campaignStart) / 1000;
if (result.outcome !== 'completed' || result.totals.sent !== CONTACTS || result.totals.skipped !== SKIPPED) {
  throw new Error(`unexpected campaign result: ${JSON.stringify(result)}`);
}
const campaignRate = CONTACTS / campaignSeconds;

worker.shutdown();
await running;
mailer.close();
sink.stop();
await db.$disconnect();
await database.drop();

console.log(`contacts: ${CONTACTS} sent + ${SKIPPED} skipped by the policy; SMTP pool ${POOL}`);
console.log(`plain pooled nodemailer: ${plainRate.toFixed(0)} messages/s`);
console.log(`campaign (whole stack):  ${campaignRate.toFixed(0)} messages/s (${campaignSeconds.toFixed(1)} s incl. resolving the segment)`);
console.log(`ratio campaign / plain:  ${(campaignRate / plainRate).toFixed(2)}`);
console.log(`peak RSS of this process (worker + bench): ${peak()} MiB`);
