import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { IMPORT_LIMITS } from './import-file.ts';

/**
 * The import file travels in the body of two tRPC procedures, as a JSON string: the escaping of
 * quotes and line ends can nearly double a CSV file. Those two get room for the largest file;
 * every other procedure keeps the server's small limit, checked on the declared length before
 * the body is read (a chunked body without a length is bounded by the larger limit).
 */
export const IMPORT_BODY_LIMIT = 2 * IMPORT_LIMITS.maxBytes + 64 * 1024;
const IMPORT_PROCEDURES = new Set(['import.dryRun', 'import.commit']);

export function allowImportBodies(app: FastifyInstance, trpcPrefix: string, defaultLimit: number): void {
  const keepOthersSmall: onRequestHookHandler = (req, reply, done) => {
    const path = (req.params as { path?: string }).path ?? '';
    const isImport = path.split(',').every((p) => IMPORT_PROCEDURES.has(p));
    if (!isImport && Number(req.headers['content-length'] ?? 0) > defaultLimit) {
      void reply.code(413).send({ error: 'Request body is too large' });
      return;
    }
    done();
  };
  app.addHook('onRoute', (route) => {
    if (route.url !== `${trpcPrefix}/:path`) return;
    route.bodyLimit = IMPORT_BODY_LIMIT;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...existing, keepOthersSmall];
  });
}
