import { Link } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { label } from '../../lib/labels.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { usePurposes } from '../purposes/use-purposes.ts';
import { CatalogueNav } from './catalogue-nav.tsx';
import { currentWordings, type Purpose } from './catalogue.schema.ts';

export function PurposesPage() {
  const user = useSessionUser();
  const purposes = usePurposes();
  const canEdit = can(user.role, 'catalogue.edit');

  return (
    <>
      <title>Purposes · Catalogue · Zweck</title>
      <PageHeader
        title="Catalogue"
        subtitle="Every processing purpose with its legal basis, channels, fields and retention, and the wording people agree to. Zweck decides from this catalogue whether processing is lawful."
        actions={
          canEdit ? (
            <Link className="button button-primary" to="/catalogue/purposes/new">
              New purpose
            </Link>
          ) : null
        }
      />
      <CatalogueNav />
      {!canEdit ? (
        <p className="muted small catalogue-readonly">Read only: the data protection officer and administrators edit the catalogue.</p>
      ) : null}

      {purposes.isPending ? (
        <Loading label="Loading the purpose catalogue…" />
      ) : purposes.isError ? (
        <ErrorNotice title="The purpose catalogue could not be loaded" error={purposes.error} onRetry={() => void purposes.refetch()} />
      ) : (
        <DataTable
          columns={[
            'Purpose',
            'Legal basis',
            'Channels',
            'Rules',
            'Retention',
            'Current wording',
            { label: 'Consents', className: 'numeric' },
          ]}
          rows={purposes.data}
          caption="Purposes"
          empty={<EmptyState title="The purpose catalogue is empty." />}
        >
          {(purpose) => (
            <tr key={purpose.id}>
              <td>
                <Link to={`/catalogue/purposes/${purpose.id}`} className="row-link">
                  {purpose.name}
                </Link>
                <span className="mono small muted block">{purpose.id}</span>
              </td>
              <td>{label(purpose.legalBasis)}</td>
              <td>{purpose.channels.map((c) => label(c)).join(', ')}</td>
              <td>
                <PurposeRuleBadges purpose={purpose} />
              </td>
              <td className="nowrap">
                {purpose.retentionMonths === null ? <span className="muted">Not set</span> : `${purpose.retentionMonths} months`}
              </td>
              <td>
                <CurrentWordings purpose={purpose} />
              </td>
              <td className="numeric">{purpose.consentEventCount}</td>
            </tr>
          )}
        </DataTable>
      )}
    </>
  );
}

export function PurposeRuleBadges({ purpose }: { purpose: Purpose }) {
  const badges = [
    purpose.isDirectMarketing ? (
      <Badge key="dm" tone="info" title="An objection ends it for good (Art. 21(2), (3) GDPR)">
        Direct marketing
      </Badge>
    ) : null,
    purpose.requiresDoubleOptIn ? (
      <Badge key="doi" tone="neutral" title={`Unconfirmed requests expire after ${purpose.doubleOptInDeadlineHours} hours`}>
        Double opt-in
      </Badge>
    ) : null,
    purpose.allowsExistingCustomerException ? (
      <Badge key="ece" tone="neutral" title="UWG § 7(3): mail about own similar products to existing customers">
        Existing customers
      </Badge>
    ) : null,
    purpose.legalBasis === 'legitimate_interest' ? (
      <Badge key="bt" tone={purpose.balancingTest ? 'success' : 'danger'}>
        {purpose.balancingTest ? 'Balancing test' : 'No balancing test'}
      </Badge>
    ) : null,
  ].filter(Boolean);
  return badges.length === 0 ? <span className="muted">—</span> : <span className="badge-row">{badges}</span>;
}

function CurrentWordings({ purpose }: { purpose: Purpose }) {
  if (purpose.legalBasis !== 'consent') return <span className="muted">No consent asked</span>;
  const current = [...currentWordings(purpose.wordings).values()];
  if (current.length === 0) return <Badge tone="warning">No wording yet</Badge>;
  return (
    <span className="nowrap">
      {current.map((w) => (
        <span key={w.language} className="block">
          <span className="mono">{w.version}</span> <span className="muted small">{w.language.toUpperCase()}</span>
        </span>
      ))}
    </span>
  );
}
