import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { contactPayloadKeyRows, createDb, listenForDestroyedPayloadKeys, type Db, type Role } from '@zweck/db';
import { DEMO_USERS, seedCatalogue, seedUsers } from '@zweck/db/seed';
import { createTestDatabase, type TestDatabase } from '@zweck/db/testing';
import { createContactScope, createDataConverter, EncryptionCodec } from '@zweck/temporal-codec';
import { contactScopeOfWorkflowId } from '@zweck/workflows/contracts';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { hashPassword } from '../auth/password.ts';
import { ZApiEnv, type ApiEnv } from '../env.ts';
import { appRouter } from '../routers/index.ts';
import { createServer } from '../server.ts';
import type { Context } from '../trpc/context.ts';
import { createCallerFactory } from '../trpc/init.ts';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through infra/test.sh (it starts PostgreSQL and Temporal)`);
  return value;
};

export interface Harness {
  db: Db;
  env: ApiEnv;
  temporal: Client;
  /** The client's payload codec (key ring and per-contact keys), to read stored histories. */
  codec: EncryptionCodec;
  deps: Omit<Context, 'user' | 'sessionTokenHash' | 'setSessionCookie' | 'ip'>;
  /** A caller as a signed-in demo user of the role, or signed out (null). */
  callerFor(role: Role | null, overrides?: Partial<Context>): { caller: ReturnType<typeof createCaller>; cookies: (string | null)[] };
  userId(role: Role): string;
  close(): Promise<void>;
}

const createCaller = createCallerFactory(appRouter);

/** A fresh database with the catalogue and one user per role, and a client of the real Temporal server. */
export async function createHarness(): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase(need('ZWECK_PG_SERVER_URL'), 'api');
  const db = createDb(database.url, { maxConnections: 5 });
  const env = ZApiEnv.parse({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: need('TEMPORAL_ADDRESS'),
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    // No worker polls this queue: workflows start and wait, which is what these tests observe.
    TEMPORAL_TASK_QUEUE: `api-test-${randomBytes(4).toString('hex')}`,
    TEMPORAL_PAYLOAD_KEYS: `test:${randomBytes(32).toString('base64')}`,
    FIELD_ENCRYPTION_KEYS: `test-field:${randomBytes(32).toString('base64')}`,
    PUBLIC_URL: 'https://zweck.test',
    UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
    SUPPRESSION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
  });
  await seedCatalogue(db);
  // The demo admin and DPO are enrolled with their published TOTP secrets (DEMO_TOTP_SECRETS), sealed under this ring.
  await seedUsers(db, hashPassword, { fieldKeys: env.FIELD_ENCRYPTION_KEYS });
  const users = await db.user.findMany({ select: { id: true, email: true, displayName: true, role: true } });

  const connection = await Connection.connect({ address: need('TEMPORAL_ADDRESS') });
  // Per-contact payload keys as in production (src/main.ts): the worker process seals with the same.
  const contactScope = createContactScope(env.TEMPORAL_PAYLOAD_KEYS, contactPayloadKeyRows(db), contactScopeOfWorkflowId);
  const keyListener = await listenForDestroyedPayloadKeys(database.url, (contactId) => contactScope.keys.forget(contactId));
  const temporal = new Client({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(env.TEMPORAL_PAYLOAD_KEYS, contactScope),
  });
  const codec = new EncryptionCodec(env.TEMPORAL_PAYLOAD_KEYS, contactScope);
  const deps = { db, env, temporal, log: pino({ level: 'silent' }), mailSink: null };

  return {
    db,
    env,
    temporal,
    codec,
    deps,
    callerFor(role, overrides = {}) {
      const user = role === null ? null : (users.find((u) => u.role === role) ?? null);
      const cookies: (string | null)[] = [];
      const ctx: Context = {
        ...deps,
        user,
        sessionTokenHash: null,
        ip: '203.0.113.42',
        setSessionCookie: (token) => cookies.push(token),
        ...overrides,
      };
      return { caller: createCaller(ctx), cookies };
    },
    userId(role) {
      const user = users.find((u) => u.role === role);
      if (!user) throw new Error(`no demo user with role ${role}`);
      return user.id;
    },
    async close() {
      // Workflows these tests started wait on a queue nobody polls: end them, leave no litter.
      for await (const wf of temporal.workflow.list({
        query: `TaskQueue = '${env.TEMPORAL_TASK_QUEUE}' AND ExecutionStatus = 'Running'`,
      })) {
        await temporal.workflow
          .getHandle(wf.workflowId)
          .terminate('test finished')
          .catch(() => undefined);
      }
      await keyListener.close();
      await db.$disconnect();
      await connection.close();
      await database.drop();
    },
  };
}

export const demoPassword = (role: Role): string => DEMO_USERS.find((u) => u.role === role)!.password;

/** The harness plus the HTTP server (for routes outside tRPC: unsubscribe, subscribe, confirm, preferences), driven by `app.inject`. */
export async function createHttpHarness(): Promise<Harness & { app: FastifyInstance }> {
  const h = await createHarness();
  const server = createServer(h.deps);
  await server.app.ready();
  return {
    ...h,
    app: server.app,
    async close() {
      await server.stop();
      await h.close();
    },
  };
}
