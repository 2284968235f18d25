import { Link } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { KIND_LABELS } from './template-editor.ts';
import { useTemplates } from './use-templates.ts';

export function TemplatesListPage() {
  const user = useSessionUser();
  const templates = useTemplates();
  const canEdit = can(user.role, 'templates.edit');

  return (
    <>
      <title>Templates · Zweck</title>
      <PageHeader
        title="Templates"
        subtitle="Subject, HTML and text body of the mail campaigns send. Personal values are escaped; every marketing template carries the imprint, the privacy notice, the preference center and the unsubscribe link."
        actions={
          canEdit ? (
            <Link className="button button-primary" to="/templates/new">
              New template
            </Link>
          ) : null
        }
      />
      {!canEdit ? <p className="muted small catalogue-readonly">Read only: marketers and administrators write templates.</p> : null}

      {templates.isPending ? (
        <Loading label="Loading templates…" />
      ) : templates.isError ? (
        <ErrorNotice title="Templates could not be loaded" error={templates.error} onRetry={() => void templates.refetch()} />
      ) : (
        <DataTable
          columns={['Name', 'Kind', 'Subject', { label: 'Campaigns', className: 'numeric' }, 'Changed']}
          rows={templates.data}
          caption="Templates"
          empty={
            <EmptyState title="No templates yet.">
              {canEdit ? (
                <p>
                  <Link to="/templates/new">Write the first template</Link>; the editor inserts the footer marketing mail needs.
                </p>
              ) : null}
            </EmptyState>
          }
        >
          {(template) => (
            <tr key={template.id}>
              <td>
                <Link to={`/templates/${template.id}`} className="row-link">
                  {template.name}
                </Link>
              </td>
              <td>
                <Badge tone={template.kind === 'marketing' ? 'info' : 'neutral'}>{KIND_LABELS[template.kind].label}</Badge>
              </td>
              <td className="break">{template.subject}</td>
              <td className="numeric">{template.campaignCount}</td>
              <td className="nowrap">
                <Time value={template.updatedAt} />
              </td>
            </tr>
          )}
        </DataTable>
      )}
    </>
  );
}
