import { createHash, randomUUID } from 'node:crypto';
import { isUniqueViolation, loadFreeTextFieldKeys, type Db, type Prisma } from '@zweck/db';
import { toPurposeRule } from '@zweck/decision-facts';
import {
  checkPublishable,
  purposeIdsOfJourney,
  ZJourneyDefinition,
  type CatalogueTemplate,
  type JourneyDefinition,
  type PublishIssue,
} from '@zweck/journeys';
import { checkTemplate } from '@zweck/mail/template-render';
import { audit } from '../../audit.ts';
import type { Context, SessionUser } from '../../trpc/context.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import { journeyTriggersOnStatus } from './journey-triggers.ts';
import {
  ZCreateJourneyInput,
  ZIssuesOut,
  ZJourneyIdInput,
  ZJourneyListItem,
  ZJourneyOut,
  ZPublishOut,
  ZStatsInput,
  ZStatsOut,
  ZStatusOut,
  ZUpdateDraftInput,
  ZValidateInput,
  ZVersionOut,
  type JourneyIssueOut,
  type JourneyOut,
  type JourneyStatus,
  type StatsOut,
} from './journeys.schema.ts';

/** Marketers (and administrators) design and publish journeys; the DPO reads them and their checks. */
const WRITERS = ['admin', 'marketer'] as const;
const READERS = ['admin', 'marketer', 'dpo'] as const;

type Tx = Prisma.TransactionClient;
type Reader = Db | Tx;

const notFound = (id: string, field = 'id'): AppError => new AppError('JOURNEY_NOT_FOUND', `There is no journey ${id}.`, field);
const nameTaken = (name: string): AppError =>
  new AppError('JOURNEY_NAME_TAKEN', `name: there is already a journey called "${name}".`, 'name');

/** JSON with its object keys sorted at every level: the same definition always gives the same text and hash. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const definitionHash = (definition: JourneyDefinition): string =>
  `sha256:${createHash('sha256').update(canonicalJson(definition), 'utf8').digest('hex')}`;

/** A stored draft or version, parsed: a row the schema no longer reads is an error, not a guess. */
const parseDefinition = (json: Prisma.JsonValue): JourneyDefinition => ZJourneyDefinition.parse(json);

/** The fields a template may print (as the template editor checks them): the catalogue's, without free text. */
async function personalKeys(db: Reader): Promise<string[]> {
  const rows = await db.fieldDefinition.findMany({ where: { type: { not: 'free_text' } }, select: { key: true } });
  return rows.map((r) => r.key);
}

/**
 * Everything that stops the definition from being published: the graph's issues, the catalogue's
 * (purposes, templates with their footer, the trigger's segment) and the policy's refusals under
 * the most favourable facts. Reads only what the definition names.
 */
async function issuesOf(db: Reader, definition: JourneyDefinition, now: Date): Promise<PublishIssue[]> {
  const templateIds = [...new Set(definition.steps.flatMap((s) => (s.type === 'send' ? [s.templateId] : [])))];
  const segmentIds = definition.trigger.type === 'segment_entry' ? [definition.trigger.segmentId] : [];
  const [purposes, templates, segments, keys, freeTextKeys] = await Promise.all([
    db.purpose.findMany({
      where: { id: { in: purposeIdsOfJourney(definition) } },
      select: {
        id: true,
        name: true,
        legalBasis: true,
        channels: true,
        isDirectMarketing: true,
        balancingTest: true,
        requiresDoubleOptIn: true,
        allowsExistingCustomerException: true,
      },
    }),
    db.template.findMany({
      where: { id: { in: templateIds } },
      select: { id: true, name: true, kind: true, subject: true, html: true, text: true },
    }),
    db.segment.findMany({ where: { id: { in: segmentIds } }, select: { id: true } }),
    templateIds.length > 0 ? personalKeys(db) : Promise.resolve([]),
    loadFreeTextFieldKeys(db),
  ]);
  const catalogueTemplates: CatalogueTemplate[] = templates.map((t) => {
    const check = checkTemplate(t, { personalKeys: keys });
    return { id: t.id, name: t.name, kind: t.kind, problems: check.ok ? [] : check.problems.map((p) => p.code) };
  });
  return checkPublishable(definition, {
    purposes: purposes.map((p) => ({ ...toPurposeRule(p), name: p.name })),
    templates: catalogueTemplates,
    segmentIds: segments.map((s) => s.id),
    freeTextFieldKeys: [...freeTextKeys],
    now: now.toISOString(),
  });
}

const issuesOut = (issues: PublishIssue[]): JourneyIssueOut[] =>
  issues.map((i) => ({ code: i.code, stepId: i.stepId, field: i.field, message: i.message, article: i.article }));

/** A refusal that carries every issue, by step (`step:<id>`) or by the journey's own field. */
function notPublishable(issues: PublishIssue[]): AppError {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of issues) (fieldErrors[issue.stepId ? `step:${issue.stepId}` : (issue.field ?? 'journey')] ??= []).push(issue.message);
  return new AppError(
    'JOURNEY_NOT_PUBLISHABLE',
    `The journey cannot be published: ${issues.length === 1 ? 'one issue' : `${issues.length} issues`}. ${issues[0]!.message}`,
    'draft',
    fieldErrors,
  );
}

const versionSelect = {
  id: true,
  number: true,
  definitionHash: true,
  publishedBy: true,
  publishedAt: true,
} satisfies Prisma.JourneyVersionSelect;

async function readJourney(db: Db, id: string): Promise<JourneyOut> {
  const row = await db.journey.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      description: true,
      status: true,
      draft: true,
      createdBy: true,
      createdAt: true,
      updatedAt: true,
      versions: { select: versionSelect, orderBy: { number: 'desc' } },
    },
  });
  if (!row) throw notFound(id);
  const draft = parseDefinition(row.draft);
  const [latest] = row.versions;
  return {
    ...row,
    draft,
    hasUnpublishedChanges: latest !== undefined && latest.definitionHash !== definitionHash(draft),
    issues: issuesOut(await issuesOf(db, draft, new Date())),
  };
}

/** Locks the journey row for the transaction, so that an edit, a publish and a status change cannot interleave. */
async function lockJourney(tx: Tx, id: string): Promise<JourneyStatus | null> {
  const rows = await tx.$queryRaw<
    { status: JourneyStatus }[]
  >`SELECT status::text AS status FROM journey WHERE id = ${id}::uuid FOR UPDATE`;
  return rows[0]?.status ?? null;
}

const STATUS_CHANGES = {
  pause: { from: ['active'], to: 'paused', refusal: 'Only an active journey can be paused.' },
  resume: { from: ['paused'], to: 'active', refusal: 'Only a paused journey can be resumed.' },
  archive: { from: ['draft', 'active', 'paused'], to: 'archived', refusal: 'This journey is archived already.' },
} as const satisfies Record<string, { from: readonly JourneyStatus[]; to: JourneyStatus; refusal: string }>;

/**
 * Pause: no new enrolments, running ones continue. Resume: enrolments again. Archive: for good;
 * running enrolments finish their version. The triggers follow the status after the commit.
 */
async function changeStatus(
  ctx: Context & { user: SessionUser },
  id: string,
  change: keyof typeof STATUS_CHANGES,
): Promise<{ status: JourneyStatus }> {
  const rule = STATUS_CHANGES[change];
  const before = await ctx.db.$transaction(async (tx) => {
    const status = await lockJourney(tx, id);
    if (status === null) throw notFound(id);
    if (!(rule.from as readonly JourneyStatus[]).includes(status)) {
      throw new AppError('JOURNEY_STATUS_CONFLICT', `${rule.refusal} This one is ${status}.`, 'id');
    }
    await tx.journey.update({ where: { id }, data: { status: rule.to } });
    await audit(tx, {
      actor: `user:${ctx.user.id}`,
      action: `journey.${change}`,
      entityType: 'journey',
      entityId: id,
      details: { statusBefore: status, statusAfter: rule.to },
    });
    return status;
  });
  await journeyTriggersOnStatus(ctx, id, before, rule.to);
  return { status: rule.to };
}

async function statsOf(db: Db, journeyId: string, versionId: string | undefined): Promise<StatsOut> {
  const versions = await db.journeyVersion.findMany({
    where: { journeyId, ...(versionId ? { id: versionId } : {}) },
    select: { id: true, number: true },
    orderBy: { number: 'desc' },
  });
  if (versionId && versions.length === 0) throw new AppError('JOURNEY_VERSION_NOT_FOUND', 'This journey has no such version.', 'versionId');
  const ids = versions.map((v) => v.id);
  // Two GROUP BYs in the database over the (version, status, step) index; never a row per contact here.
  const [atStep, exits] = await Promise.all([
    db.journeyEnrollment.groupBy({
      by: ['journeyVersionId', 'currentStepId'],
      where: { journeyVersionId: { in: ids }, status: 'active' },
      _count: { _all: true },
    }),
    db.journeyEnrollment.groupBy({
      by: ['journeyVersionId', 'exitStepId', 'exitReason'],
      where: { journeyVersionId: { in: ids }, status: 'exited' },
      _count: { _all: true },
    }),
  ]);
  return {
    versions: versions.map((v) => {
      const here = atStep.filter((g) => g.journeyVersionId === v.id).map((g) => ({ stepId: g.currentStepId, count: g._count._all }));
      const gone = exits
        .filter((g) => g.journeyVersionId === v.id)
        .map((g) => ({ stepId: g.exitStepId, reason: g.exitReason, count: g._count._all }))
        .sort((a, b) => b.count - a.count);
      return {
        versionId: v.id,
        number: v.number,
        active: here.reduce((sum, g) => sum + g.count, 0),
        exited: gone.reduce((sum, g) => sum + g.count, 0),
        atStep: here,
        exits: gone,
      };
    }),
  };
}

/** The draft a new journey starts with: its purpose and trigger, and one exit step to build from. */
const starterDraft = (input: { purposeId: string; trigger: JourneyDefinition['trigger'] }): JourneyDefinition => ({
  version: 1,
  purposeId: input.purposeId,
  trigger: input.trigger,
  entryStepId: 'end',
  steps: [{ id: 'end', label: 'End', type: 'exit', position: { x: 0, y: 0 } }],
  exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: null },
  allowReentry: false,
});

/** What the audit log keeps of a draft: its shape, never its content (labels are the marketer's words). */
const draftFacts = (draft: JourneyDefinition) => ({
  purposeId: draft.purposeId,
  trigger: draft.trigger.type,
  steps: draft.steps.length,
  hash: definitionHash(draft),
});

export const journeysRouter = router({
  list: procedureFor(...READERS)
    .output(ZJourneyListItem.array())
    .query(async ({ ctx }) => {
      const rows = await ctx.db.journey.findMany({
        select: {
          id: true,
          name: true,
          description: true,
          status: true,
          draft: true,
          createdAt: true,
          updatedAt: true,
          versions: { select: { number: true, publishedAt: true }, orderBy: { number: 'desc' }, take: 1 },
        },
        orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
        take: 500,
      });
      const active = await ctx.db.journeyEnrollment.groupBy({
        by: ['journeyId'],
        where: { journeyId: { in: rows.map((r) => r.id) }, status: 'active' },
        _count: { _all: true },
      });
      const activeBy = new Map(active.map((g) => [g.journeyId, g._count._all]));
      return rows.map(({ draft, versions, ...row }) => {
        const parsed = ZJourneyDefinition.safeParse(draft);
        return {
          ...row,
          purposeId: parsed.success ? parsed.data.purposeId : '',
          triggerType: parsed.success ? parsed.data.trigger.type : '',
          latestVersion: versions[0] ?? null,
          activeEnrollments: activeBy.get(row.id) ?? 0,
        };
      });
    }),

  get: procedureFor(...READERS)
    .input(ZJourneyIdInput)
    .output(ZJourneyOut)
    .query(({ ctx, input }) => readJourney(ctx.db, input.id)),

  create: procedureFor(...WRITERS)
    .input(ZCreateJourneyInput)
    .output(ZJourneyOut)
    .mutation(async ({ ctx, input }) => {
      const purpose = await ctx.db.purpose.findUnique({ where: { id: input.purposeId }, select: { id: true } });
      if (!purpose) throw new AppError('PURPOSE_NOT_FOUND', `There is no purpose "${input.purposeId}" in the catalogue.`, 'purposeId');
      const id = randomUUID();
      const draft = starterDraft(input);
      try {
        await ctx.db.$transaction(async (tx) => {
          await tx.journey.create({
            data: { id, name: input.name, description: input.description, draft, status: 'draft', createdBy: `user:${ctx.user.id}` },
          });
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'journey.create',
            entityType: 'journey',
            entityId: id,
            details: draftFacts(draft),
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(input.name);
        throw error;
      }
      return readJourney(ctx.db, id);
    }),

  /**
   * Saves the designer's draft. A published journey keeps its versions untouched: only the draft
   * changes, until it is published as the next version. Returns what still stops publishing.
   */
  updateDraft: procedureFor(...WRITERS)
    .input(ZUpdateDraftInput)
    .output(ZIssuesOut)
    .mutation(async ({ ctx, input }) => {
      try {
        await ctx.db.$transaction(async (tx) => {
          const status = await lockJourney(tx, input.id);
          if (status === null) throw notFound(input.id);
          if (status === 'archived') throw new AppError('JOURNEY_ARCHIVED', 'This journey is archived; it can no longer be changed.', 'id');
          await tx.journey.update({
            where: { id: input.id },
            data: {
              draft: input.draft,
              ...(input.name !== undefined ? { name: input.name } : {}),
              ...(input.description !== undefined ? { description: input.description } : {}),
            },
          });
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'journey.update_draft',
            entityType: 'journey',
            entityId: input.id,
            details: draftFacts(input.draft),
          });
        });
      } catch (error) {
        if (isUniqueViolation(error) && input.name !== undefined) throw nameTaken(input.name);
        throw error;
      }
      return { issues: issuesOut(await issuesOf(ctx.db, input.draft, new Date())) };
    }),

  /**
   * The designer's check of a definition not saved yet: the same list publishing would refuse with.
   * Writes nothing; a mutation only so that the definition travels in the request body (POST), not
   * in a URL that a journey of a hundred steps would make too long.
   */
  validate: procedureFor(...READERS)
    .input(ZValidateInput)
    .output(ZIssuesOut)
    .mutation(async ({ ctx, input }) => ({ issues: issuesOut(await issuesOf(ctx.db, input.definition, new Date())) })),

  /**
   * Freezes the draft into version N+1 (with its SHA-256) and makes the journey active, in one
   * transaction; refused with every issue while any remains. Enrolled contacts keep their version.
   */
  publish: procedureFor(...WRITERS)
    .input(ZJourneyIdInput)
    .output(ZPublishOut)
    .mutation(async ({ ctx, input }) => {
      const { version, before } = await ctx.db.$transaction(
        async (tx) => {
          const status = await lockJourney(tx, input.id);
          if (status === null) throw notFound(input.id);
          if (status === 'archived')
            throw new AppError('JOURNEY_ARCHIVED', 'This journey is archived; it can no longer be published.', 'id');
          const row = await tx.journey.findUniqueOrThrow({ where: { id: input.id }, select: { draft: true } });
          const draft = parseDefinition(row.draft);
          const issues = await issuesOf(tx, draft, new Date());
          if (issues.length > 0) throw notPublishable(issues);
          const latest = await tx.journeyVersion.findFirst({
            where: { journeyId: input.id },
            orderBy: { number: 'desc' },
            select: { number: true },
          });
          const created = await tx.journeyVersion.create({
            data: {
              id: randomUUID(),
              journeyId: input.id,
              number: (latest?.number ?? 0) + 1,
              definition: draft,
              definitionHash: definitionHash(draft),
              publishedBy: `user:${ctx.user.id}`,
            },
            select: versionSelect,
          });
          await tx.journey.update({ where: { id: input.id }, data: { status: 'active' } });
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'journey.publish',
            entityType: 'journey',
            entityId: input.id,
            details: { versionId: created.id, number: created.number, hash: created.definitionHash, statusBefore: status },
          });
          return { version: created, before: status };
        },
        { timeout: 20_000 },
      );
      await journeyTriggersOnStatus(ctx, input.id, before, 'active');
      return { version };
    }),

  pause: procedureFor(...WRITERS)
    .input(ZJourneyIdInput)
    .output(ZStatusOut)
    .mutation(({ ctx, input }) => changeStatus(ctx, input.id, 'pause')),

  resume: procedureFor(...WRITERS)
    .input(ZJourneyIdInput)
    .output(ZStatusOut)
    .mutation(({ ctx, input }) => changeStatus(ctx, input.id, 'resume')),

  archive: procedureFor(...WRITERS)
    .input(ZJourneyIdInput)
    .output(ZStatusOut)
    .mutation(({ ctx, input }) => changeStatus(ctx, input.id, 'archive')),

  /** Every published version with its definition, newest first. */
  versions: procedureFor(...READERS)
    .input(ZJourneyIdInput)
    .output(ZVersionOut.array())
    .query(async ({ ctx, input }) => {
      const journey = await ctx.db.journey.findUnique({ where: { id: input.id }, select: { id: true } });
      if (!journey) throw notFound(input.id);
      const rows = await ctx.db.journeyVersion.findMany({
        where: { journeyId: input.id },
        select: { ...versionSelect, definition: true },
        orderBy: { number: 'desc' },
      });
      return rows.map((r) => ({ ...r, definition: parseDefinition(r.definition) }));
    }),

  /** Per version: contacts standing at each step now, and where and why the others left. */
  stats: procedureFor(...READERS)
    .input(ZStatsInput)
    .output(ZStatsOut)
    .query(async ({ ctx, input }) => {
      const journey = await ctx.db.journey.findUnique({ where: { id: input.journeyId }, select: { id: true } });
      if (!journey) throw notFound(input.journeyId, 'journeyId');
      return statsOf(ctx.db, input.journeyId, input.versionId);
    }),
});
