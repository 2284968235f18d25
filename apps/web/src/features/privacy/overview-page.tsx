import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { usePurposes } from '../purposes/use-purposes.ts';
import { PrivacyNav } from './privacy-nav.tsx';

type Overview = RouterOutputs['privacyOverview']['summary'];
type Deadline = Overview['deadlinesThisWeek'][number];
type OpenRequest = Overview['openRequests'][number];

const REQUEST_TYPE: Record<string, string> = {
  access: 'Access (Art. 15)',
  rectification: 'Rectification (Art. 16)',
  erasure: 'Erasure (Art. 17)',
  restriction: 'Restriction (Art. 18)',
  portability: 'Portability (Art. 20)',
  objection: 'Objection (Art. 21)',
  origin_inquiry: 'Origin of the data',
};

const DEADLINE_KIND: Record<Deadline['kind'], string> = {
  review: 'Review',
  request: 'Request',
  retention_run: 'Retention run',
  art14: 'Art. 14 notices',
};

const deadlineLabel = (d: Deadline): string => (d.kind === 'request' ? (REQUEST_TYPE[d.label] ?? d.label) : d.label);

/** "3 days left", "due today", "2 days overdue": the countdown of a request's statutory deadline. */
function Countdown({ daysLeft }: { daysLeft: number }) {
  if (daysLeft < 0) {
    const n = -daysLeft;
    return <Badge tone="danger">{`${n} day${n === 1 ? '' : 's'} overdue`}</Badge>;
  }
  if (daysLeft === 0) return <Badge tone="warning">due today</Badge>;
  return <Badge tone={daysLeft <= 7 ? 'warning' : 'neutral'}>{`${daysLeft} day${daysLeft === 1 ? '' : 's'} left`}</Badge>;
}

/** The data protection officer's start page: what is due, what is late, and how consent moves. */
export function PrivacyOverviewPage() {
  const [purposeId, setPurposeId] = useState<string>('');
  const purposes = usePurposes();
  const overview = useQuery({
    ...trpc.privacyOverview.summary.queryOptions({ purposeId: purposeId === '' ? null : purposeId, weeks: 12 }),
    refetchInterval: 60_000,
  });

  return (
    <>
      <title>Privacy · Zweck</title>
      <PrivacyNav />
      <PageHeader
        title="Privacy"
        subtitle="Deadlines of this week, requests with their statutory countdown, overdue reviews and how consent moves."
      />
      {overview.isPending ? (
        <Loading label="Loading the overview…" />
      ) : overview.isError ? (
        <ErrorNotice title="The overview could not be loaded" error={overview.error} onRetry={() => void overview.refetch()} />
      ) : (
        <>
          <dl className="campaign-figures" aria-label="At a glance">
            <Figure label="Open requests" value={overview.data.counts.openRequests} to="/privacy/requests" />
            <Figure
              label="Requests overdue"
              value={overview.data.counts.overdueRequests}
              to="/privacy/requests"
              alarm={overview.data.counts.overdueRequests > 0}
            />
            <Figure
              label="Reviews overdue"
              value={overview.data.counts.overdueReviews}
              to="/privacy/reviews"
              alarm={overview.data.counts.overdueReviews > 0}
            />
            <Figure label="Retention runs to approve" value={overview.data.counts.pendingRetentionRuns} to="/privacy/retention" />
            <Figure label="Art. 14 notices open" value={overview.data.counts.openArt14Duties} to="/privacy/art14" />
            <Figure label="Unread in the inbox" value={overview.data.counts.unreadNotices} to="/privacy/inbox" />
          </dl>
          <div className="grid-2">
            <Section id="deadlines" title="Due in the next seven days">
              <DataTable
                columns={['Due', 'What']}
                rows={overview.data.deadlinesThisWeek}
                caption="Deadlines in the next seven days, the earliest first"
                empty={<EmptyState title="Nothing is due in the next seven days." />}
              >
                {(d) => (
                  <tr key={`${d.kind}:${d.id}`}>
                    <td>
                      <Time value={d.dueAt} />
                    </td>
                    <td>
                      <span className="muted small">{DEADLINE_KIND[d.kind]}</span> <Link to={d.href}>{deadlineLabel(d)}</Link>
                    </td>
                  </tr>
                )}
              </DataTable>
            </Section>
            <Section id="overdue-reviews" title="Overdue reviews">
              <DataTable
                columns={['Review', 'Was due', 'Late']}
                rows={overview.data.overdueReviews}
                caption="Reviews past their date, the oldest first"
                empty={<EmptyState title="No review is overdue." />}
              >
                {(r) => (
                  <tr key={r.id}>
                    <td>
                      <Link to={`/privacy/reviews/${r.id}`}>{r.title}</Link>
                      {r.escalated ? (
                        <>
                          {' '}
                          <Badge tone="danger">escalated</Badge>
                        </>
                      ) : null}
                    </td>
                    <td>{r.dueOn}</td>
                    <td>{`${r.daysOverdue} day${r.daysOverdue === 1 ? '' : 's'}`}</td>
                  </tr>
                )}
              </DataTable>
            </Section>
          </div>
          <Section
            id="open-requests"
            title="Open data-subject requests"
            description="One month from receipt (Art. 12(3)); an extension shows its new date."
          >
            <DataTable
              columns={['Request', 'Received', 'Due', 'Countdown', 'Status']}
              rows={overview.data.openRequests}
              caption="Open requests, the earliest due first"
              empty={<EmptyState title="No request is open." />}
            >
              {(r: OpenRequest) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/privacy/requests/${r.id}`}>{REQUEST_TYPE[r.type] ?? r.type}</Link>
                  </td>
                  <td>
                    <Time value={r.receivedAt} />
                  </td>
                  <td>
                    <Time value={r.dueAt} />
                    {r.extended ? <span className="muted small"> (extended)</span> : null}
                  </td>
                  <td>
                    <Countdown daysLeft={r.daysLeft} />
                  </td>
                  <td>{r.status.replaceAll('_', ' ')}</td>
                </tr>
              )}
            </DataTable>
          </Section>
          <Section
            id="consent-trend"
            title="Consent and withdrawals, per week"
            description="Events in the consent ledger over the last twelve weeks: given (granted or confirmed), withdrawn, objected, expired."
            actions={
              <label className="inline-field">
                <span>Purpose</span>
                <select value={purposeId} onChange={(e) => setPurposeId(e.target.value)}>
                  <option value="">All purposes</option>
                  {(purposes.data ?? []).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </label>
            }
          >
            <ConsentTrendChart weeks={overview.data.consentTrend} />
          </Section>
        </>
      )}
    </>
  );
}

function Figure({ label, value, to, alarm = false }: { label: string; value: number; to: string; alarm?: boolean }) {
  return (
    <div className={alarm ? 'figure-alarm' : undefined}>
      <dt>
        <Link to={to}>{label}</Link>
      </dt>
      <dd>{value.toLocaleString('en')}</dd>
    </div>
  );
}

function ConsentTrendChart({ weeks }: { weeks: Overview['consentTrend'] }) {
  const total = weeks.reduce((n, w) => n + w.given + w.withdrawn + w.objected + w.expired, 0);
  return (
    <figure className="trend-chart" aria-label="Consent ledger events per week">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={weeks} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="week" tickFormatter={(w: string) => w.slice(5)} fontSize={12} />
          <YAxis allowDecimals={false} fontSize={12} width={40} />
          <Tooltip />
          <Legend />
          <Bar dataKey="given" name="Given" fill="var(--color-success, #2f855a)" />
          <Bar dataKey="withdrawn" name="Withdrawn" fill="var(--color-danger, #c53030)" />
          <Bar dataKey="objected" name="Objected" fill="var(--color-warning, #b7791f)" />
          <Bar dataKey="expired" name="Expired" fill="var(--color-text-muted, #718096)" />
        </BarChart>
      </ResponsiveContainer>
      {/* The same figures as a table, for screen readers and for copying into a report. */}
      <details>
        <summary className="small">{`The figures (${total.toLocaleString('en')} events)`}</summary>
        <table className="table small">
          <caption className="visually-hidden">Consent ledger events per week</caption>
          <thead>
            <tr>
              <th scope="col">Week of</th>
              <th scope="col">Given</th>
              <th scope="col">Withdrawn</th>
              <th scope="col">Objected</th>
              <th scope="col">Expired</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.week}>
                <td>{w.week}</td>
                <td>{w.given}</td>
                <td>{w.withdrawn}</td>
                <td>{w.objected}</td>
                <td>{w.expired}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
