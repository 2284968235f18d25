import type { FastifyInstance, onRequestHookHandler } from 'fastify';

/** The header every state-changing call of the admin sends; a cross-site form cannot set it. */
export const CSRF_HEADER = 'x-zweck-csrf';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery (ASVS 5 V3.5.1, issue 6). tRPC's Node adapters take a mutation from a
 * POST of any content type, so a form on another site (`text/plain`, `application/x-www-form-
 * urlencoded`, `multipart/form-data`) could call one with the user's cookie. Here every
 * non-reading request to tRPC must be `Content-Type: application/json` and carry `x-zweck-csrf: 1`:
 * a browser sends either only after a CORS preflight, which this API never grants. Refused before
 * the body is read, so a refused request writes nothing. Sign-in is covered too (login CSRF).
 *
 * Deliberately not applied to the public token routes (one-click unsubscribe, preference center,
 * subscription and privacy-request forms): they take form posts by design (RFC 8058 prescribes
 * one), carry no session, and act only on what their signed token names.
 */
export function requireJsonAndCsrfHeader(app: FastifyInstance, trpcPrefix: string): void {
  const check: onRequestHookHandler = (req, reply, done) => {
    if (READ_METHODS.has(req.method)) return done();
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      req.log.warn({ route: req.routeOptions.url, reason: 'content-type' }, 'cross-site request refused');
      void reply.code(415).send({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'Calls that change data must be sent as application/json.' });
      return;
    }
    if (req.headers[CSRF_HEADER] !== '1') {
      req.log.warn({ route: req.routeOptions.url, reason: 'csrf-header' }, 'cross-site request refused');
      void reply.code(403).send({ error: 'CSRF_HEADER_MISSING', message: `Calls that change data must carry the ${CSRF_HEADER} header.` });
      return;
    }
    done();
  };
  app.addHook('onRoute', (route) => {
    if (route.url !== `${trpcPrefix}/:path`) return;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [check, ...existing];
  });
}
