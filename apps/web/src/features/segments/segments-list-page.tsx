import { Link } from 'react-router';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { formatCount } from './preview-summary.ts';
import { useSegments } from './use-segments.ts';

export function SegmentsListPage() {
  const user = useSessionUser();
  const canEdit = can(user.role, 'segments.edit');
  const segments = useSegments();

  return (
    <>
      <title>Segments · Zweck</title>
      <PageHeader
        title="Segments"
        subtitle="Saved audiences: contacts filtered by their fields, lifecycle stage, interactions and consent. Who a campaign may actually reach is decided per contact, at send time, by the policy."
        actions={
          canEdit ? (
            <Link className="button button-primary" to="/segments/new">
              New segment
            </Link>
          ) : null
        }
      />
      {!canEdit ? <p className="muted small catalogue-readonly">Read only: marketers and administrators build segments.</p> : null}
      {segments.isPending ? (
        <Loading label="Loading the segments…" />
      ) : segments.isError ? (
        <ErrorNotice title="The segments could not be loaded" error={segments.error} onRetry={() => void segments.refetch()} />
      ) : (
        <DataTable
          columns={[
            'Segment',
            { label: 'Members', className: 'numeric', title: 'Contacts matching the conditions now (erased contacts never count)' },
            { label: 'Campaigns', className: 'numeric' },
            'Updated',
          ]}
          rows={segments.data}
          caption="Segments"
          empty={
            <EmptyState title="No segments yet.">
              {canEdit ? (
                <p>
                  <Link to="/segments/new">Build the first segment</Link>
                </p>
              ) : null}
            </EmptyState>
          }
        >
          {(segment) => (
            <tr key={segment.id}>
              <td>
                <Link to={`/segments/${segment.id}`} className="row-link">
                  {segment.name}
                </Link>
                {segment.description ? <span className="muted small block">{segment.description}</span> : null}
              </td>
              <td className="numeric">{formatCount(segment.memberCount)}</td>
              <td className="numeric">{segment.campaignCount}</td>
              <td className="nowrap">
                <Time value={segment.updatedAt} />
              </td>
            </tr>
          )}
        </DataTable>
      )}
    </>
  );
}
