import { Link } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { label } from '../../lib/labels.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { CAMPAIGN_STATUS, describeCounts, formatCount, isActive, type CampaignListItem } from './campaign-labels.ts';
import { OutcomeBar } from './outcome-bars.tsx';
import { EngagementBars } from './engagement-bars.tsx';
import { useCampaigns } from './use-campaigns.ts';

export function CampaignsListPage() {
  const user = useSessionUser();
  const campaigns = useCampaigns();
  const canWrite = can(user.role, 'campaigns.write');
  const anyLive = campaigns.data?.some((c) => isActive(c.status)) ?? false;

  return (
    <>
      <title>Campaigns · Zweck</title>
      <PageHeader
        title="Campaigns"
        subtitle="Broadcasts to a segment under one purpose. The policy decides for every recipient right before the send; whoever it does not allow is skipped, with the reason."
        actions={
          <>
            {anyLive ? (
              <span className="live-indicator" role="status" aria-live="polite">
                <span className="pulse" aria-hidden="true" /> Updating live
              </span>
            ) : null}
            {canWrite ? (
              <Link className="button button-primary" to="/campaigns/new">
                New campaign
              </Link>
            ) : null}
          </>
        }
      />
      {!canWrite ? (
        <p className="muted small campaign-readonly">Read only: marketers and administrators compose and run campaigns.</p>
      ) : null}

      {campaigns.isPending ? (
        <Loading label="Loading the campaigns…" />
      ) : campaigns.isError ? (
        <ErrorNotice title="The campaigns could not be loaded" error={campaigns.error} onRetry={() => void campaigns.refetch()} />
      ) : (
        <DataTable
          columns={[
            'Campaign',
            'Status',
            'Results',
            { label: 'Sent', className: 'numeric' },
            { label: 'Skipped', className: 'numeric' },
            { label: 'Failed', className: 'numeric' },
            'When',
          ]}
          rows={campaigns.data}
          caption="Campaigns, newest first"
          empty={
            <EmptyState title="No campaigns yet.">
              {canWrite ? (
                <p>
                  <Link to="/campaigns/new">Compose the first one</Link>: choose a segment, a template and the purpose it serves.
                </p>
              ) : null}
            </EmptyState>
          }
        >
          {(campaign) => <CampaignRow key={campaign.id} campaign={campaign} />}
        </DataTable>
      )}
    </>
  );
}

function CampaignRow({ campaign }: { campaign: CampaignListItem }) {
  const status = CAMPAIGN_STATUS[campaign.status];
  return (
    <tr>
      <td>
        <Link to={`/campaigns/${campaign.id}`} className="row-link">
          {campaign.name}
        </Link>
        <span className="small muted block">
          {campaign.segmentName} · {campaign.templateName} · {campaign.purposeName} · {label(campaign.channel)}
        </span>
      </td>
      <td>
        <Badge tone={status.tone}>{status.label}</Badge>
      </td>
      <td className="campaign-results-cell">
        {campaign.counts.total > 0 ? (
          <>
            <OutcomeBar counts={campaign.counts} />
            <span className="small muted block campaign-bar-caption">{describeCounts(campaign.counts)}</span>
            <EngagementBars campaign={campaign} />
          </>
        ) : (
          <span className="muted small">No recipients yet</span>
        )}
      </td>
      <td className="numeric">{formatCount(campaign.counts.sent)}</td>
      <td className="numeric">{formatCount(campaign.counts.skipped)}</td>
      <td className="numeric">{formatCount(campaign.counts.failed)}</td>
      <td className="nowrap small">
        <When campaign={campaign} />
      </td>
    </tr>
  );
}

function When({ campaign }: { campaign: CampaignListItem }) {
  if (campaign.finishedAt) {
    return (
      <>
        <span className="muted">Ended</span> <Time value={campaign.finishedAt} />
      </>
    );
  }
  if (campaign.startedAt) {
    return (
      <>
        <span className="muted">Started</span> <Time value={campaign.startedAt} />
      </>
    );
  }
  if (campaign.scheduledAt) {
    return (
      <>
        <span className="muted">For</span> <Time value={campaign.scheduledAt} />
      </>
    );
  }
  return (
    <>
      <span className="muted">Created</span> <Time value={campaign.createdAt} />
    </>
  );
}
