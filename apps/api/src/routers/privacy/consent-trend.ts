import type { Db } from '@zweck/db';
import { z } from 'zod';

export const ZConsentTrendWeek = z.object({
  /** Monday of the ISO week, as YYYY-MM-DD (UTC). */
  week: z.string(),
  given: z.number().int(),
  withdrawn: z.number().int(),
  objected: z.number().int(),
  expired: z.number().int(),
});
export type ConsentTrendWeek = z.infer<typeof ZConsentTrendWeek>;

/**
 * Consent ledger events per ISO week (UTC) for the last `weeks` weeks, every week present (zero
 * when nothing happened) so that a chart shows a quiet week as zero, not as a gap. "Given" counts
 * grants and confirmations: a double opt-in granted and confirmed in one week is one person but
 * two ledger events, and the chart shows ledger activity, as its legend says.
 */
export async function consentTrend(
  db: Pick<Db, '$queryRaw'>,
  input: { now: Date; weeks: number; purposeId: string | null },
): Promise<ConsentTrendWeek[]> {
  const rows = await db.$queryRaw<{ week: string; given: bigint; withdrawn: bigint; objected: bigint; expired: bigint }[]>`
    WITH weeks AS (
      SELECT generate_series(
               date_trunc('week', ${input.now}::timestamptz AT TIME ZONE 'UTC') - make_interval(weeks => ${input.weeks - 1}::int),
               date_trunc('week', ${input.now}::timestamptz AT TIME ZONE 'UTC'),
               interval '1 week') AS week
    )
    SELECT to_char(w.week, 'YYYY-MM-DD') AS week,
           count(e.id) FILTER (WHERE e.kind IN ('granted', 'confirmed')) AS given,
           count(e.id) FILTER (WHERE e.kind = 'withdrawn') AS withdrawn,
           count(e.id) FILTER (WHERE e.kind = 'objected') AS objected,
           count(e.id) FILTER (WHERE e.kind = 'expired') AS expired
      FROM weeks w
      LEFT JOIN consent_event e
        ON e.occurred_at >= w.week AT TIME ZONE 'UTC'
       AND e.occurred_at < (w.week + interval '1 week') AT TIME ZONE 'UTC'
       AND e.occurred_at <= ${input.now}::timestamptz
       AND (${input.purposeId}::text IS NULL OR e.purpose_id = ${input.purposeId}::text)
     GROUP BY w.week
     ORDER BY w.week`;
  return rows.map((r) => ({
    week: r.week,
    given: Number(r.given),
    withdrawn: Number(r.withdrawn),
    objected: Number(r.objected),
    expired: Number(r.expired),
  }));
}
