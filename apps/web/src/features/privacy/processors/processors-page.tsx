import { useQuery } from '@tanstack/react-query';
import { TRANSFER_MECHANISM_LABELS } from '@zweck/policy';
import { Link } from 'react-router';
import { Badge } from '../../../components/badge.tsx';
import { DataTable } from '../../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../../components/feedback.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { trpc } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { purposeName, usePurposes } from '../../purposes/use-purposes.ts';
import { PrivacyNav } from '../privacy-nav.tsx';

/** The register of processors (Art. 28 GDPR). */
export function ProcessorsPage() {
  const user = useSessionUser();
  const canManage = can(user.role, 'privacy.manage');
  const processors = useQuery(trpc.processors.list.queryOptions());
  const purposes = usePurposes();

  return (
    <>
      <title>Processors · Privacy · Zweck</title>
      <PageHeader
        title="Processors"
        subtitle="Who processes personal data on your behalf (Art. 28 GDPR), where, on what footing a transfer outside the EU/EEA rests, and which purposes' data each one receives."
        actions={
          canManage ? (
            <Link className="button button-primary" to="/privacy/processors/new">
              New processor
            </Link>
          ) : null
        }
      />
      <PrivacyNav />
      {processors.isPending ? (
        <Loading label="Loading the processors…" />
      ) : processors.isError ? (
        <ErrorNotice title="The processors could not be loaded" error={processors.error} onRetry={() => void processors.refetch()} />
      ) : (
        <DataTable
          columns={['Processor', 'Service', 'Country', 'Transfer', 'Purposes', 'Contract', 'Next review']}
          rows={processors.data}
          caption="Processors"
          empty={<EmptyState title="No processors registered yet." />}
        >
          {(p) => (
            <tr key={p.id}>
              <td>
                <Link to={`/privacy/processors/${p.id}`} className="row-link">
                  {p.name}
                </Link>
              </td>
              <td>{p.service}</td>
              <td className="nowrap">
                {p.countryName} <span className="mono small muted">{p.country}</span>
              </td>
              <td>
                {p.isThirdCountryTransfer ? (
                  <Badge tone="warning" title="The data leaves the EU/EEA">
                    Third country
                  </Badge>
                ) : null}{' '}
                {TRANSFER_MECHANISM_LABELS[p.transferMechanism]}
              </td>
              <td>{p.purposeIds.map((id) => purposeName(purposes.byId, id)).join(', ')}</td>
              <td className="nowrap">{p.contractSignedOn}</td>
              <td className="nowrap">{p.reviewOn ?? <span className="muted">None</span>}</td>
            </tr>
          )}
        </DataTable>
      )}
    </>
  );
}
