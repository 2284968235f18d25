import { useQuery } from '@tanstack/react-query';
import { TRANSFER_MECHANISM_LABELS } from '@zweck/policy';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Loading, Notice } from '../../../components/feedback.tsx';
import { PageHeader, Section } from '../../../components/page-header.tsx';
import { RecordLoadError } from '../../../components/record-load-error.tsx';
import { Time } from '../../../components/time.tsx';
import { trpc } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { CATEGORY_LABELS } from '../../catalogue/catalogue.schema.ts';
import { purposeName, usePurposes } from '../../purposes/use-purposes.ts';
import { PrivacyNav } from '../privacy-nav.tsx';
import { NEW_PROCESSOR, toProcessorForm, type Processor } from './processor-form.schema.ts';
import { ProcessorForm } from './processor-form.tsx';

const breadcrumb = (current: string) => (
  <nav aria-label="Breadcrumb" className="breadcrumb">
    <Link to="/privacy/processors">Processors</Link> <span aria-hidden="true">/</span> <span aria-current="page">{current}</span>
  </nav>
);

export function NewProcessorPage() {
  const navigate = useNavigate();
  return (
    <>
      <title>New processor · Privacy · Zweck</title>
      {breadcrumb('New processor')}
      <PageHeader title="New processor" subtitle="Register a processor once its contract under Art. 28(3) GDPR is signed." />
      <PrivacyNav />
      <ProcessorForm
        id={null}
        initial={NEW_PROCESSOR}
        onSaved={(saved) => navigate(`/privacy/processors/${saved.id}`, { state: { saved: true } })}
        onCancel={() => void navigate('/privacy/processors')}
      />
    </>
  );
}

export function ProcessorPage() {
  const { id = '' } = useParams();
  const processor = useQuery({ ...trpc.processors.get.queryOptions({ id }), staleTime: 0 });
  if (processor.isPending) return <Loading label="Loading the processor…" />;
  if (processor.isError) {
    return (
      <RecordLoadError
        noun="Processor"
        error={processor.error}
        notFoundCode="PROCESSOR_NOT_FOUND"
        back={<Link to="/privacy/processors">Back to the processors</Link>}
        onRetry={() => void processor.refetch()}
      />
    );
  }
  return <ProcessorView key={processor.data.id} processor={processor.data} />;
}

function ProcessorView({ processor }: { processor: Processor }) {
  const user = useSessionUser();
  const canManage = can(user.role, 'privacy.manage');
  const purposes = usePurposes();
  const location = useLocation();
  // Just created: the new page says so.
  const [saved, setSaved] = useState(Boolean((location.state as { saved?: boolean } | null)?.saved));
  const [formKey, setFormKey] = useState(0);

  return (
    <>
      <title>{`${processor.name} · Processors · Zweck`}</title>
      {breadcrumb(processor.name)}
      <PageHeader
        title={processor.name}
        subtitle={processor.service}
        meta={
          <dl className="inline-facts">
            <div>
              <dt>Country</dt>
              <dd>
                {processor.countryName} ({processor.country})
              </dd>
            </div>
            <div>
              <dt>Transfer</dt>
              <dd>{TRANSFER_MECHANISM_LABELS[processor.transferMechanism]}</dd>
            </div>
            <div>
              <dt>Contract</dt>
              <dd>{processor.contractSignedOn}</dd>
            </div>
            <div>
              <dt>Next review</dt>
              <dd>{processor.reviewOn ?? 'None'}</dd>
            </div>
            <div>
              <dt>Last changed</dt>
              <dd>
                <Time value={processor.updatedAt} />
              </dd>
            </div>
          </dl>
        }
      />
      <PrivacyNav />
      <Section
        id="settings"
        title="Register entry"
        description={canManage ? 'What the records of processing say about this processor.' : 'Read only for your role.'}
      >
        {saved ? (
          <Notice tone="success" title="Processor saved">
            <p>The records of processing show the change; it is in the audit log.</p>
          </Notice>
        ) : null}
        {canManage ? (
          <ProcessorForm
            key={formKey}
            id={processor.id}
            initial={toProcessorForm(processor)}
            onSaved={() => setSaved(true)}
            onCancel={() => {
              setSaved(false);
              setFormKey((k) => k + 1);
            }}
          />
        ) : (
          <dl className="facts">
            <div>
              <dt>Notice address</dt>
              <dd>{processor.noticeEmail}</dd>
            </div>
            <div>
              <dt>Data categories</dt>
              <dd>{processor.dataCategories.map((c) => CATEGORY_LABELS[c].label).join(', ')}</dd>
            </div>
            <div>
              <dt>Purposes</dt>
              <dd>{processor.purposeIds.map((id) => purposeName(purposes.byId, id)).join(', ')}</dd>
            </div>
          </dl>
        )}
      </Section>
    </>
  );
}
