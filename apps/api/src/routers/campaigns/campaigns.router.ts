import { randomUUID } from 'node:crypto';
import type { Db, Prisma, Role } from '@zweck/db';
import { campaignWorkflowId } from '@zweck/workflows/contracts';
import { audit } from '../../audit.ts';
import { auditDiff } from '../../audit-diff.ts';
import {
  campaignRefusal,
  campaignWorkflowExists,
  queryCampaignProgress,
  signalCampaign,
  startCampaignWorkflow,
  type CampaignSignal,
} from '../../automation.ts';
import { engagementFor } from '../../tracking/tracking.service.ts';
import type { Context, SessionUser } from '../../trpc/context.ts';
import { AppError, type AppErrorCode } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import {
  ACTIVE_STATUSES,
  ZCampaignIdInput,
  ZCampaignListItem,
  ZCampaignOut,
  ZCreateCampaignInput,
  ZListCampaignsInput,
  ZRecipientsInput,
  ZRecipientsOut,
  ZSignalOut,
  ZStartOut,
  ZUpdateCampaignInput,
  type CampaignListItem,
  type CampaignOut,
  type CampaignProgressOut,
  type CampaignStatus,
  type CampaignValues,
  type OutcomeCounts,
} from './campaigns.schema.ts';

/** Marketers (and administrators) compose and run campaigns; the DPO and sales follow them. */
const WRITERS = ['admin', 'marketer'] as const;
const READERS = ['admin', 'marketer', 'dpo', 'sales'] as const;
/** Who sees recipients' addresses: sales sees only the contacts it owns, so none of a campaign's list. */
const ADDRESS_READERS: readonly Role[] = ['admin', 'marketer', 'dpo'];

type Tx = Prisma.TransactionClient;

const campaignSelect = {
  id: true,
  name: true,
  status: true,
  channel: true,
  purposeId: true,
  segmentId: true,
  templateId: true,
  scheduledAt: true,
  throttlePerMinute: true,
  track: true,
  createdBy: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  purpose: { select: { name: true, isDirectMarketing: true } },
  segment: { select: { name: true } },
  template: { select: { name: true, kind: true } },
} satisfies Prisma.CampaignSelect;

type CampaignRow = Prisma.CampaignGetPayload<{ select: typeof campaignSelect }>;

const notFound = (id: string, field = 'id'): AppError => new AppError('CAMPAIGN_NOT_FOUND', `There is no campaign ${id}.`, field);

const emptyCounts = (): OutcomeCounts => ({ total: 0, pending: 0, sent: 0, skipped: 0, failed: 0, bounced: 0 });

/** Recipients per outcome for each campaign, from the outcome rows (one per recipient). */
async function countsFor(db: Db | Tx, campaignIds: readonly string[]): Promise<Map<string, OutcomeCounts>> {
  const counts = new Map(campaignIds.map((id) => [id, emptyCounts()]));
  if (campaignIds.length === 0) return counts;
  const groups = await db.campaignRecipient.groupBy({
    by: ['campaignId', 'outcome'],
    where: { campaignId: { in: [...campaignIds] } },
    _count: { _all: true },
  });
  for (const group of groups) {
    const entry = counts.get(group.campaignId);
    if (!entry) continue;
    entry[group.outcome] = group._count._all;
    entry.total += group._count._all;
  }
  return counts;
}

const toListItem = (row: CampaignRow, counts: OutcomeCounts, engagement = { opened: 0, clicked: 0 }): CampaignListItem => ({
  id: row.id,
  name: row.name,
  status: row.status,
  channel: row.channel,
  purposeId: row.purposeId,
  purposeName: row.purpose.name,
  segmentId: row.segmentId,
  segmentName: row.segment.name,
  templateId: row.templateId,
  templateName: row.template.name,
  scheduledAt: row.scheduledAt,
  throttlePerMinute: row.throttlePerMinute,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  startedAt: row.startedAt,
  finishedAt: row.finishedAt,
  counts,
  track: row.track,
  engagement,
});

/** Skipped recipients per reason code: one GROUP BY over the unnested codes, in the database. */
async function skippedByReason(db: Db, campaignId: string): Promise<{ code: string; count: number }[]> {
  return db.$queryRaw<{ code: string; count: number }[]>`
    SELECT code, count(*)::int AS count
    FROM campaign_recipient r CROSS JOIN LATERAL unnest(r.reason_codes) AS code
    WHERE r.campaign_id = ${campaignId}::uuid AND r.outcome = 'skipped'
    GROUP BY code
    ORDER BY count DESC, code`;
}

const isActive = (status: CampaignStatus): boolean => (ACTIVE_STATUSES as readonly string[]).includes(status);

/** The workflow's own view while it runs; a worker that does not answer leaves the page with the database's counts. */
async function liveProgress(ctx: Context, campaignId: string): Promise<CampaignProgressOut | null> {
  try {
    const progress = await queryCampaignProgress(ctx.temporal, campaignId);
    if (!progress) return null;
    return {
      status: progress.status,
      phase: progress.phase,
      totals: { ...progress.totals },
      paused: progress.paused,
      refusedFor: [...progress.refusedFor],
    };
  } catch (error) {
    ctx.log.warn({ campaignId, err: error instanceof Error ? error.name : 'unknown' }, 'campaign progress query failed');
    return null;
  }
}

async function refusal(ctx: Context, campaignId: string): Promise<string[] | null> {
  try {
    return await campaignRefusal(ctx.temporal, campaignId);
  } catch (error) {
    ctx.log.warn({ campaignId, err: error instanceof Error ? error.name : 'unknown' }, 'campaign result could not be read');
    return null;
  }
}

async function readCampaign(ctx: Context, id: string): Promise<CampaignOut> {
  const row = await ctx.db.campaign.findUnique({ where: { id }, select: campaignSelect });
  if (!row) throw notFound(id);
  const [counts, reasons, progress, refusedFor, engagement] = await Promise.all([
    countsFor(ctx.db, [id]),
    skippedByReason(ctx.db, id),
    isActive(row.status) ? liveProgress(ctx, id) : Promise.resolve(null),
    // A campaign the workflow refused is cancelled before it ever started.
    row.status === 'cancelled' && row.startedAt === null ? refusal(ctx, id) : Promise.resolve(null),
    engagementFor(ctx.db, [id]),
  ]);
  return {
    ...toListItem(row, counts.get(id) ?? emptyCounts(), engagement.get(id)),
    templateKind: row.template.kind,
    purposeIsDirectMarketing: row.purpose.isDirectMarketing,
    skippedByReason: reasons,
    progress,
    refusedFor,
  };
}

/**
 * The rules between a campaign's values, checked before anything is written; every problem is
 * named at its field at once. The workflow checks the same again when it starts (the catalogue
 * or the template may change in between).
 */
async function checkValues(db: Db | Tx, values: CampaignValues, now: Date): Promise<void> {
  const [segment, template, purpose] = await Promise.all([
    db.segment.findUnique({ where: { id: values.segmentId }, select: { id: true } }),
    db.template.findUnique({ where: { id: values.templateId }, select: { kind: true } }),
    db.purpose.findUnique({ where: { id: values.purposeId }, select: { name: true, channels: true, isDirectMarketing: true } }),
  ]);
  const problems: { code: AppErrorCode; field: keyof CampaignValues; message: string }[] = [];
  if (!segment) problems.push({ code: 'CAMPAIGN_SEGMENT_NOT_FOUND', field: 'segmentId', message: 'There is no such segment.' });
  if (!template) problems.push({ code: 'CAMPAIGN_TEMPLATE_NOT_FOUND', field: 'templateId', message: 'There is no such template.' });
  if (!purpose) {
    problems.push({
      code: 'PURPOSE_NOT_FOUND',
      field: 'purposeId',
      message: `There is no purpose "${values.purposeId}" in the catalogue.`,
    });
  } else {
    if (!purpose.channels.includes(values.channel)) {
      problems.push({
        code: 'CHANNEL_NOT_IN_PURPOSE',
        field: 'channel',
        message: `The purpose "${purpose.name}" does not use the channel ${values.channel} (Art. 5(1)(b) GDPR); it uses ${purpose.channels.join(', ')}.`,
      });
    }
    if (template && purpose.isDirectMarketing && template.kind !== 'marketing') {
      problems.push({
        code: 'CAMPAIGN_TEMPLATE_NOT_MARKETING',
        field: 'templateId',
        message: `"${purpose.name}" is direct marketing: it sends marketing templates only, which carry the unsubscribe link, the preference center, the privacy notice and the imprint.`,
      });
    }
  }
  if (values.scheduledAt && Date.parse(values.scheduledAt) <= now.getTime()) {
    problems.push({
      code: 'CAMPAIGN_SCHEDULE_IN_PAST',
      field: 'scheduledAt',
      message: 'The scheduled time has passed; choose a time ahead.',
    });
  }
  const [first] = problems;
  if (!first) return;
  const fieldErrors: Record<string, string[]> = {};
  for (const p of problems) (fieldErrors[p.field] ??= []).push(p.message);
  throw new AppError(first.code, problems.map((p) => p.message).join(' '), first.field, fieldErrors);
}

const columns = (values: CampaignValues) => ({
  name: values.name,
  segmentId: values.segmentId,
  templateId: values.templateId,
  purposeId: values.purposeId,
  channel: values.channel,
  scheduledAt: values.scheduledAt ? new Date(values.scheduledAt) : null,
  throttlePerMinute: values.throttlePerMinute ?? null,
  track: values.track ?? false,
});

/** What the audit log keeps of a campaign's settings: IDs, names of catalogue things and numbers, no personal data. */
const auditable = (c: Omit<ReturnType<typeof columns>, 'channel'> & { channel: string }) => ({
  name: c.name,
  segmentId: c.segmentId,
  templateId: c.templateId,
  purposeId: c.purposeId,
  channel: c.channel,
  scheduledAt: c.scheduledAt?.toISOString() ?? null,
  throttlePerMinute: c.throttlePerMinute,
  track: c.track,
});

/** Locks the campaign row for the transaction, so that an edit and a start cannot interleave. */
async function lockCampaign(tx: Tx, id: string): Promise<CampaignStatus | null> {
  const rows = await tx.$queryRaw<
    { status: CampaignStatus }[]
  >`SELECT status::text AS status FROM campaign WHERE id = ${id}::uuid FOR UPDATE`;
  return rows[0]?.status ?? null;
}

const SIGNAL_VERBS: Record<CampaignSignal, string> = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' };

async function signal(ctx: Context & { user: SessionUser }, id: string, which: CampaignSignal): Promise<{ status: 'signalled' }> {
  const campaign = await ctx.db.campaign.findUnique({ where: { id }, select: { status: true } });
  if (!campaign) throw notFound(id);
  const refuse = (why: string) =>
    new AppError(
      'CAMPAIGN_NOT_ACTIVE',
      `This campaign ${why}; only a scheduled, running or paused campaign can be ${SIGNAL_VERBS[which]}.`,
      'id',
    );
  if (!isActive(campaign.status)) {
    throw refuse(campaign.status === 'draft' ? 'has not been started' : `is ${campaign.status}`);
  }
  if ((await signalCampaign(ctx.temporal, id, which)) === 'no_workflow') throw refuse('has already ended');
  await audit(ctx.db, {
    actor: `user:${ctx.user.id}`,
    action: `campaign.${which}`,
    entityType: 'campaign',
    entityId: id,
    details: { workflowId: campaignWorkflowId(id), statusBefore: campaign.status },
  });
  return { status: 'signalled' };
}

export const campaignsRouter = router({
  list: procedureFor(...READERS)
    .input(ZListCampaignsInput)
    .output(ZCampaignListItem.array())
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.campaign.findMany({
        where: input.status ? { status: input.status } : {},
        select: campaignSelect,
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        take: input.limit,
      });
      const ids = rows.map((r) => r.id);
      const [counts, engagement] = await Promise.all([countsFor(ctx.db, ids), engagementFor(ctx.db, ids)]);
      return rows.map((row) => toListItem(row, counts.get(row.id) ?? emptyCounts(), engagement.get(row.id)));
    }),

  get: procedureFor(...READERS)
    .input(ZCampaignIdInput)
    .output(ZCampaignOut)
    .query(({ ctx, input }) => readCampaign(ctx, input.id)),

  /** A draft: nothing is sent until it is started. */
  create: procedureFor(...WRITERS)
    .input(ZCreateCampaignInput)
    .output(ZCampaignOut)
    .mutation(async ({ ctx, input }) => {
      await checkValues(ctx.db, input, new Date());
      const id = randomUUID();
      const data = columns(input);
      await ctx.db.$transaction(async (tx) => {
        await tx.campaign.create({ data: { id, ...data, status: 'draft', createdBy: `user:${ctx.user.id}` } });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'campaign.create',
          entityType: 'campaign',
          entityId: id,
          details: auditable(data),
        });
      });
      return readCampaign(ctx, id);
    }),

  /** Only a draft changes; once started, the workflow works from what it read. */
  update: procedureFor(...WRITERS)
    .input(ZUpdateCampaignInput)
    .output(ZCampaignOut)
    .mutation(async ({ ctx, input }) => {
      const { id, ...values } = input;
      await ctx.db.$transaction(
        async (tx) => {
          const status = await lockCampaign(tx, id);
          if (status === null) throw notFound(id);
          if (status !== 'draft' || (await campaignWorkflowExists(ctx.temporal, id))) {
            throw new AppError('CAMPAIGN_NOT_DRAFT', `This campaign has been started (${status}); only a draft can be changed.`, 'id');
          }
          await checkValues(tx, values, new Date());
          const current = await tx.campaign.findUniqueOrThrow({
            where: { id },
            select: { ...campaignSelect, purpose: false, segment: false, template: false },
          });
          const data = columns(values);
          const { changed, details } = auditDiff(auditable(current), auditable(data));
          if (changed.length === 0) return;
          await tx.campaign.update({ where: { id }, data });
          await audit(tx, { actor: `user:${ctx.user.id}`, action: 'campaign.update', entityType: 'campaign', entityId: id, details });
        },
        { timeout: 20_000 },
      );
      return readCampaign(ctx, id);
    }),

  /**
   * Starts the campaign's workflow. Idempotent: the workflow ID is the campaign's, so a double
   * click, a retry or a second user start one run, and the second start is 'already_started'.
   * The row stays locked while the workflow starts, so that no edit slips in between.
   */
  start: procedureFor(...WRITERS)
    .input(ZCampaignIdInput)
    .output(ZStartOut)
    .mutation(async ({ ctx, input }) => {
      const status = await ctx.db.$transaction(
        async (tx) => {
          const current = await lockCampaign(tx, input.id);
          if (current === null) throw notFound(input.id);
          if (current !== 'draft') return 'already_started' as const;
          const started = await startCampaignWorkflow(ctx.temporal, input.id, ctx.env.TEMPORAL_TASK_QUEUE);
          if (started === 'started') {
            await audit(tx, {
              actor: `user:${ctx.user.id}`,
              action: 'campaign.start',
              entityType: 'campaign',
              entityId: input.id,
              details: { workflowId: campaignWorkflowId(input.id) },
            });
          }
          return started;
        },
        { timeout: 20_000 },
      );
      return { status };
    }),

  pause: procedureFor(...WRITERS)
    .input(ZCampaignIdInput)
    .output(ZSignalOut)
    .mutation(({ ctx, input }) => signal(ctx, input.id, 'pause')),

  resume: procedureFor(...WRITERS)
    .input(ZCampaignIdInput)
    .output(ZSignalOut)
    .mutation(({ ctx, input }) => signal(ctx, input.id, 'resume')),

  /** Recipients not yet sent to are skipped with CAMPAIGN_CANCELLED; what was sent stays sent. */
  cancel: procedureFor(...WRITERS)
    .input(ZCampaignIdInput)
    .output(ZSignalOut)
    .mutation(({ ctx, input }) => signal(ctx, input.id, 'cancel')),

  /** One page of recipients with their outcome, in contact-ID order (keyset paging). */
  recipients: procedureFor(...READERS)
    .input(ZRecipientsInput)
    .output(ZRecipientsOut)
    .query(async ({ ctx, input }) => {
      const campaign = await ctx.db.campaign.findUnique({ where: { id: input.campaignId }, select: { id: true } });
      if (!campaign) throw notFound(input.campaignId, 'campaignId');
      const seesAddresses = ADDRESS_READERS.includes(ctx.user.role);
      const rows = await ctx.db.campaignRecipient.findMany({
        where: {
          campaignId: input.campaignId,
          ...(input.outcome ? { outcome: input.outcome } : {}),
          ...(input.cursor ? { contactId: { gt: input.cursor } } : {}),
        },
        select: {
          contactId: true,
          outcome: true,
          reasonCodes: true,
          messageId: true,
          smtpResponse: true,
          decidedAt: true,
          sentAt: true,
          contact: { select: { email: true, status: true } },
        },
        orderBy: { contactId: 'asc' },
        take: input.limit + 1,
      });
      const page = rows.slice(0, input.limit);
      return {
        items: page.map(({ contact, smtpResponse, ...row }) => ({
          ...row,
          email: seesAddresses && contact.status !== 'erased' ? contact.email : null,
          smtpResponse: seesAddresses ? smtpResponse : null,
        })),
        nextCursor: rows.length > input.limit ? (page.at(-1)?.contactId ?? null) : null,
      };
    }),
});
