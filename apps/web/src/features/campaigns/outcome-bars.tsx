import { describeCounts, formatCount, OUTCOMES, shareOf, type OutcomeCounts } from './campaign-labels.ts';

/** One stacked bar of a campaign's recipients by outcome (plain CSS: no chart library needed for this). */
export function OutcomeBar({ counts, size = 'small' }: { counts: OutcomeCounts; size?: 'small' | 'large' }) {
  const text = describeCounts(counts);
  return (
    <div className={`campaign-bar campaign-bar-${size}`} role="img" aria-label={text} title={text}>
      {counts.total === 0
        ? null
        : OUTCOMES.map((outcome) =>
            counts[outcome] > 0 ? (
              <span
                key={outcome}
                className={`campaign-bar-part campaign-bar-${outcome}`}
                style={{ width: `${shareOf(counts[outcome], counts.total)}%` }}
              />
            ) : null,
          )}
    </div>
  );
}

/** Horizontal bars, one per row, each as long as its share of the largest: skipped recipients by reason. */
export function CountBar({ count, max, label }: { count: number; max: number; label: string }) {
  return (
    <div className="campaign-countbar" role="img" aria-label={`${label}: ${formatCount(count)}`}>
      <span className="campaign-countbar-fill" style={{ width: `${Math.max(2, shareOf(count, max))}%` }} />
    </div>
  );
}
