import { Link, useNavigate } from 'react-router';
import { PageHeader } from '../../components/page-header.tsx';
import { NEW_CAMPAIGN } from './campaign-form.schema.ts';
import { CampaignForm } from './campaign-form.tsx';

export function NewCampaignPage() {
  const navigate = useNavigate();
  return (
    <>
      <title>New campaign · Zweck</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/campaigns">Campaigns</Link> <span aria-hidden="true">/</span> <span aria-current="page">New campaign</span>
      </nav>
      <PageHeader
        title="New campaign"
        subtitle="Choose who (a segment), what (a template), why (the purpose, which must use the channel) and when. The draft is checked now; the policy decides for each recipient when the campaign runs."
      />
      <div className="form-card">
        <CampaignForm
          initial={NEW_CAMPAIGN}
          onSaved={(campaign) => navigate(`/campaigns/${campaign.id}`)}
          onCancel={() => void navigate('/campaigns')}
        />
      </div>
    </>
  );
}
