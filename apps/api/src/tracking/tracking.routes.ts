import { InvalidTrackingTokenError } from '@zweck/mail/tracking-token';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDeps } from '../trpc/context.ts';
import { recordOpen, resolveClick, type TrackingServiceDeps } from './tracking.service.ts';

/** A transparent 1×1 GIF (the smallest common form, 43 bytes). */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const NO_CACHE = {
  'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
  pragma: 'no-cache',
  expires: '0',
  'referrer-policy': 'no-referrer',
};

/**
 * Open and click tracking (public, like the unsubscribe link): `GET /t/o/<token>.gif` answers a
 * 1×1 GIF that no cache keeps, `GET /t/c/<token>` a 302 to the stored link the token names. A
 * forged or unknown token records nothing and gets a bare 404, which says nothing about anyone.
 * Tokens are in the path, so the request log (route pattern only) never holds them.
 */
export function registerTrackingRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'db' | 'env' | 'log' | 'temporal'>): void {
  const service: TrackingServiceDeps = {
    db: deps.db,
    temporal: deps.temporal,
    secret: deps.env.UNSUBSCRIBE_SECRET,
    suppressionKey: deps.env.SUPPRESSION_KEY,
    taskQueue: deps.env.TEMPORAL_TASK_QUEUE,
  };
  const log = deps.log.child({ component: 'tracking' });
  const notFound = (reply: FastifyReply) => reply.code(404).headers(NO_CACHE).type('text/plain; charset=utf-8').send('not found');

  app.get<{ Params: { file: string } }>('/t/o/:file', async (req, reply) => {
    const token = req.params.file.endsWith('.gif') ? req.params.file.slice(0, -'.gif'.length) : null;
    if (token === null) return notFound(reply);
    try {
      const { recorded } = await recordOpen(service, token);
      log.info({ kind: 'opened', recorded }, 'tracking hit');
    } catch (error) {
      if (error instanceof InvalidTrackingTokenError) return notFound(reply);
      throw error;
    }
    return reply.code(200).headers(NO_CACHE).type('image/gif').send(PIXEL_GIF);
  });

  app.get<{ Params: { token: string } }>('/t/c/:token', async (req, reply) => {
    try {
      const { url, recorded } = await resolveClick(service, req.params.token);
      log.info({ kind: 'clicked', recorded }, 'tracking hit');
      return reply.code(302).headers(NO_CACHE).header('location', url).send();
    } catch (error) {
      if (error instanceof InvalidTrackingTokenError) return notFound(reply);
      throw error;
    }
  });
}
