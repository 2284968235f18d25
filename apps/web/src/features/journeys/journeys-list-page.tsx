import { Link } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { purposeName, usePurposes } from '../purposes/use-purposes.ts';
import { JOURNEY_STATUS, type JourneyListItem } from './journey-labels.ts';
import { useJourneys } from './use-journeys.ts';

const TRIGGER_WORDS: Record<string, string> = {
  segment_entry: 'Entering a segment',
  form_submitted: 'Confirming a form',
  event: 'An API event',
};

export function JourneysListPage() {
  const user = useSessionUser();
  const journeys = useJourneys();
  const purposes = usePurposes();
  const canWrite = can(user.role, 'journeys.write');

  return (
    <>
      <title>Journeys · Zweck</title>
      <PageHeader
        title="Journeys"
        subtitle="Nurture journeys: each contact who enters runs the published version step by step. A journey is published only when every step that sends, tracks, scores or hands off rests on a purpose whose legal basis covers it."
        actions={
          canWrite ? (
            <Link className="button button-primary" to="/journeys/new">
              New journey
            </Link>
          ) : null
        }
      />
      {!canWrite ? <p className="muted small">Read only: marketers and administrators design and publish journeys.</p> : null}
      {journeys.isPending ? (
        <Loading label="Loading the journeys…" />
      ) : journeys.isError ? (
        <ErrorNotice title="The journeys could not be loaded" error={journeys.error} onRetry={() => void journeys.refetch()} />
      ) : (
        <DataTable
          columns={['Journey', 'Status', 'Trigger', 'Version', { label: 'In the journey now', className: 'numeric' }, 'Changed']}
          rows={journeys.data}
          caption="Journeys, most recently changed first"
          empty={
            <EmptyState title="No journeys yet.">
              {canWrite ? (
                <p>
                  <Link to="/journeys/new">Design the first one</Link>: a trigger, the steps, and the purpose it serves.
                </p>
              ) : null}
            </EmptyState>
          }
        >
          {(journey) => <JourneyRow key={journey.id} journey={journey} purpose={purposeName(purposes.byId, journey.purposeId)} />}
        </DataTable>
      )}
    </>
  );
}

function JourneyRow({ journey, purpose }: { journey: JourneyListItem; purpose: string }) {
  const status = JOURNEY_STATUS[journey.status];
  return (
    <tr>
      <td>
        <Link to={`/journeys/${journey.id}`} className="row-link">
          {journey.name}
        </Link>
        <span className="small muted block">
          {purpose}
          {journey.description ? ` · ${journey.description}` : ''}
        </span>
      </td>
      <td>
        <Badge tone={status.tone} title={status.hint}>
          {status.label}
        </Badge>
      </td>
      <td className="small">{TRIGGER_WORDS[journey.triggerType] ?? journey.triggerType}</td>
      <td className="small nowrap">
        {journey.latestVersion ? (
          <>
            Version {journey.latestVersion.number} <span className="muted">of</span> <Time value={journey.latestVersion.publishedAt} />
          </>
        ) : (
          <span className="muted">Not published</span>
        )}
      </td>
      <td className="numeric">{journey.activeEnrollments.toLocaleString('en-GB')}</td>
      <td className="small nowrap">
        <Time value={journey.updatedAt} />
      </td>
    </tr>
  );
}
