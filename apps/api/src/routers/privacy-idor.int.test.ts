import { randomUUID } from 'node:crypto';
import { addDays, formatISO } from 'date-fns';
import { TRPCError } from '@trpc/server';
import type { Role } from '@zweck/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordArt14Duties } from '../art14/art14-duties.ts';
import { createSession, SESSION_COOKIE } from '../auth/session.ts';
import { createHttpHarness, type Harness } from '../test/harness.ts';
import { rejection } from '../test/helpers.ts';
import type { ProcedureMeta } from '../trpc/init.ts';
import { appRouter } from './index.ts';
import type { FastifyInstance } from 'fastify';

/**
 * Insecure direct object references in the DPO's registers (ASVS 5 V8.2.2, V8.3.1): another role
 * is refused before anything runs and learns nothing, not even whether an ID exists; the DPO
 * asking for an ID that does not exist, or that names a record of another kind, gets NOT_FOUND
 * with a message that quotes nothing, and nothing is written.
 */

/** The DPO's routers: every one of their procedures must be covered below. */
const DPO_ROUTERS = [
  'requests',
  'reviews',
  'retention',
  'processors',
  'art14',
  'dpoInbox',
  'subjectArchive',
  'records',
  'audit',
  'privacyOverview',
];

type Kind = 'contact' | 'processor' | 'policy' | 'hold' | 'review' | 'request' | 'duty' | 'notice' | 'run';
type Ids = Record<Kind, string>;

const day = (offsetDays: number): string => formatISO(addDays(new Date(), offsetDays), { representation: 'date' });

const processorValues = {
  name: 'Postwerk Versand GmbH',
  service: 'Delivery of e-mail',
  noticeEmail: 'datenschutz@postwerk.example',
  contractSignedOn: '2025-03-14',
  country: 'DE',
  transferMechanism: 'eu_eea' as const,
  dataCategories: ['identity' as const],
  purposeIds: ['newsletter'],
  reviewOn: null,
};
const policyValues = (name: string) => ({
  name,
  scopeKind: 'purpose' as const,
  purposeId: 'newsletter',
  dataCategory: null,
  period: 'P24M',
  anchor: 'last_interaction' as const,
  action: 'delete' as const,
  reminderLeadDays: 30,
  requiresApproval: true,
  active: true,
});
const holdValues = (contactId: string) => ({
  kind: 'litigation' as const,
  scopeKind: 'contact' as const,
  purposeId: null,
  dataCategory: null,
  contactId,
  reason: 'LG Berlin 15 O 99/26',
  startsOn: day(0),
  endsOn: null,
});

/** A procedure that addresses one record: `kind` is the kind of ID it takes, `input` a valid input around that ID. */
interface ByIdCase {
  path: string;
  kind: Kind;
  input: (id: string) => unknown;
  /** A reference inside a new record's values (refused as NOT_FOUND or as a bad field), not the record addressed. */
  isReference?: boolean;
}

const BY_ID: ByIdCase[] = [
  { path: 'requests.get', kind: 'request', input: (id) => ({ id }) },
  { path: 'requests.verify', kind: 'request', input: (id) => ({ id, identityMethod: 'in_person', contactId: null }) },
  {
    path: 'requests.extend',
    kind: 'request',
    input: (id) => ({ id, extendedDueAt: addDays(new Date(), 50).toISOString(), reason: 'The request covers many years of records.' }),
  },
  { path: 'requests.setStatus', kind: 'request', input: (id) => ({ id, status: 'in_progress' }) },
  { path: 'requests.restrict', kind: 'request', input: (id) => ({ id }) },
  { path: 'requests.object', kind: 'request', input: (id) => ({ id }) },
  { path: 'requests.rectify', kind: 'request', input: (id) => ({ id, values: { email: 'corrected@example.org' } }) },
  { path: 'requests.erase', kind: 'request', input: (id) => ({ id }) },
  { path: 'requests.checkErasure', kind: 'request', input: (id) => ({ id }) },
  {
    path: 'requests.create',
    kind: 'contact',
    isReference: true,
    input: (id) => ({ type: 'access', contactId: id, identityMethod: 'in_person' }),
  },
  { path: 'reviews.get', kind: 'review', input: (id) => ({ id }) },
  { path: 'reviews.done', kind: 'review', input: (id) => ({ id }) },
  { path: 'reviews.snooze', kind: 'review', input: (id) => ({ id, until: day(60), reason: 'Waiting for the new contract' }) },
  { path: 'reviews.update', kind: 'review', input: (id) => ({ id, title: 'Renamed review' }) },
  {
    path: 'reviews.create',
    kind: 'processor',
    isReference: true,
    input: (id) => ({ subjectType: 'processor', subjectId: id, title: 'Check the contract', dueOn: day(30) }),
  },
  { path: 'retention.getPolicy', kind: 'policy', input: (id) => ({ id }) },
  { path: 'retention.updatePolicy', kind: 'policy', input: (id) => ({ id, values: policyValues('Renamed policy') }) },
  { path: 'retention.deletePolicy', kind: 'policy', input: (id) => ({ id }) },
  { path: 'retention.checkNow', kind: 'policy', input: (id) => ({ id }) },
  {
    path: 'retention.updateHold',
    kind: 'hold',
    input: (id) => ({ id, values: { ...holdValues(randomUUID()), scopeKind: 'purpose', contactId: null, purposeId: 'newsletter' } }),
  },
  { path: 'retention.deleteHold', kind: 'hold', input: (id) => ({ id }) },
  { path: 'retention.createHold', kind: 'contact', isReference: true, input: (id) => holdValues(id) },
  { path: 'retention.getRun', kind: 'run', input: (id) => ({ id }) },
  { path: 'retention.approveRun', kind: 'run', input: (id) => ({ id }) },
  { path: 'retention.rejectRun', kind: 'run', input: (id) => ({ id, note: 'Not this time' }) },
  { path: 'processors.get', kind: 'processor', input: (id) => ({ id }) },
  { path: 'processors.update', kind: 'processor', input: (id) => ({ id, ...processorValues, name: 'Renamed processor' }) },
  {
    path: 'art14.markExempt',
    kind: 'duty',
    input: (id) => ({ id, exemption: 'already_informed', note: 'The person signed our privacy notice at the fair.' }),
  },
  { path: 'art14.markNotified', kind: 'duty', input: (id) => ({ id, method: 'letter' }) },
  { path: 'dpoInbox.markRead', kind: 'notice', input: (id) => ({ ids: [id] }) },
  { path: 'subjectArchive.produce', kind: 'contact', input: (id) => ({ contactId: id }) },
  { path: 'subjectArchive.list', kind: 'contact', input: (id) => ({ contactId: id }) },
];

/** The procedures that address no single record, with a valid input (lists, creates without a reference, documents). */
const UNADDRESSED: { path: string; input: (ids: Ids) => unknown }[] = [
  { path: 'requests.list', input: () => ({}) },
  { path: 'reviews.list', input: () => ({ view: 'all' }) },
  { path: 'retention.listPolicies', input: () => undefined },
  { path: 'retention.createPolicy', input: () => policyValues('Another policy') },
  { path: 'retention.preview', input: () => ({ ...policyValues('Preview'), name: undefined }) },
  { path: 'retention.listHolds', input: () => undefined },
  { path: 'retention.listRuns', input: () => ({}) },
  { path: 'processors.list', input: () => undefined },
  { path: 'processors.create', input: () => ({ ...processorValues, name: 'Another processor' }) },
  { path: 'art14.list', input: () => ({ status: 'open' }) },
  { path: 'dpoInbox.list', input: () => ({ filter: 'all' }) },
  { path: 'records.get', input: () => undefined },
  { path: 'records.exportCsv', input: () => undefined },
  { path: 'records.noteHtmlExport', input: () => ({ activities: 3 }) },
  { path: 'audit.list', input: (ids) => ({ entityId: ids.contact }) },
  { path: 'audit.verify', input: () => undefined },
  { path: 'privacyOverview.summary', input: () => ({ purposeId: null, weeks: 12 }) },
];

describe('IDOR: the DPO registers', () => {
  let h: Harness & { app: FastifyInstance };
  let ids: Ids;

  const call = (role: Role, path: string, input: unknown): Promise<unknown> => {
    const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], h.callerFor(role).caller) as (
      input: unknown,
    ) => Promise<unknown>;
    return fn(input);
  };

  /** Every row the tests could touch, and how many audit entries there are: equal before and after means nothing was written. */
  const snapshot = async () =>
    JSON.stringify({
      audit: await h.db.auditEvent.count(),
      contacts: await h.db.contact.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, updatedAt: true } }),
      processors: await h.db.processor.findMany({ orderBy: { id: 'asc' } }),
      policies: await h.db.retentionPolicy.findMany({ orderBy: { id: 'asc' } }),
      holds: await h.db.legalHold.findMany({ orderBy: { id: 'asc' } }),
      reviews: await h.db.review.findMany({ orderBy: { id: 'asc' } }),
      requests: await h.db.dataSubjectRequest.findMany({ orderBy: { id: 'asc' } }),
      duties: await h.db.art14Duty.findMany({ orderBy: { id: 'asc' } }),
      notices: await h.db.dpoNotice.findMany({ orderBy: { id: 'asc' } }),
      runs: await h.db.retentionRun.findMany({ orderBy: { id: 'asc' } }),
      archives: await h.db.subjectArchive.count(),
    });

  beforeAll(async () => {
    h = await createHttpHarness();
    const dpo = h.callerFor('dpo').caller;
    const contact = (await h.callerFor('admin').caller.contacts.create({ email: 'idor-subject@example.org' })).id;
    const processor = (await dpo.processors.create(processorValues)).id;
    const policy = (await dpo.retention.createPolicy(policyValues('Newsletter cleanup'))).id;
    const hold = (await dpo.retention.createHold(holdValues(contact))).id;
    const review = (await dpo.reviews.create({ subjectType: 'processor', subjectId: processor, title: 'Contract review', dueOn: day(30) }))
      .reviewId;
    const request = (await dpo.requests.create({ type: 'access', contactId: contact, identityMethod: 'in_person' })).id;
    await recordArt14Duties(h.db, [contact], { source: 'import', reference: 'idor-list', collectedAt: new Date() });
    const duty = (await h.db.art14Duty.findFirstOrThrow({ where: { contactId: contact }, select: { id: true } })).id;
    const notice = (
      await h.db.dpoNotice.create({ data: { kind: 'review_due', subjectType: 'review', subjectId: review, dedupeKey: `idor:${review}` } })
    ).id;
    const run = (
      await h.db.retentionRun.create({
        data: { id: randomUUID(), policyId: policy, status: 'pending_approval', action: 'delete', dueAt: new Date() },
      })
    ).id;
    ids = { contact, processor, policy, hold, review, request, duty, notice, run };
  });
  afterAll(async () => h?.close());

  it('covers every procedure of the DPO routers', () => {
    const dpoProcedures = Object.keys(appRouter._def.procedures).filter((path) => DPO_ROUTERS.includes(path.split('.')[0]!));
    const covered = [...BY_ID.map((c) => c.path), ...UNADDRESSED.map((c) => c.path)];
    expect(dpoProcedures.filter((p) => !covered.includes(p))).toEqual([]);
    expect(covered.filter((p) => !dpoProcedures.includes(p))).toEqual([]);
  });

  it('refuses marketers and sales with FORBIDDEN, the same answer for a real and an unknown ID, and writes nothing', async () => {
    const before = await snapshot();
    const fixtureValues = [
      'idor-subject@example.org',
      'Postwerk',
      'Newsletter cleanup',
      'Contract review',
      'LG Berlin',
      ...Object.values(ids),
    ];
    for (const role of ['marketer', 'sales'] as const) {
      for (const c of UNADDRESSED) {
        const error = await rejection(call(role, c.path, c.input(ids)));
        expect(error.code, `${c.path} as ${role}`).toBe('FORBIDDEN');
      }
      for (const c of BY_ID) {
        const real = await rejection(call(role, c.path, c.input(ids[c.kind])));
        const unknown = await rejection(call(role, c.path, c.input(randomUUID())));
        expect(real.code, `${c.path} as ${role}`).toBe('FORBIDDEN');
        // Whether the record exists is not told either.
        expect(real.message, c.path).toBe(unknown.message);
        for (const value of fixtureValues) expect(real.message).not.toContain(value);
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it('answers NOT_FOUND to the DPO (and to admins where they may read) for a random UUID or the ID of another kind of record, quoting nothing, and writes nothing', async () => {
    const before = await snapshot();
    const problems: string[] = [];
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>;
    for (const c of BY_ID) {
      const access = procedures[c.path]!._def.meta!.access;
      const callers = (['dpo', 'admin'] as const).filter((role) => 'roles' in access && access.roles.includes(role));
      const strangers = [
        randomUUID(),
        ...Object.entries(ids)
          .filter(([kind]) => kind !== c.kind)
          .map(([, id]) => id),
      ];
      for (const [role, id] of callers.flatMap((r) => strangers.map((id) => [r, id] as const))) {
        const error = await call(role, c.path, c.input(id)).then(
          () => null,
          (e: unknown) => {
            if (e instanceof TRPCError) return e;
            throw e;
          },
        );
        if (!error) {
          problems.push(`${c.path} as ${role} with ${id}: answered, as if the record were there`);
          continue;
        }
        const expected = c.isReference ? ['NOT_FOUND', 'BAD_REQUEST'] : ['NOT_FOUND'];
        if (!expected.includes(error.code)) problems.push(`${c.path} as ${role} with ${id}: ${error.code} ${error.message}`);
        if (error.message.includes(id)) problems.push(`${c.path}: the message quotes the ID: ${error.message}`);
        if (error.message.includes('idor-subject')) problems.push(`${c.path}: the message quotes personal data: ${error.message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it('answers the archive download as the procedures do: 403 for marketers and sales, 404 for an unknown contact or another kind of ID', async () => {
    const cookie = async (role: Role) => ({ [SESSION_COOKIE]: (await createSession(h.db, h.userId(role), 1)).token });
    const download = async (role: Role, id: string) =>
      h.app.inject({ method: 'GET', url: `/api/subject-archive/${id}`, cookies: await cookie(role) });
    const before = await snapshot();
    for (const role of ['marketer', 'sales'] as const) {
      const real = await download(role, ids.contact);
      const unknown = await download(role, randomUUID());
      expect(real.statusCode).toBe(403);
      expect(real.body).toBe(unknown.body);
      expect(real.body).not.toContain('idor-subject');
    }
    for (const id of [randomUUID(), ids.request, ids.review, ids.processor]) {
      const response = await download('dpo', id);
      expect(response.statusCode, id).toBe(404);
      expect(response.body).not.toContain(id);
    }
    // The sessions made for this test are the only change; no archive was produced.
    const after = JSON.parse(await snapshot()) as { audit: number; archives: number };
    const was = JSON.parse(before) as { audit: number; archives: number };
    expect(after.archives).toBe(was.archives);
    expect(after.audit).toBe(was.audit);
  });

  it('gives the DPO the records themselves (the fixtures are real)', async () => {
    const dpo = h.callerFor('dpo').caller;
    expect((await dpo.requests.get({ id: ids.request })).id).toBe(ids.request);
    expect((await dpo.reviews.get({ id: ids.review })).id).toBe(ids.review);
    expect((await dpo.retention.getPolicy({ id: ids.policy })).id).toBe(ids.policy);
    expect((await dpo.retention.getRun({ id: ids.run })).run.id).toBe(ids.run);
    expect((await dpo.processors.get({ id: ids.processor })).id).toBe(ids.processor);
  });
});
