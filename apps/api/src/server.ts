import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { fastifyTRPCPlugin, type CreateFastifyContextOptions, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { findSessionUser, SESSION_COOKIE } from './auth/session.ts';
import { allowImportBodies } from './import/import-body-limit.ts';
import { appRouter, type AppRouter } from './routers/index.ts';
import { requireJsonAndCsrfHeader } from './http/csrf.ts';
import { securityHeaders } from './http/security-headers.ts';
import { correlationIdOf, GENERIC_ERROR_MESSAGE, loggableError } from './trpc/correlation.ts';
import type { ApiDeps, Context } from './trpc/context.ts';
import { registerSubscriptionRoutes } from './subscription/subscription.routes.ts';
import { registerUnsubscribeRoutes } from './unsubscribe/unsubscribe.routes.ts';
import { registerTrackingRoutes } from './tracking/tracking.routes.ts';
import { registerRepermissionRoutes } from './repermission/repermission.routes.ts';
import { registerSubjectArchiveRoutes } from './subject-archive/subject-archive.routes.ts';
import { registerDsrRoutes } from './dsr/dsr.routes.ts';

export interface ApiServer {
  app: FastifyInstance;
  /** Listens and resolves to the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

const BODY_LIMIT = 256 * 1024;

export function createServer(deps: ApiDeps): ApiServer {
  const { env, log } = deps;
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
  // Security headers on every answer, the admin's HTML and the API's JSON alike (issue 6).
  void app.register(fastifyHelmet, securityHeaders(env));
  app.addHook('onSend', async (req, reply) => {
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()');
    // Answers of the API carry personal data: no cache on the way may keep them.
    if (req.url.startsWith('/trpc')) reply.header('cache-control', 'no-store');
  });
  // Routes outside tRPC: an unexpected error answers a reference, the details go to the log only.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status < 500) return reply.code(status).send({ error: error.code ?? 'BAD_REQUEST', message: error.message });
    const correlationId = correlationIdOf(error);
    req.log.error({ route: req.routeOptions.url ?? 'unmatched', correlationId, err: loggableError(error) }, 'request failed');
    return reply.code(500).send({ error: 'INTERNAL_SERVER_ERROR', message: GENERIC_ERROR_MESSAGE, correlationId });
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
  registerSubjectArchiveRoutes(app, deps);
  void app.register(async (scope) => registerSubscriptionRoutes(scope, deps));
  void app.register(async (scope) => registerDsrRoutes(scope, deps));

  const createContext = async ({ req, res }: CreateFastifyContextOptions): Promise<Context> => {
    const token = req.cookies[SESSION_COOKIE];
    const session = token
      ? await findSessionUser(deps.db, token, { idleMinutes: env.SESSION_IDLE_MINUTES, allowSecondFactorPending: true })
      : null;
    return {
      ...deps,
      // A password-only session signs nobody in: only the second-factor procedures see its user.
      user: session && !session.secondFactorPending ? session.user : null,
      secondFactorPendingUser: session?.secondFactorPending ? session.user : null,
      sessionTokenHash: session?.tokenHash ?? null,
      ip: req.ip ?? null,
      setSessionCookie(value, maxAgeSeconds) {
        // __Host-: Secure, Path=/, no Domain. SameSite=Strict: the admin is a single-page app whose
        // HTML needs no session, so a link from a mail or another site loses nothing, and no
        // cross-site request ever carries the cookie (defence in depth beside the CSRF header).
        const options = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: true };
        if (value === null) void res.clearCookie(SESSION_COOKIE, options);
        else void res.setCookie(SESSION_COOKIE, value, { ...options, maxAge: maxAgeSeconds });
      },
      setHeader(name, value) {
        void res.header(name, value);
      },
    };
  };

  // Only the import's two procedures take a file-sized body.
  allowImportBodies(app, '/trpc', BODY_LIMIT);
  // Cross-site request forgery: checked once, for every procedure, before the body is read.
  requireJsonAndCsrfHeader(app, '/trpc');
  void app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext,
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          // Name and stack frames only: messages of database errors can quote values.
          log.error({ path, correlationId: correlationIdOf(error), err: loggableError(error.cause ?? error) }, 'procedure failed');
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
