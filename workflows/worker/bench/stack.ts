// What the campaign benchmarks share: a fresh database with contacts, a segment of all of them, a
// marketing template, and the product's worker as a process of its own (its memory apart from the
// benchmark's), started from a prebuilt workflow bundle.
import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { createDb, type Db } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { REQUIRED_FOOTER } from '@zweck/mail';
import { createDataConverter, ZPayloadKeys } from '@zweck/temporal-codec';
import type { campaignWorkflow } from '@zweck/workflows';
import { campaignWorkflowId } from '@zweck/workflows/contracts';
import { startWorkerChild, writeWorkflowBundle, type WorkerChild, type WorkerChildEnv } from '../src/test/worker-child.ts';

export const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run with infra/lib.sh sourced and the services started`);
  return value;
};

/** The campaign's template; the plain baseline sends the same text. */
export const BENCH_TEMPLATE = {
  kind: 'marketing',
  subject: 'News for {{first_name}}',
  html: `<p>Hello {{first_name}}, here is our news.</p>${REQUIRED_FOOTER.html}`,
  text: `Hello {{first_name}}, here is our news.\n${REQUIRED_FOOTER.text}`,
} as const;

export const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export interface BenchStack {
  db: Db;
  database: TestDatabase;
  segmentId: string;
  templateId: string;
  /** Start the worker process sending to `smtpUrl` with an SMTP pool of `pool`. */
  startWorker(smtpUrl: string, pool: number): Promise<WorkerChild>;
  /** Create a campaign to the whole segment and start its workflow; resolves with its result's promise. */
  startCampaign(): Promise<{ campaignId: string; result: Promise<Awaited<ReturnType<typeof campaignWorkflow>>> }>;
  close(): Promise<void>;
}

/**
 * `consenting` contacts with a confirmed newsletter consent and `skipped` without any (the policy
 * must skip them), interleaved in ID order as a real audience would be.
 */
export async function createBenchStack(label: string, consenting: number, skipped: number): Promise<BenchStack> {
  const [database, bundlePath] = await Promise.all([createTestDatabase(need('ZWECK_PG_SERVER_URL'), label), writeWorkflowBundle(label)]);
  const db = createDb(database.url, { maxConnections: 10 });
  await seedCatalogue(db);
  await db.$executeRaw`
    INSERT INTO contact (id, email, email_normalized, first_name)
    SELECT gen_random_uuid(), 'bench-' || i || '@example.org', 'bench-' || i || '@example.org', 'Bench'
    FROM generate_series(1, ${consenting + skipped}::int) AS i`;
  await db.$executeRaw`
    INSERT INTO consent_event (id, contact_id, purpose_id, channel, kind, occurred_at, method, source, actor)
    SELECT gen_random_uuid(), c.id, 'newsletter', 'email', k.kind::"ConsentEventKind", k.at, k.method::"ConsentMethod", 'bench', 'contact'
    FROM (SELECT id FROM contact ORDER BY md5(email) LIMIT ${consenting}::int) c
    CROSS JOIN (VALUES ('granted', timestamptz '2026-11-01 10:00Z', 'web_form'), ('confirmed', timestamptz '2026-11-01 10:05Z', 'double_opt_in')) AS k(kind, at, method)`;
  await db.$executeRaw`ANALYZE`;
  const segmentId = randomUUID();
  const templateId = randomUUID();
  await db.segment.create({
    data: { id: segmentId, name: 'All', definition: { version: 1, match: 'all', conditions: [] }, createdBy: 'bench' },
  });
  await db.template.create({
    data: {
      id: templateId,
      name: 'Bench',
      ...BENCH_TEMPLATE,
      createdBy: 'bench',
    },
  });

  const keys = `bench:${randomBytes(32).toString('base64')}`;
  const taskQueue = `bench-${label}-${randomBytes(4).toString('hex')}`;
  const temporalAddress = need('TEMPORAL_ADDRESS');
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, dataConverter: createDataConverter(ZPayloadKeys.parse(keys)) });
  const workers: WorkerChild[] = [];

  return {
    db,
    database,
    segmentId,
    templateId,
    async startWorker(smtpUrl, pool) {
      const env: WorkerChildEnv = {
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_TASK_QUEUE: taskQueue,
        TEMPORAL_PAYLOAD_KEYS: keys,
        SMTP_URL: smtpUrl,
        SMTP_POOL_SIZE: String(pool),
        PUBLIC_URL: 'https://zweck.test',
        UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
        SUPPRESSION_KEY: randomBytes(32).toString('hex'),
        WORKFLOW_BUNDLE_PATH: bundlePath,
      };
      // BENCH_WORKER_CPU_PROF=<dir>: the worker writes a CPU profile there when it stops (`node --cpu-prof`).
      const profileDir = process.env.BENCH_WORKER_CPU_PROF;
      const worker = await startWorkerChild(env, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
      workers.push(worker);
      return worker;
    },
    async startCampaign() {
      const campaignId = randomUUID();
      await db.campaign.create({
        data: { id: campaignId, name: 'Bench', segmentId, templateId, purposeId: 'newsletter', channel: 'email', createdBy: 'bench' },
      });
      const handle = await client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
        taskQueue,
        workflowId: campaignWorkflowId(campaignId),
        args: [{ version: 1, campaignId }],
      });
      return { campaignId, result: handle.result() };
    },
    async close() {
      for (const worker of workers) {
        worker.kill('SIGTERM');
        await worker.exited;
      }
      await connection.close();
      await db.$disconnect();
      await database.drop();
      await rm(bundlePath, { force: true });
    },
  };
}
