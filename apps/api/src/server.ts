import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { fastifyTRPCPlugin, type CreateFastifyContextOptions, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { findSessionUser, SESSION_COOKIE } from './auth/session.ts';
import { allowImportBodies } from './import/import-body-limit.ts';
import { appRouter, type AppRouter } from './routers/index.ts';
import type { ApiDeps, Context } from './trpc/context.ts';
import { registerSubscriptionRoutes } from './subscription/subscription.routes.ts';
import { registerUnsubscribeRoutes } from './unsubscribe/unsubscribe.routes.ts';
import { registerTrackingRoutes } from './tracking/tracking.routes.ts';
import { registerRepermissionRoutes } from './repermission/repermission.routes.ts';

export interface ApiServer {
  app: FastifyInstance;
  /** Listens and resolves to the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

const BODY_LIMIT = 256 * 1024;

export function createServer(deps: ApiDeps): ApiServer {
  const { env, log } = deps;
  const secureCookie = env.PUBLIC_URL.startsWith('https://');
  // Fastify's logger type is narrower than pino's; the instance is the same.
  const loggerInstance: FastifyBaseLogger = log;
  const app = Fastify({
    loggerInstance,
    // Request URLs can carry unsubscribe tokens: the default request log is replaced by one
    // that logs the route pattern, never the URL.
    logController: new LogController({ disableRequestLogging: true }),
    // Signed unsubscribe tokens are longer than Fastify's default limit of 100 characters.
    routerOptions: { maxParamLength: 2048 },
    bodyLimit: BODY_LIMIT,
    trustProxy: env.NODE_ENV === 'production',
  });

  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
  });

  void app.register(fastifyCookie);
  void app.register(fastifyFormbody);
  // RFC 8058 allows the one-click POST as multipart/form-data; its body carries nothing we need.
  app.addContentTypeParser('multipart/form-data', (_req, payload, done) => {
    payload.resume();
    payload.on('end', () => done(null, {}));
  });

  app.get('/healthz', () => ({ ok: true }));
  registerUnsubscribeRoutes(app, deps);
  registerTrackingRoutes(app, deps);
  registerRepermissionRoutes(app, deps);
  void app.register(async (scope) => registerSubscriptionRoutes(scope, deps));

  const createContext = async ({ req, res }: CreateFastifyContextOptions): Promise<Context> => {
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await findSessionUser(deps.db, token) : null;
    return {
      ...deps,
      user: session?.user ?? null,
      sessionTokenHash: session?.tokenHash ?? null,
      ip: req.ip ?? null,
      setSessionCookie(value, maxAgeSeconds) {
        const options = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: secureCookie };
        if (value === null) void res.clearCookie(SESSION_COOKIE, options);
        else void res.setCookie(SESSION_COOKIE, value, { ...options, maxAge: maxAgeSeconds });
      },
    };
  };

  // Only the import's two procedures take a file-sized body.
  allowImportBodies(app, '/trpc', BODY_LIMIT);
  void app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext,
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          // The name only: messages of database errors can quote values.
          log.error({ path, err: error.cause?.name ?? error.name }, 'procedure failed');
        }
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  const webDir = env.WEB_DIST_DIR ? resolve(env.WEB_DIST_DIR) : null;
  if (webDir && existsSync(webDir)) {
    void app.register(fastifyStatic, { root: webDir, wildcard: false });
    // The admin is a single-page app: unknown GET paths get its index.
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/trpc')) return reply.sendFile('index.html');
      return reply.code(404).send({ error: 'not found' });
    });
  }

  return {
    app,
    async start() {
      return app.listen({ host: env.HOST, port: env.PORT });
    },
    async stop() {
      await app.close();
    },
  };
}
