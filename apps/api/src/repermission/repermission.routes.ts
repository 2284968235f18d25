import { InvalidTrackingTokenError } from '@zweck/mail/tracking-token';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml, publicPage as page } from '../public-pages.ts';
import type { ApiDeps } from '../trpc/context.ts';
import { readRenewal, renewByToken } from './repermission.service.ts';

const NO_STORE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

/**
 * The re-permission page (public, like the preference center): the signed link of a renewal mail
 * opens it; GET only shows what a click agrees to (mail scanners follow links), the button POSTs
 * and renews the consent.
 */
export function registerRepermissionRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'db' | 'env' | 'temporal'>): void {
  const secret = deps.env.UNSUBSCRIBE_SECRET;
  const html = (reply: FastifyReply, status: number, title: string, body: string) =>
    reply.code(status).headers(NO_STORE).type('text/html; charset=utf-8').send(page(title, body));
  const invalid = '<h1>This link is not valid</h1><p>Please use the link from the latest e-mail you received from us.</p>';

  app.get<{ Params: { token: string } }>('/renew/:token', async (req, reply) => {
    try {
      const request = await readRenewal(deps.db, secret, req.params.token);
      if (!request?.wording) return html(reply, 404, 'Link not valid', invalid);
      const e = escapeHtml;
      if (request.renewedAt) {
        return html(
          reply,
          200,
          'Already renewed',
          `<h1>Already renewed</h1><p>Your consent to ${e(request.purposeName)} is renewed. Thank you.</p>`,
        );
      }
      return html(
        reply,
        200,
        `Renew: ${request.purposeName}`,
        `<h1>Keep receiving ${e(request.purposeName)}?</h1>
<p>Your consent runs out on ${e(request.expiresAt.toUTCString())}. With one click you renew it:</p>
<blockquote>${e(request.wording.text)}</blockquote>
<form method="post" action="/renew/${e(req.params.token)}"><button type="submit">Yes, renew my consent</button></form>
<p><small>If you do nothing, your consent ends on that date and we will not ask again.</small></p>`,
      );
    } catch (error) {
      if (error instanceof InvalidTrackingTokenError) return html(reply, 400, 'Link not valid', invalid);
      throw error;
    }
  });

  app.post<{ Params: { token: string } }>('/renew/:token', async (req, reply) => {
    try {
      const result = await renewByToken(deps, secret, req.params.token, req.ip);
      if (result.status === 'not_possible') return html(reply, 404, 'Link not valid', invalid);
      const name = escapeHtml(result.purposeName ?? 'our mailings');
      return html(
        reply,
        200,
        'Renewed',
        `<h1>Thank you</h1><p>Your consent to ${name} is renewed. You can withdraw it at any time with the link in every message.</p>`,
      );
    } catch (error) {
      if (error instanceof InvalidTrackingTokenError) return html(reply, 400, 'Link not valid', invalid);
      throw error;
    }
  });
}
