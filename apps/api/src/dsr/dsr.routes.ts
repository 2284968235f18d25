import rateLimit from '@fastify/rate-limit';
import { InvalidUnsubscribeTokenError } from '@zweck/mail/unsubscribe-token';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { escapeHtml, publicPage as page } from '../public-pages.ts';
import { ZDsrType, type DsrType } from '../routers/requests/requests.schema.ts';
import type { ApiDeps } from '../trpc/context.ts';
import { claimsOf, intakeWebFormRequest, verifyRequest } from './dsr.service.ts';

const NO_STORE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

/** How the form names each right; the article is part of the label so that people recognise it. */
const TYPE_LABELS: Record<DsrType, string> = {
  access: 'Tell me what data you hold about me (Art. 15 GDPR)',
  portability: 'Give me my data to take elsewhere (Art. 20 GDPR)',
  rectification: 'Correct my data (Art. 16 GDPR)',
  erasure: 'Erase my data (Art. 17 GDPR)',
  restriction: 'Restrict the processing of my data (Art. 18 GDPR)',
  objection: 'I object to the processing of my data (Art. 21 GDPR)',
  origin_inquiry: 'Tell me where you got my data from',
};

export const ZWebFormRequest = z.object({
  email: z
    .string()
    .trim()
    .pipe(z.email('Enter a valid e-mail address, like name@example.org').max(254, 'An e-mail address has at most 254 characters')),
  type: ZDsrType,
});

/**
 * The person's own way to exercise their rights (Art. 12(2) GDPR: facilitate it): a form at
 * `/privacy-request` (no sign-in, rate-limited), and the verification link it mails. The answer
 * to the form is the same whether or not the address is known, so the form reveals no one's
 * membership; the address is never logged (the request log names the route only).
 */
export async function registerDsrRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'db' | 'env' | 'temporal'>): Promise<void> {
  await app.register(rateLimit, { global: false });
  const html = (reply: FastifyReply, status: number, title: string, body: string) =>
    reply.code(status).headers(NO_STORE).type('text/html; charset=utf-8').send(page(title, body));

  const form = (problems: string[] = []) => `<h1>Your data protection rights</h1>
<p>Ask us what we hold about you, to correct or erase it, to restrict its use, or object to it. We answer within one month.</p>
${problems.length > 0 ? `<ul class="error">${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>` : ''}
<form method="post" action="/privacy-request">
<label for="email">Your e-mail address</label><input id="email" name="email" type="email" required autocomplete="email">
<label for="type">What would you like us to do?</label>
<select id="type" name="type" required style="font:inherit;padding:.5rem;width:100%">
${Object.entries(TYPE_LABELS)
  .map(([value, label]) => `<option value="${value}">${escapeHtml(label)}</option>`)
  .join('\n')}
</select>
<p><button type="submit">Send my request</button></p></form>
<p><small>We send you one e-mail with a link to confirm that the request comes from you. We act on it only once you do.</small></p>`;

  app.get('/privacy-request', async (_req, reply) => html(reply, 200, 'Your data protection rights', form()));

  app.post('/privacy-request', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    const wantsJson = (req.headers['content-type'] ?? '').startsWith('application/json');
    const parsed = ZWebFormRequest.safeParse(req.body);
    if (!parsed.success) {
      const fieldErrors = z.flattenError(parsed.error).fieldErrors;
      if (wantsJson) return reply.code(400).send({ error: 'INVALID_INPUT', fieldErrors });
      const problems = Object.entries(fieldErrors).map(([field, messages]) => `${field}: ${(messages ?? []).join(', ')}`);
      return html(reply, 400, 'Please check your entry', form(problems));
    }
    await intakeWebFormRequest(deps, parsed.data);
    if (wantsJson) return reply.code(202).send({ status: 'verification_requested' });
    return html(
      reply,
      200,
      'Check your inbox',
      '<h1>Check your inbox</h1><p>We have sent you an e-mail. Please confirm your request with the link in it; the link works for three days.</p>',
    );
  });

  const invalid = '<h1>This link is not valid</h1><p>Please use the link from the e-mail we sent you, or make your request again.</p>';

  // Like every link we mail, a GET only asks (mail scanners open links); the button POSTs.
  app.get<{ Params: { token: string } }>('/privacy-request/verify/:token', async (req, reply) => {
    try {
      claimsOf(deps.env.UNSUBSCRIBE_SECRET, req.params.token);
      return html(
        reply,
        200,
        'Confirm your request',
        `<h1>Confirm your request</h1><p>Please confirm that you made this data protection request.</p>
<form method="post" action="/privacy-request/verify/${escapeHtml(req.params.token)}"><button type="submit">Yes, I made this request</button></form>`,
      );
    } catch (error) {
      if (error instanceof InvalidUnsubscribeTokenError) return html(reply, 400, 'Link not valid', invalid);
      throw error;
    }
  });

  app.post<{ Params: { token: string } }>(
    '/privacy-request/verify/:token',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (req, reply) => {
      try {
        const result = await verifyRequest(deps, req.params.token);
        if (result.status === 'expired') {
          return html(
            reply,
            410,
            'Link expired',
            '<h1>This link has expired</h1><p>Please make your request again; we will send you a new link.</p>',
          );
        }
        if (result.status === 'closed') {
          return html(
            reply,
            409,
            'Request closed',
            '<h1>This request is closed</h1><p>If you still need something from us, please make a new request.</p>',
          );
        }
        return html(
          reply,
          200,
          'Request confirmed',
          '<h1>Thank you, your request is confirmed</h1><p>We will answer within one month. If we need longer, we will tell you why.</p>',
        );
      } catch (error) {
        if (error instanceof InvalidUnsubscribeTokenError) return html(reply, 400, 'Link not valid', invalid);
        throw error;
      }
    },
  );
}
