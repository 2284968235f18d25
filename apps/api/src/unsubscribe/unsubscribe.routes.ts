import { InvalidUnsubscribeTokenError } from '@zweck/mail/unsubscribe-token';
import { escapeHtml, publicPage as page } from '../public-pages.ts';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../trpc/context.ts';
import { describeToken, withdrawByToken } from './unsubscribe.service.ts';

/**
 * One-click unsubscribe (RFC 8058). GET only asks, because mail scanners and link previewers
 * follow links; POST withdraws, without cookies or a CSRF token, since the signed link itself is
 * the authority and a mailbox provider posts `List-Unsubscribe=One-Click` on the person's behalf.
 */
export function registerUnsubscribeRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'db' | 'env' | 'log' | 'temporal'>): void {
  const secret = deps.env.UNSUBSCRIBE_SECRET;
  const invalid = page(
    'Link not valid',
    '<h1>This link is not valid</h1><p>Please use the unsubscribe link from the latest message you received.</p>',
  );

  app.get<{ Params: { token: string } }>('/u/:token', async (req, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
    try {
      const { purposeName } = await describeToken(deps.db, secret, req.params.token);
      return page(
        'Unsubscribe',
        `<h1>Unsubscribe from ${escapeHtml(purposeName)}?</h1>
<p>You will no longer receive the ${escapeHtml(purposeName)} by e-mail.</p>
<form method="post" action="/u/${escapeHtml(req.params.token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      );
    } catch (error) {
      if (error instanceof InvalidUnsubscribeTokenError) return reply.code(400).send(invalid);
      throw error;
    }
  });

  app.post<{ Params: { token: string } }>('/u/:token', async (req, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
    try {
      const result = await withdrawByToken(deps, secret, req.params.token, { method: 'one_click_unsubscribe', ip: req.ip });
      const name = escapeHtml(result.purposeName ?? 'our mailings');
      return page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You will no longer receive the ${name} by e-mail.</p>`);
    } catch (error) {
      if (error instanceof InvalidUnsubscribeTokenError) return reply.code(400).send(invalid);
      throw error;
    }
  });
}
