import type { Role } from '@zweck/db';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { findSessionUser, SESSION_COOKIE } from '../auth/session.ts';
import { assertContactVisible, auditContactRead } from '../contacts/read-access.ts';
import { AppError } from '../trpc/errors.ts';
import type { ApiDeps } from '../trpc/context.ts';
import { archiveFileName, produceSubjectArchive } from './subject-archive.service.ts';

/** Who may download a person's archive: the DPO and administrators, as the tRPC procedures. */
export const ARCHIVE_ROLES: readonly Role[] = ['dpo', 'admin'];

/** The download's path; the admin links to it, the dev server proxies `/api` to the API. */
export const subjectArchivePath = (contactId: string, requestId?: string | null): string =>
  `/api/subject-archive/${contactId}${requestId ? `?requestId=${requestId}` : ''}`;

const ZParams = z.object({ contactId: z.uuid() });
const ZQuery = z.object({ requestId: z.uuid().optional() });

/**
 * `GET /api/subject-archive/:contactId[?requestId=…]`: the person's archive as a zip (Art. 15(3),
 * 20 GDPR), for a signed-in DPO or administrator. A browser link cannot carry a tRPC call's
 * binary answer, hence a plain route; it checks the session cookie and the role as
 * `procedureFor('dpo', 'admin')` does (401 without a session, 403 for another role) and records
 * the production and its audit entry through the same service.
 */
export function registerSubjectArchiveRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'db' | 'env' | 'log'>): void {
  app.get('/api/subject-archive/:contactId', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await findSessionUser(deps.db, token, { idleMinutes: deps.env.SESSION_IDLE_MINUTES }) : null;
    if (!session) return reply.code(401).send({ error: 'NOT_SIGNED_IN', message: 'Please sign in.' });
    if (!ARCHIVE_ROLES.includes(session.user.role)) {
      return reply.code(403).send({ error: 'ROLE_NOT_ALLOWED', message: `This needs one of the roles: ${ARCHIVE_ROLES.join(', ')}.` });
    }
    const params = ZParams.safeParse(req.params);
    const query = ZQuery.safeParse(req.query);
    if (!params.success || !query.success) {
      return reply.code(400).send({ error: 'BAD_REQUEST', field: params.success ? 'requestId' : 'contactId', message: 'Not an ID.' });
    }
    try {
      const reader = { db: deps.db, user: session.user, log: req.log };
      const access = await assertContactVisible(reader, params.data.contactId);
      const { archive, record } = await produceSubjectArchive(deps, {
        contactId: params.data.contactId,
        actor: `user:${session.user.id}`,
        requestId: query.data.requestId ?? null,
      });
      await auditContactRead(reader, record.contactId, access, 'subject-archive.download', { archiveId: record.id });
      return await reply
        .code(200)
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${archiveFileName(record.contactId, record.producedAt)}"`)
        .header('x-archive-sha256', record.sha256)
        .header('x-archive-id', record.id)
        .send(Buffer.from(archive.zip));
    } catch (error) {
      if (error instanceof AppError && error.code === 'CONTACT_NOT_FOUND') {
        return reply.code(404).send({ error: error.code, message: error.message });
      }
      throw error;
    }
  });
}
