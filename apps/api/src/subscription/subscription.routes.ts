import rateLimit from '@fastify/rate-limit';
import { InvalidUnsubscribeTokenError, verifyConfirmToken } from '@zweck/mail/unsubscribe-token';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { signalConsentChanged, startWelcome } from '../automation.ts';
import { enrollOnFormConfirmed } from '../journeys-runtime/triggers.ts';
import { escapeHtml, publicPage as page } from '../public-pages.ts';
import type { ApiDeps } from '../trpc/context.ts';
import { AppError } from '../trpc/errors.ts';
import { readPreferences, requestConsentReceipts, savePreferences } from './preferences.service.ts';
import { confirm, subscribe, ZSubscribeInput } from './subscription.service.ts';

const NO_STORE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

/**
 * The person's side of consent: a hosted subscription form, its public endpoint (no sign-in,
 * rate-limited per address), and the double opt-in confirmation link. Like unsubscribing, a GET
 * of the confirmation link only asks; the button POSTs.
 */
export async function registerSubscriptionRoutes(
  app: FastifyInstance,
  deps: Pick<ApiDeps, 'db' | 'env' | 'log' | 'temporal'>,
): Promise<void> {
  await app.register(rateLimit, { global: false });
  const html = (reply: FastifyReply, status: number, title: string, body: string) =>
    reply.code(status).headers(NO_STORE).type('text/html; charset=utf-8').send(page(title, body));

  app.get<{ Params: { purposeId: string }; Querystring: { lang?: string } }>('/subscribe/:purposeId', async (req, reply) => {
    const language = req.query.lang === 'de' ? 'de' : 'en';
    const purpose = await deps.db.purpose.findUnique({
      where: { id: req.params.purposeId },
      select: {
        id: true,
        name: true,
        description: true,
        legalBasis: true,
        wordings: {
          where: { language },
          orderBy: [{ createdAt: 'desc' }, { version: 'desc' }],
          take: 1,
          select: { version: true, text: true },
        },
      },
    });
    const wording = purpose?.wordings[0];
    if (!purpose || purpose.legalBasis !== 'consent' || !wording)
      return html(reply, 404, 'Not found', '<h1>There is nothing to subscribe to here</h1>');
    const e = escapeHtml;
    return html(
      reply,
      200,
      `Subscribe: ${purpose.name}`,
      `<h1>${e(purpose.name)}</h1><p>${e(purpose.description)}</p>
<form method="post" action="/subscribe">
<input type="hidden" name="purposeId" value="${e(purpose.id)}"><input type="hidden" name="wordingVersion" value="${e(wording.version)}"><input type="hidden" name="language" value="${language}">
<label for="email">Your e-mail address</label><input id="email" name="email" type="email" required autocomplete="email">
<blockquote>${e(wording.text)}</blockquote>
<button type="submit">Subscribe</button></form>
<p><small>We will send you one e-mail to confirm. Nothing else arrives until you do.</small></p>`,
    );
  });

  app.post('/subscribe', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    const wantsJson = (req.headers['content-type'] ?? '').startsWith('application/json');
    const parsed = ZSubscribeInput.safeParse(req.body);
    if (!parsed.success) {
      const fieldErrors = z.flattenError(parsed.error).fieldErrors;
      if (wantsJson) return reply.code(400).send({ error: 'INVALID_INPUT', fieldErrors });
      const list = Object.entries(fieldErrors).map(
        ([field, messages]) => `<li>${escapeHtml(field)}: ${escapeHtml((messages ?? []).join(', '))}</li>`,
      );
      return html(
        reply,
        400,
        'Please check your entry',
        `<h1>Please check your entry</h1><ul class="error">${list.join('')}</ul><p>Please go back and correct it.</p>`,
      );
    }
    try {
      const { contactId } = await subscribe(deps.db, parsed.data, req.ip);
      // Started even when nothing new was recorded: a pending grant whose workflow ended is picked up.
      await startWelcome(deps.temporal, { contactId, purposeId: parsed.data.purposeId, channel: 'email' }, deps.env.TEMPORAL_TASK_QUEUE);
    } catch (error) {
      if (error instanceof AppError) {
        if (wantsJson) return reply.code(400).send({ error: error.code, field: error.field ?? null, message: error.message });
        return html(
          reply,
          400,
          'Please check your entry',
          `<h1>Please check your entry</h1><p class="error">${escapeHtml(error.message)}</p>`,
        );
      }
      throw error;
    }
    // The same answer for a new, a pending and an existing subscriber.
    if (wantsJson) return reply.code(202).send({ status: 'confirmation_requested' });
    return html(
      reply,
      200,
      'Check your inbox',
      '<h1>Check your inbox</h1><p>We have sent you an e-mail. Please confirm your subscription with the link in it.</p>',
    );
  });

  const invalid = '<h1>This link is not valid</h1><p>Please use the link from the latest confirmation e-mail you received.</p>';

  app.get<{ Params: { token: string } }>('/confirm/:token', async (req, reply) => {
    try {
      const claims = verifyConfirmToken(deps.env.UNSUBSCRIBE_SECRET, req.params.token);
      const purpose = await deps.db.purpose.findUnique({ where: { id: claims.p }, select: { name: true } });
      const name = escapeHtml(purpose?.name ?? claims.p);
      return html(
        reply,
        200,
        'Confirm your subscription',
        `<h1>Confirm your subscription to ${name}?</h1><form method="post" action="/confirm/${escapeHtml(req.params.token)}"><button type="submit">Yes, subscribe me</button></form>`,
      );
    } catch (error) {
      if (error instanceof InvalidUnsubscribeTokenError) return html(reply, 400, 'Link not valid', invalid);
      throw error;
    }
  });

  app.post<{ Params: { token: string } }>(
    '/confirm/:token',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (req, reply) => {
      try {
        const result = await confirm(deps.db, deps.env.UNSUBSCRIBE_SECRET, req.params.token, req.ip);
        if (result.status === 'expired') {
          return html(
            reply,
            410,
            'Link expired',
            '<h1>This confirmation has expired</h1><p>Please subscribe again; we will send you a new link.</p>',
          );
        }
        if (result.status === 'confirmed') {
          await signalConsentChanged(deps, result.contactId, result.purposeId);
          // The hosted form's subscription is confirmed (double opt-in): journeys that start on it enrol the person.
          await enrollOnFormConfirmed({ ...deps, taskQueue: deps.env.TEMPORAL_TASK_QUEUE }, result.contactId, result.purposeId);
        }
        return html(
          reply,
          200,
          'Subscribed',
          '<h1>Thank you, you are subscribed</h1><p>You can unsubscribe at any time with the link in every message.</p>',
        );
      } catch (error) {
        if (error instanceof InvalidUnsubscribeTokenError) return html(reply, 400, 'Link not valid', invalid);
        throw error;
      }
    },
  );

  // The preference center: every consent-based purpose, switched on or off by the person.
  app.get<{ Params: { token: string } }>('/preferences/:token', async (req, reply) => {
    try {
      const prefs = await readPreferences(deps.db, deps.env.UNSUBSCRIBE_SECRET, req.params.token);
      const e = escapeHtml;
      const rows = prefs.items
        .map(
          (item) => `<fieldset style="border:1px solid #d9e2ec;border-radius:.4rem;margin:1rem 0;padding:.6rem 1rem">
<label style="margin:0"><input type="checkbox" name="on" value="${e(item.purposeId)}"${item.isOn && !prefs.hasObjected ? ' checked' : ''}> ${e(item.name)}</label>
<p style="margin:.3rem 0">${e(item.description)}</p>${item.wording ? `<blockquote>${e(item.wording.text)}</blockquote>` : ''}</fieldset>`,
        )
        .join('');
      return html(
        reply,
        200,
        'Your preferences',
        `<h1>What would you like to hear from us?</h1>
${prefs.hasObjected ? '<p><strong>You have objected to all marketing.</strong> Switching a topic on below gives a new consent for it.</p>' : ''}
<form method="post" action="/preferences/${e(req.params.token)}">${rows}
<label style="font-weight:400"><input type="checkbox" name="objectToAll" value="1"> No marketing at all, on any channel (this ends all advertising for good)</label>
<p><button type="submit">Save my choices</button></p></form>
<form method="post" action="/preferences/${e(req.params.token)}/receipt">
<p>Want proof of what you agreed to, and when? We send you a copy of your consent records, machine-readable.</p>
<p><button type="submit">E-mail me a receipt of my consents</button></p></form>`,
      );
    } catch (error) {
      if (error instanceof InvalidUnsubscribeTokenError) return html(reply, 400, 'Link not valid', '<h1>This link is not valid</h1>');
      throw error;
    }
  });

  app.post<{ Params: { token: string }; Body: Record<string, string | string[] | undefined> }>(
    '/preferences/:token',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const body = req.body ?? {};
      const on = ([] as string[]).concat(body.on ?? []);
      const objectToAll = body.objectToAll === '1';
      try {
        const { contactId, changes } = await savePreferences(
          deps.db,
          deps.env.UNSUBSCRIBE_SECRET,
          req.params.token,
          { on, objectToAll },
          req.ip,
        );
        // Running workflows hear of every change before their next send.
        for (const change of changes) await signalConsentChanged(deps, contactId, change.purposeId);
        const summary = objectToAll
          ? 'You will receive no marketing from us any more, on any channel.'
          : changes.length === 0
            ? 'Nothing changed.'
            : 'Your choices are saved.';
        return html(
          reply,
          200,
          'Preferences saved',
          `<h1>Thank you</h1><p>${escapeHtml(summary)}</p><p><a href="/preferences/${escapeHtml(req.params.token)}">Back to your preferences</a></p>`,
        );
      } catch (error) {
        if (error instanceof InvalidUnsubscribeTokenError) return html(reply, 400, 'Link not valid', '<h1>This link is not valid</h1>');
        throw error;
      }
    },
  );

  // A copy of the person's consent records, mailed to the address the signed link was sent to.
  app.post<{ Params: { token: string } }>(
    '/preferences/:token/receipt',
    { config: { rateLimit: { max: 5, timeWindow: '1 minute' } } },
    async (req, reply) => {
      try {
        const { status } = await requestConsentReceipts(deps, deps.env.UNSUBSCRIBE_SECRET, req.params.token, deps.env.TEMPORAL_TASK_QUEUE);
        const back = `<p><a href="/preferences/${escapeHtml(req.params.token)}">Back to your preferences</a></p>`;
        if (status === 'nothing_recorded') {
          return html(
            reply,
            200,
            'No consent records',
            `<h1>We have no consent records for you</h1><p>There is nothing to send.</p>${back}`,
          );
        }
        return html(
          reply,
          200,
          'Receipt on its way',
          `<h1>Your receipt is on its way</h1><p>We are sending a copy of your consent records to your e-mail address. It usually arrives within a few minutes.</p>${back}`,
        );
      } catch (error) {
        if (error instanceof InvalidUnsubscribeTokenError) return html(reply, 400, 'Link not valid', '<h1>This link is not valid</h1>');
        throw error;
      }
    },
  );
}
