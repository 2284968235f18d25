import { Link, useSearchParams } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { dueState, isLeadTab, LEAD_STATUS, LEAD_TABS, TRIGGER_LABEL, type LeadTab } from './lead-labels.ts';
import { useInbox, type InboxItem } from './use-leads.ts';

const EMPTY: Record<LeadTab, string> = {
  mine: 'No open leads are waiting for you.',
  due_soon: 'Nothing is due within the next 24 hours.',
  overdue: 'Nothing is overdue.',
  settled: 'No lead has been answered yet.',
};

export function LeadInboxPage() {
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const tab: LeadTab = isLeadTab(requested) ? requested : 'mine';
  const inbox = useInbox(tab);
  const counts = inbox.data?.counts;

  return (
    <>
      <title>Leads · Zweck</title>
      <PageHeader
        title="Leads"
        subtitle={
          inbox.data?.isManager
            ? 'Leads handed to you and your team. Accept a lead to follow it up, or send it back to nurturing with a reason.'
            : 'Leads handed to you. Accept a lead to follow it up, or send it back to nurturing with a reason.'
        }
      />
      <nav aria-label="Lead inbox" className="tabs">
        {LEAD_TABS.map((t) => (
          <button
            key={t.tab}
            type="button"
            className={t.tab === tab ? 'tab tab-active' : 'tab'}
            aria-current={t.tab === tab ? 'page' : undefined}
            onClick={() => setParams({ tab: t.tab })}
          >
            {t.label}
            {counts ? <span className="muted"> ({counts[t.tab]})</span> : null}
          </button>
        ))}
      </nav>
      {inbox.isPending ? (
        <Loading label="Loading the leads…" />
      ) : inbox.isError ? (
        <ErrorNotice title="The leads could not be loaded" error={inbox.error} onRetry={() => void inbox.refetch()} />
      ) : (
        <DataTable
          columns={['Lead', 'Status', 'Due', 'Owner', 'Handed over']}
          rows={inbox.data.items}
          caption="Leads, the earliest due first"
          empty={<EmptyState title={EMPTY[tab]} />}
        >
          {(lead) => <LeadRow key={lead.id} lead={lead} />}
        </DataTable>
      )}
    </>
  );
}

function LeadRow({ lead }: { lead: InboxItem }) {
  const status = LEAD_STATUS[lead.status];
  const due = lead.status === 'open' ? dueState(lead.dueAt, new Date()) : 'later';
  return (
    <tr>
      <td>
        <Link to={`/leads/${lead.id}`} className="row-link">
          {lead.label}
        </Link>
        <span className="small muted block">
          {[lead.organization, TRIGGER_LABEL[lead.triggerKind] ?? lead.triggerKind].filter(Boolean).join(' · ')}
        </span>
      </td>
      <td>
        <Badge tone={status.tone}>{status.label}</Badge>{' '}
        {lead.escalatedAt !== null && lead.status === 'open' ? <Badge tone="danger">Escalated</Badge> : null}
      </td>
      <td className="nowrap small">
        {lead.status === 'open' && due !== 'later' ? (
          <Badge tone={due === 'overdue' ? 'danger' : 'warning'}>{due === 'overdue' ? 'Overdue' : 'Due soon'}</Badge>
        ) : null}{' '}
        <Time value={lead.dueAt} />
      </td>
      <td>{lead.ownerName}</td>
      <td className="nowrap small">
        <Time value={lead.createdAt} />
      </td>
    </tr>
  );
}
