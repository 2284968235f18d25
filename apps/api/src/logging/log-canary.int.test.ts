import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMailSink, type MailSink, type StoredMessage } from '@zweck/mail-sink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/password.ts';
import { startApiProcess, type ApiProcess } from '../test/api-process.ts';
import { createHarness, type Harness } from '../test/harness.ts';
import { newsletterConsent } from '../test/helpers.ts';
import { startWorkerProcess, type WorkerProcess } from '../test/worker-process.ts';

/**
 * The logs carry no personal data and no credentials (issue 6; ASVS 5 V16.2.5, Art. 5(1)(f), 32 GDPR).
 * The real API and worker processes, at the most verbose level production allows (`trace`; both
 * env schemas accept it whatever NODE_ENV says), are driven through their real HTTP doors with
 * personal data and credentials that all carry one unique canary; then every line both wrote is
 * searched for the canary, the session token, the passwords and every signed token that travelled
 * in a URL, and so is every byte of the Temporal histories the run left.
 */
const CANARY = `Kanarie${randomBytes(3).toString('hex')}`;
const canary = CANARY.toLowerCase();
/** A phone number nobody else uses: its digits are searched too. */
const PHONE_DIGITS = `30${randomInt(10_000_000, 99_999_999)}`;
const STAFF_PASSWORD = `${CANARY}-Moorlandschaft-Leuchtturm-42`;
const WRONG_PASSWORD = `${CANARY}-wrong-Passwort-7`;
/** A payload as the codec takes it (the API does not depend on @temporalio/common). */
type Payload = Parameters<Harness['codec']['decode']>[0][number];

const JSON_CSRF = { 'content-type': 'application/json', 'x-zweck-csrf': '1' };

/**
 * A line as searched: itself, plus what every base64 run in it decodes to (Temporal's trace lines
 * carry base64: task tokens, and payload bodies if they were ever logged), lower-cased.
 */
function searchable(line: string): string {
  const decoded = (line.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []).map((run) => Buffer.from(run, 'base64').toString('latin1'));
  return [line, ...decoded].join('\n').toLowerCase();
}

const CSV_HEADER =
  'email,first_name,last_name,phone,organization,job_title,notes,consent_purposes,consent_method,consent_wording_version,consent_language,consent_given_at,consent_source,legal_basis';

describe('log canary: personal data and credentials never reach the logs or Temporal (real API and worker processes)', () => {
  let h: Harness;
  let sink: MailSink;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let dir: string;
  let apiLog = '';
  let workerLog = '';
  /** Secrets the run learned on the way (session token, signed link tokens): none may be logged. */
  const secrets = new Map<string, string>();
  /** Tests that passed: the log files are kept (and named in the failure) unless all did. */
  let passed = 0;

  beforeAll(async () => {
    h = await createHarness();
    dir = mkdtempSync(join(tmpdir(), 'zweck-log-canary-'));
    // The catalogue lets marketers work with the relationship fields too (phone, notes), so that
    // the canary travels through every field of a contact.
    await h.db.purpose.update({ where: { id: 'customer_relationship' }, data: { staffRoles: { push: 'marketer' } } });
    await h.db.user.create({
      data: {
        email: `staff.${canary}@zweck.test`,
        displayName: `${CANARY} Staff`,
        role: 'marketer',
        passwordHash: await hashPassword(STAFF_PASSWORD),
      },
    });
    sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
    [api, worker] = await Promise.all([
      startApiProcess(h, join(dir, 'api.log'), { NODE_ENV: 'production', LOG_LEVEL: 'trace', SIGN_IN_FAILURE_DELAY_MS: '0' }),
      startWorkerProcess(h, `smtp://127.0.0.1:${sink.smtpPort}`, { LOG_LEVEL: 'trace' }),
    ]);
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await sink?.stop();
    await h?.close();
    if (passed === 3) rmSync(dir, { recursive: true, force: true });
  });

  let cookie = '';
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : JSON_CSRF), ...(cookie ? { cookie } : {}), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as { result: { data: Record<string, unknown> } }, response };
  };
  const mutate = (procedure: string, input: unknown) => call('POST', `/trpc/${procedure}`, input);
  const query = (procedure: string, input: unknown) => call('GET', `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);
  const form = (path: string, fields: Record<string, string>) =>
    call('POST', path, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });

  /** The one message the sink holds for `to` whose subject matches, once the worker has sent it. */
  async function mailTo(to: string, subject: RegExp): Promise<StoredMessage> {
    let found: StoredMessage | undefined;
    await expect
      .poll(
        () => {
          const summary = sink.list().find((m) => m.to.toLowerCase() === to && subject.test(m.subject));
          found = summary ? sink.get(summary.id) : undefined;
          return found !== undefined;
        },
        { timeout: 90_000, interval: 250 },
      )
      .toBe(true);
    return found!;
  }
  /** The token of a link `https://…/<path>/<token>` in a mail's text or headers, remembered as a secret. */
  function linkToken(mail: StoredMessage, path: string, label: string): string {
    const haystack = `${mail.text ?? ''}\n${mail.headers.map((x) => `${x.name}: ${x.value}`).join('\n')}`;
    const token = new RegExp(`https?://[^/\\s]+/${path}/([A-Za-z0-9_.~-]+)`).exec(haystack)?.[1];
    expect(token, `no /${path}/ link in the mail`).toBeDefined();
    secrets.set(label, token!);
    return token!;
  }

  it('drives sign-in, contacts, import, the public forms, bad input and mail with the canary', async () => {
    // Sign-in failures: an unknown address, and a known account with a wrong password.
    expect((await mutate('auth.signIn', { email: `nobody.${canary}@example.org`, password: WRONG_PASSWORD })).status).toBe(401);
    expect((await mutate('auth.signIn', { email: `staff.${canary}@zweck.test`, password: WRONG_PASSWORD })).status).toBe(401);
    // A successful sign-in: the session cookie's value is a secret from here on.
    const signedIn = await mutate('auth.signIn', { email: `staff.${canary}@zweck.test`, password: STAFF_PASSWORD });
    expect(signedIn.status, signedIn.text).toBe(200);
    const setCookie = signedIn.response.headers.getSetCookie().find((c) => c.startsWith('__Host-zweck_session='));
    const session = /^__Host-zweck_session=([^;]+)/.exec(setCookie ?? '')?.[1];
    expect(session).toBeDefined();
    secrets.set('session token', session!);
    cookie = `__Host-zweck_session=${session}`;
    expect((await call('GET', '/trpc/auth.me')).text).toContain(`${CANARY} Staff`);

    // A contact with the canary in every field, and newsletter consent: the worker mails a welcome.
    const person = `${canary}.person@example.org`;
    const created = await mutate('contacts.create', {
      email: person,
      firstName: CANARY,
      lastName: `${CANARY}sen`,
      phone: `+49 ${PHONE_DIGITS}`,
      organization: `${CANARY} Werft GmbH`,
      attributes: { notes: `Met ${CANARY} at the trade fair, asked about the pilot` },
      consent: newsletterConsent({ source: `Fair stand of ${CANARY}` }),
    });
    expect(created.status, created.text).toBe(200);
    const contactId = created.json().result.data.id as string;
    // Correcting the record: a marketer gives the reason first (need-to-know), then updates it.
    expect((await mutate('contacts.open', { id: contactId, reason: 'correction' })).status).toBe(200);
    const updated = await mutate('contacts.update', {
      id: contactId,
      values: {
        email: person,
        firstName: `${CANARY}a`,
        lastName: `${CANARY}sen`,
        phone: `+49 ${PHONE_DIGITS}`,
        organization: `${CANARY} Werft AG`,
        attributes: { notes: `Called ${CANARY} back about the pilot` },
      },
    });
    expect(updated.status, updated.text).toBe(200);
    const read = await query('contacts.get', { id: contactId });
    expect(read.status, read.text).toBe(200);
    expect(read.text).toContain(`${CANARY}a`);

    // Bad input that is refused, with the canary inside the invalid address.
    expect((await mutate('contacts.create', { email: `${canary}-at-example.org`, firstName: CANARY })).status).toBe(400);
    expect((await mutate('contacts.create', { email: `${canary}@@example.org`, phone: `${CANARY}-not-a-number` })).status).toBe(400);

    // Bodies that are not JSON at all (the parser's message can quote them), and a path nobody serves.
    expect((await call('POST', '/trpc/contacts.create', `{"email":"${canary}@example.org","firstName":"${CANARY}`)).status).toBe(400);
    expect((await call('POST', '/subscribe', `{"email":"${canary}@example.org",`)).status).toBe(400);
    expect((await call('GET', `/${canary}/nowhere?email=${canary}%40example.org`)).status).toBe(404);

    // An import, previewed and committed: one valid row, one refused for Art. 9 text.
    const csv = [
      CSV_HEADER,
      `${canary}.import@example.org,${CANARY},Importsen,,,,,newsletter,web_form,2026-11,en,2026-10-01T09:00:00+02:00,Website form of ${CANARY},`,
      `${canary}.health@example.org,${CANARY},Gesund,,,,Met ${CANARY} at the diabetes support group,,,,,,,legitimate_interest`,
      '',
    ].join('\n');
    const file = { format: 'csv', content: csv, source: `Fair list ${CANARY}` };
    const preview = await mutate('import.dryRun', file);
    expect(preview.status, preview.text).toBe(200);
    const report = preview.json().result.data as { fileSha256: string; summary: { create: number; reject: number } };
    expect(report.summary).toMatchObject({ create: 1, reject: 1 });
    const committed = await mutate('import.commit', { ...file, mode: 'valid_rows_only', expectedSha256: report.fileSha256 });
    expect(committed.status, committed.text).toBe(200);

    // The public privacy-request form: refused with a bad address, accepted with a good one.
    expect((await form('/privacy-request', { email: `${canary}@@invalid`, type: 'access' })).status).toBe(400);
    const dsrAddress = `${canary}.request@example.org`;
    expect((await form('/privacy-request', { email: dsrAddress, type: 'access' })).status).toBe(200);
    // The hosted subscription form (double opt-in).
    const subscriber = `${canary}.subscriber@example.org`;
    const subscribed = await call('POST', '/subscribe', { email: subscriber, purposeId: 'newsletter', wordingVersion: '2026-11' });
    expect(subscribed.status, subscribed.text).toBe(202);

    // Mails through the worker to the canary addresses; their signed links, followed, are secrets too.
    const welcome = await mailTo(person, /./);
    const unsubscribe = linkToken(welcome, 'u', 'unsubscribe token');
    const preferences = linkToken(welcome, 'preferences', 'preferences token');
    expect((await call('GET', `/u/${unsubscribe}`)).status).toBe(200);
    expect((await call('GET', `/preferences/${preferences}`)).status).toBe(200);
    expect((await form(`/u/${unsubscribe}`, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);

    const confirmation = await mailTo(subscriber, /./);
    const confirm = linkToken(confirmation, 'confirm', 'confirm token');
    expect((await call('GET', `/confirm/${confirm}`)).status).toBe(200);
    expect((await form(`/confirm/${confirm}`, {})).status).toBe(200);

    const verification = await mailTo(dsrAddress, /confirm your privacy request/i);
    const verify = linkToken(verification, 'privacy-request/verify', 'privacy request token');
    expect((await call('GET', `/privacy-request/verify/${verify}`)).status).toBe(200);
    expect((await form(`/privacy-request/verify/${verify}`, {})).status).toBe(200);

    // The confirmed subscriber's welcome (after the double opt-in) goes out too.
    await mailTo(subscriber, /^(?!.*confirm)/i);
    passed++;
  }, 240_000);

  it('no log line carries the canary, a password, the session token or a link token; the logs are not empty', async () => {
    // Stop both processes, so that every line is written (and the shutdown's lines are searched too).
    await worker.stop();
    await api.stop();
    apiLog = await api.log();
    workerLog = worker.output();
    writeFileSync(join(dir, 'worker.log'), workerLog);

    const forbidden = new Map<string, string>([
      ['canary', canary],
      ['phone digits', PHONE_DIGITS],
      ['staff password', STAFF_PASSWORD.toLowerCase()],
      ['wrong password', WRONG_PASSWORD.toLowerCase()],
      ...[...secrets].map(([label, value]) => [label, value.toLowerCase()] as [string, string]),
    ]);
    expect(forbidden.size).toBeGreaterThanOrEqual(9);
    for (const [name, text] of [
      ['API', apiLog],
      ['worker', workerLog],
    ] as const) {
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length, `${name} log is empty (${dir})`).toBeGreaterThan(20);
      const searched = lines.map((line) => ({ line, text: searchable(line) }));
      for (const [label, value] of forbidden) {
        const hits = searched.filter((l) => l.text.includes(value)).map((l) => l.line);
        expect(hits, `${name} log (${dir}) carries the ${label}`).toEqual([]);
      }
    }

    // The lines that should be there are there: request lines by route pattern, refusals, start and stop.
    const apiLines = apiLog
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const routes = new Set(apiLines.filter((l) => l.msg === 'request').map((l) => `${String(l.route)} ${String(l.status)}`));
    for (const expected of [
      '/trpc/:path 200',
      '/trpc/:path 401',
      '/trpc/:path 400',
      '/privacy-request 200',
      '/privacy-request 400',
      '/subscribe 202',
      '/u/:token 200',
      '/preferences/:token 200',
      '/confirm/:token 200',
      '/privacy-request/verify/:token 200',
    ]) {
      expect(routes, `API request lines: ${[...routes].join(', ')}`).toContain(expected);
    }
    expect(apiLog).toContain('"msg":"API listening"');
    expect(apiLog).toContain('"msg":"API stopped"');
    expect(apiLines.every((l) => l.service === 'api')).toBe(true);

    expect(workerLog).toContain('"msg":"worker started"');
    expect(workerLog).toContain('"msg":"worker stopped"');
    // Temporal's own lines go through the same logger (and its redaction): the activities that sent the mails.
    const workerLines = workerLog
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const completed = workerLines.filter((l) => l.sdk === 'temporal' && l.msg === 'Activity completed').map((l) => String(l.activityType));
    expect(completed, workerLog.slice(-3000)).toEqual(
      expect.arrayContaining(['sendWelcomeMail', 'sendConsentConfirmation', 'sendDsrVerification', 'recordDecision']),
    );
    // Their payloads are not in the log, not even base64-encoded: the SDK's trace lines show sizes only.
    expect(workerLog).toContain('"payload":"omitted"');
    passed++;
    expect(workerLines.every((l) => l.service === 'worker')).toBe(true);
  });

  it('the Temporal histories of the run carry no canary, neither at rest nor decrypted', async () => {
    const ids: string[] = [];
    for await (const wf of h.temporal.workflow.list({ query: `TaskQueue = '${h.env.TEMPORAL_TASK_QUEUE}'` })) ids.push(wf.workflowId);
    // The contact's welcome, the subscriber's welcome, the privacy request's workflow, the import's welcome.
    expect(ids.length, ids.join(', ')).toBeGreaterThanOrEqual(3);
    expect(ids.some((id) => id.startsWith('dsr:'))).toBe(true);

    let decoded = 0;
    for (const id of ids) {
      const history = await h.temporal.workflow.getHandle(id).fetchHistory();
      const payloads: Payload[] = [];
      // Every string and every byte the history holds, as stored (payloads encrypted).
      const raw = JSON.stringify(history, function (this: unknown, key, value: unknown) {
        if (value instanceof Uint8Array || (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer')) {
          return Buffer.from(value as Uint8Array).toString('latin1');
        }
        if (value && typeof value === 'object' && 'data' in value && 'metadata' in value) payloads.push(value as Payload);
        return value;
      });
      expect(raw.length).toBeGreaterThan(100);
      expect(raw.toLowerCase(), `history of ${id} at rest`).not.toContain(canary);
      expect(raw, `history of ${id} at rest`).not.toContain(PHONE_DIGITS);
      for (const payload of payloads) {
        const [plain] = await h.codec.decode([payload]).catch(() => [null]);
        if (!plain?.data) continue;
        decoded++;
        const text = Buffer.from(plain.data).toString('utf8').toLowerCase();
        expect(text, `a decrypted payload of ${id}`).not.toContain(canary);
        expect(text).not.toContain(PHONE_DIGITS);
      }
    }
    expect(decoded, 'payloads decrypted and searched').toBeGreaterThan(ids.length);
    passed++;
  });
});
