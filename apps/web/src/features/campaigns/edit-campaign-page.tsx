import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { Loading, Notice } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import { trpc } from '../../lib/trpc.ts';
import { toCampaignForm } from './campaign-form.schema.ts';
import { CampaignForm } from './campaign-form.tsx';

/** A draft's settings; once started, a campaign keeps what its workflow read. */
export function EditCampaignPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const campaign = useQuery({ ...trpc.campaigns.get.queryOptions({ id }), staleTime: 0 });

  if (campaign.isPending) return <Loading label="Loading the campaign…" />;
  if (campaign.isError) {
    return (
      <RecordLoadError
        noun="Campaign"
        error={campaign.error}
        notFoundCode="CAMPAIGN_NOT_FOUND"
        back={<Link to="/campaigns">Back to campaigns</Link>}
        onRetry={() => void campaign.refetch()}
      />
    );
  }
  const draft = campaign.data;
  return (
    <>
      <title>{`Edit ${draft.name} · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/campaigns">Campaigns</Link> <span aria-hidden="true">/</span> <Link to={`/campaigns/${draft.id}`}>{draft.name}</Link>{' '}
        <span aria-hidden="true">/</span> <span aria-current="page">Edit</span>
      </nav>
      <PageHeader title={`Edit ${draft.name}`} />
      {draft.status !== 'draft' ? (
        <Notice tone="warning" title="This campaign has been started">
          <p>Only a draft can be changed. </p>
          <p>
            <Link to={`/campaigns/${draft.id}`}>Back to the campaign</Link>
          </p>
        </Notice>
      ) : (
        <div className="form-card">
          <CampaignForm
            key={draft.id}
            campaign={draft}
            initial={toCampaignForm(draft)}
            onSaved={(saved) => navigate(`/campaigns/${saved.id}`)}
            onCancel={() => void navigate(`/campaigns/${draft.id}`)}
          />
        </div>
      )}
    </>
  );
}
