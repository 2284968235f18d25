import { formatCount, shareOf, type CampaignListItem } from './campaign-labels.ts';

const KINDS = [
  { key: 'opened', label: 'Opened' },
  { key: 'clicked', label: 'Clicked' },
] as const;

/** The share of delivered messages whose recipient did it, as a whole percent (no share without a delivery). */
const percentOf = (count: number, delivered: number): string => (delivered === 0 ? '–' : `${Math.round((count / delivered) * 100)} %`);

/**
 * Opens and clicks (unique contacts) beside the delivered messages, as two plain CSS bars like the
 * other campaign charts. Counted only for recipients whose consent covered tracking, which the
 * caption says, so that a low rate is not misread.
 */
export function EngagementBars({
  campaign,
  size = 'small',
}: {
  campaign: Pick<CampaignListItem, 'track' | 'engagement' | 'counts'>;
  size?: 'small' | 'large';
}) {
  if (!campaign.track) return size === 'large' ? <p className="muted small">Opens and clicks are not tracked for this campaign.</p> : null;
  const delivered = campaign.counts.sent;
  return (
    <div className={`campaign-engagement campaign-engagement-${size}`}>
      {KINDS.map(({ key, label }) => {
        const count = campaign.engagement[key];
        const text = `${label}: ${formatCount(count)} of ${formatCount(delivered)} delivered (${percentOf(count, delivered)})`;
        return (
          <div key={key} className="campaign-engagement-row" title={text}>
            <span className="campaign-engagement-label small">
              {label} {formatCount(count)} <span className="muted">({percentOf(count, delivered)})</span>
            </span>
            <div className="campaign-countbar" role="img" aria-label={text}>
              <span
                className={`campaign-countbar-fill campaign-engagement-${key}`}
                style={{ width: `${count === 0 ? 0 : Math.max(2, shareOf(count, delivered))}%` }}
              />
            </div>
          </div>
        );
      })}
      {size === 'large' ? (
        <p className="muted small">
          Unique contacts, among recipients whose consent covers open and click measurement; the others are not tracked.
        </p>
      ) : null}
    </div>
  );
}
