import { Prisma } from '@zweck/db';
import { z } from 'zod';
import { procedureFor, router } from '../../trpc/init.ts';
import { consentTrend, ZConsentTrendWeek } from './consent-trend.ts';

const DAY_MS = 86_400_000;

const ZDeadline = z.object({
  kind: z.enum(['review', 'request', 'retention_run', 'art14']),
  id: z.string(),
  /** What is due, without personal data: a review's title, a request's type, a count of notices. */
  label: z.string(),
  dueAt: z.string(),
  href: z.string(),
});

const ZOpenRequest = z.object({
  id: z.string(),
  type: z.string(),
  status: z.string(),
  receivedAt: z.string(),
  dueAt: z.string(),
  extended: z.boolean(),
  /** Whole days left until the due date; negative when overdue. */
  daysLeft: z.number().int(),
});

const ZOverdueReview = z.object({
  id: z.string(),
  title: z.string(),
  dueOn: z.string(),
  daysOverdue: z.number().int(),
  escalated: z.boolean(),
});

const ZOverview = z.object({
  generatedAt: z.string(),
  counts: z.object({
    openRequests: z.number().int(),
    overdueRequests: z.number().int(),
    overdueReviews: z.number().int(),
    pendingRetentionRuns: z.number().int(),
    openArt14Duties: z.number().int(),
    unreadNotices: z.number().int(),
  }),
  deadlinesThisWeek: z.array(ZDeadline),
  openRequests: z.array(ZOpenRequest),
  overdueReviews: z.array(ZOverdueReview),
  consentTrend: z.array(ZConsentTrendWeek),
});
export type PrivacyOverview = z.infer<typeof ZOverview>;

const count = (rows: { n: bigint }[]): number => Number(rows[0]?.n ?? 0);
const iso = (d: Date): string => d.toISOString();
/** A review's date is a calendar day; it is due at the start of that day (UTC). */
const dayIso = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The DPO's overview: what is due this week across reviews, requests, retention runs and Art. 14
 * notices; the open requests with their countdown; overdue reviews; the consent ledger's trend.
 * One round of read-only queries in one snapshot (REPEATABLE READ), so the counts agree.
 */
export const privacyOverviewRouter = router({
  summary: procedureFor('dpo', 'admin')
    .input(
      z
        .object({ purposeId: z.string().min(1).max(100).nullable().default(null), weeks: z.number().int().min(4).max(52).default(12) })
        .default({ purposeId: null, weeks: 12 }),
    )
    .output(ZOverview)
    .query(async ({ ctx, input }) => {
      const now = new Date();
      const weekEnd = new Date(now.getTime() + 7 * DAY_MS);
      return ctx.db.$transaction(
        async (tx) => {
          const reviewsDue = await tx.$queryRaw<{ id: string; title: string; due: Date }[]>`
            SELECT id::text, title, coalesce(snoozed_until, due_on)::timestamp AT TIME ZONE 'UTC' AS due
              FROM review
             WHERE status <> 'done'
               AND coalesce(snoozed_until, due_on) >= (${now}::timestamptz AT TIME ZONE 'UTC')::date
               AND coalesce(snoozed_until, due_on) < (${weekEnd}::timestamptz AT TIME ZONE 'UTC')::date
             ORDER BY due, title
             LIMIT 50`;
          const requests = await tx.$queryRaw<
            { id: string; type: string; status: string; received_at: Date; due: Date; extended: boolean }[]
          >`
            SELECT id::text, type::text, status::text, received_at, coalesce(extended_due_at, due_at) AS due,
                   extended_due_at IS NOT NULL AS extended
              FROM data_subject_request
             WHERE status NOT IN ('completed', 'rejected')
             ORDER BY due
             LIMIT 200`;
          const runs = await tx.$queryRaw<{ id: string; due_at: Date; name: string }[]>`
            SELECT r.id::text, r.due_at, p.name
              FROM retention_run r JOIN retention_policy p ON p.id = r.policy_id
             WHERE r.status = 'pending_approval'
             ORDER BY r.due_at
             LIMIT 50`;
          const art14 = await tx.$queryRaw<{ day: Date; n: bigint }[]>`
            SELECT date_trunc('day', due_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, count(*) AS n
              FROM art14_duty
             WHERE status = 'open' AND due_at < ${weekEnd}
             GROUP BY 1 ORDER BY 1`;
          const overdue = await tx.$queryRaw<{ id: string; title: string; due: Date; escalated: boolean }[]>`
            SELECT id::text, title, coalesce(snoozed_until, due_on)::timestamp AT TIME ZONE 'UTC' AS due,
                   escalated_at IS NOT NULL AS escalated
              FROM review
             WHERE status <> 'done'
               AND coalesce(snoozed_until, due_on) < (${now}::timestamptz AT TIME ZONE 'UTC')::date
             ORDER BY due
             LIMIT 100`;
          const overdueReviews = count(
            await tx.$queryRaw<{ n: bigint }[]>`
              SELECT count(*) AS n FROM review
               WHERE status <> 'done' AND coalesce(snoozed_until, due_on) < (${now}::timestamptz AT TIME ZONE 'UTC')::date`,
          );
          const openArt14Duties = count(await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM art14_duty WHERE status = 'open'`);
          const pendingRetentionRuns = count(
            await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM retention_run WHERE status = 'pending_approval'`,
          );
          const [requestCounts] = await tx.$queryRaw<{ open: bigint; overdue: bigint }[]>`
            SELECT count(*) AS open, count(*) FILTER (WHERE coalesce(extended_due_at, due_at) < ${now}) AS overdue
              FROM data_subject_request WHERE status NOT IN ('completed', 'rejected')`;
          const unreadNotices = count(await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM dpo_notice WHERE read_at IS NULL`);
          const trend = await consentTrend(tx, { now, weeks: input.weeks, purposeId: input.purposeId });

          const openRequests = requests.map((r) => ({
            id: r.id,
            type: r.type,
            status: r.status,
            receivedAt: iso(r.received_at),
            dueAt: iso(r.due),
            extended: r.extended,
            daysLeft: Math.floor((r.due.getTime() - now.getTime()) / DAY_MS),
          }));
          const deadlinesThisWeek = [
            ...reviewsDue.map((r) => ({
              kind: 'review' as const,
              id: r.id,
              label: r.title,
              dueAt: iso(r.due),
              href: `/privacy/reviews/${r.id}`,
            })),
            ...requests
              .filter((r) => r.due.getTime() >= now.getTime() && r.due.getTime() < weekEnd.getTime())
              .map((r) => ({ kind: 'request' as const, id: r.id, label: r.type, dueAt: iso(r.due), href: `/privacy/requests/${r.id}` })),
            ...runs
              .filter((r) => r.due_at.getTime() < weekEnd.getTime())
              .map((r) => ({
                kind: 'retention_run' as const,
                id: r.id,
                label: r.name,
                dueAt: iso(r.due_at),
                href: `/privacy/retention/runs/${r.id}`,
              })),
            ...art14.map((d) => ({
              kind: 'art14' as const,
              id: dayIso(d.day),
              label: `${Number(d.n)} notice${Number(d.n) === 1 ? '' : 's'}`,
              dueAt: iso(d.day),
              href: '/privacy/art14',
            })),
          ].sort((a, b) => a.dueAt.localeCompare(b.dueAt));

          return {
            generatedAt: iso(now),
            counts: {
              openRequests: Number(requestCounts?.open ?? 0),
              overdueRequests: Number(requestCounts?.overdue ?? 0),
              overdueReviews,
              pendingRetentionRuns,
              openArt14Duties,
              unreadNotices,
            },
            deadlinesThisWeek,
            openRequests,
            overdueReviews: overdue.map((r) => ({
              id: r.id,
              title: r.title,
              dueOn: dayIso(r.due),
              daysOverdue: Math.floor((now.getTime() - r.due.getTime()) / DAY_MS),
              escalated: r.escalated,
            })),
            consentTrend: trend,
          };
        },
        { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
      );
    }),
});
