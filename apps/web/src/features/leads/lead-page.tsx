import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import { Time } from '../../components/time.tsx';
import { formatDate } from '../../lib/datetime.ts';
import { label } from '../../lib/labels.ts';
import { trpc } from '../../lib/trpc.ts';
import {
  dueState,
  formatPoints,
  LEAD_STATUS,
  mayDoSentence,
  RECYCLE_REASONS,
  recycleReasonLabel,
  TRIGGER_LABEL,
  type RecycleReason,
} from './lead-labels.ts';
import { HiddenFieldsNote } from '../contacts/hidden-fields-note.tsx';
import { useFieldCatalogue } from '../contacts/use-field-catalogue.ts';
import { invalidateLeads, useLead, type LeadDetail } from './use-leads.ts';

export function LeadPage() {
  const { id = '' } = useParams();
  const [awaitingAnswer, setAwaitingAnswer] = useState(false);
  const lead = useLead(id, awaitingAnswer);

  if (lead.isPending) return <Loading label="Loading the lead…" />;
  if (lead.isError) {
    return (
      <RecordLoadError
        noun="Lead"
        error={lead.error}
        notFoundCode="LEAD_NOT_FOUND"
        back={<Link to="/leads">Back to the leads</Link>}
        onRetry={() => void lead.refetch()}
      />
    );
  }
  return (
    <LeadView lead={lead.data} awaitingAnswer={awaitingAnswer && lead.data.status === 'open'} onAnswered={() => setAwaitingAnswer(true)} />
  );
}

function LeadView({ lead, awaitingAnswer, onAnswered }: { lead: LeadDetail; awaitingAnswer: boolean; onAnswered: () => void }) {
  const catalogue = useFieldCatalogue();
  const status = LEAD_STATUS[lead.status];
  const due = dueState(lead.dueAt, new Date());
  return (
    <>
      <title>{`${lead.label} · Leads · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/leads">Leads</Link> <span aria-hidden="true">/</span> <span aria-current="page">{lead.label}</span>
      </nav>
      <PageHeader
        title={lead.label}
        subtitle={TRIGGER_LABEL[lead.trigger.kind] ?? lead.trigger.kind}
        meta={
          <dl className="inline-facts">
            <div>
              <dt>Status</dt>
              <dd>
                <Badge tone={status.tone}>{status.label}</Badge>
                {lead.status === 'open' && lead.escalatedAt !== null ? (
                  <>
                    {' '}
                    <Badge tone="danger">Escalated</Badge>
                  </>
                ) : null}
              </dd>
            </div>
            <div>
              <dt>Owner</dt>
              <dd>{lead.isMine ? `${lead.ownerName} (you)` : lead.ownerName}</dd>
            </div>
            <div>
              <dt>Due</dt>
              <dd>
                <Time value={lead.dueAt} />
                {lead.status === 'open' && due !== 'later' ? (
                  <>
                    {' '}
                    <Badge tone={due === 'overdue' ? 'danger' : 'warning'}>{due === 'overdue' ? 'Overdue' : 'Due soon'}</Badge>
                  </>
                ) : null}
              </dd>
            </div>
            <div>
              <dt>Score</dt>
              <dd>
                {formatPoints(lead.score.score)} <span className="muted">of {lead.score.threshold}</span>
              </dd>
            </div>
          </dl>
        }
      />
      {lead.status === 'open' ? (
        <AnswerPanel lead={lead} awaitingAnswer={awaitingAnswer} onAnswered={onAnswered} />
      ) : (
        <Notice tone="success" title={lead.status === 'accepted' ? 'Accepted' : 'Sent back to nurturing'}>
          <p>
            {lead.status === 'accepted' ? (
              <>
                Accepted <Time value={lead.acceptedAt} />.
              </>
            ) : (
              <>
                Recycled <Time value={lead.recycledAt} />: {recycleReasonLabel(lead.recycleReason)}. The contact is a lead in nurturing
                again.
              </>
            )}
          </p>
        </Notice>
      )}
      <MayDoCard lead={lead} />
      <div className="grid-2">
        <Section
          id="lead-fields"
          title="Details"
          description="Only the fields the purpose “Sales follow-up” may use (field catalogue, Art. 5(1)(c) GDPR)."
        >
          <HiddenFieldsNote hiddenFields={lead.hiddenFields} catalogue={catalogue.data} />
          <dl className="facts">
            {lead.fields.map((f) => (
              <div key={f.key}>
                <dt>{f.label}</dt>
                <dd>{f.value ?? <span className="muted">—</span>}</dd>
              </div>
            ))}
          </dl>
        </Section>
        <ScoreSection lead={lead} />
      </div>
      <HistorySection lead={lead} />
    </>
  );
}

function AnswerPanel({ lead, awaitingAnswer, onAnswered }: { lead: LeadDetail; awaitingAnswer: boolean; onAnswered: () => void }) {
  const [reason, setReason] = useState<RecycleReason>('not_ready');
  const onSuccess = async () => {
    onAnswered();
    await invalidateLeads();
  };
  const accept = useMutation(trpc.leads.accept.mutationOptions({ onSuccess }));
  const recycle = useMutation(trpc.leads.recycle.mutationOptions({ onSuccess }));
  const busy = accept.isPending || recycle.isPending || awaitingAnswer;
  return (
    <Section
      id="lead-answer"
      title="Your answer"
      description="Accept the lead to follow it up, or send it back to nurturing with a reason. Answer before it is due, or your manager is told."
    >
      {awaitingAnswer ? (
        <p role="status" className="live-indicator">
          <span className="pulse" aria-hidden="true" /> Recording your answer…
        </p>
      ) : null}
      <div className="toolbar">
        <button type="button" className="button button-primary" disabled={busy} onClick={() => accept.mutate({ id: lead.id })}>
          {accept.isPending ? 'Accepting…' : 'Accept lead'}
        </button>
        <div className="field field-inline">
          <label htmlFor="recycle-reason">Reason</label>
          <select id="recycle-reason" value={reason} onChange={(e) => setReason(e.target.value as RecycleReason)} disabled={busy}>
            {RECYCLE_REASONS.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button button-secondary" disabled={busy} onClick={() => recycle.mutate({ id: lead.id, reason })}>
          {recycle.isPending ? 'Sending back…' : 'Send back to nurturing'}
        </button>
      </div>
      {accept.isError ? <ErrorNotice title="The lead could not be accepted" error={accept.error} /> : null}
      {recycle.isError ? <ErrorNotice title="The lead could not be sent back" error={recycle.error} /> : null}
    </Section>
  );
}

const LEGAL_BASIS_SHORT: Record<string, string> = {
  consent: 'Consent',
  contract: 'Contract',
  legal_obligation: 'Legal obligation',
  legitimate_interest: 'Legitimate interest',
};

/** What the rep may do with this lead, per channel, as the send gate would answer now. */
function MayDoCard({ lead }: { lead: LeadDetail }) {
  return (
    <Section
      id="may-do"
      title="What you may do with this lead"
      description="Asked of the policy now, per channel, under the sales purposes: allowed or not, on which legal basis, from which source, until when."
    >
      <ul className="may-do-list">
        {lead.mayDo.map((item) => (
          <li key={item.channel} className="may-do-item" data-allowed={item.allowed}>
            <p>
              <Badge tone={item.allowed ? 'success' : 'danger'}>{item.allowed ? 'Allowed' : 'Not allowed'}</Badge>{' '}
              <strong>{mayDoSentence(item)}</strong>
            </p>
            <dl className="inline-facts small">
              <div>
                <dt>Channel</dt>
                <dd>{label(item.channel)}</dd>
              </div>
              {item.purpose ? (
                <div>
                  <dt>Purpose</dt>
                  <dd>{item.purpose.name}</dd>
                </div>
              ) : null}
              <div>
                <dt>{item.allowed ? 'Legal basis' : 'Why not'}</dt>
                <dd>
                  {item.allowed ? (item.legalBasis ? LEGAL_BASIS_SHORT[item.legalBasis] : '—') : item.reasonCodes.join(', ')}
                  {item.article ? <span className="muted"> · {item.article}</span> : null}
                </dd>
              </div>
              {item.allowed ? (
                <div>
                  <dt>Source</dt>
                  <dd>
                    {item.source === null ? (
                      <span className="muted">—</span>
                    ) : item.source.kind === 'consent' ? (
                      <>
                        Consent by {label(item.source.method)} ({item.source.source}), {formatDate(item.source.at)}
                      </>
                    ) : (
                      <>
                        {label(item.source.source)}
                        {item.source.reference ? ` (${item.source.reference})` : ''}, {formatDate(item.source.at)}
                      </>
                    )}
                  </dd>
                </div>
              ) : null}
              {item.allowed ? (
                <div>
                  <dt>Until</dt>
                  <dd>
                    {item.until ? formatDate(item.until) : item.legalBasis === 'consent' ? 'Until withdrawn' : 'No retention limit set'}
                  </dd>
                </div>
              ) : null}
            </dl>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function ScoreSection({ lead }: { lead: LeadDetail }) {
  return (
    <Section
      id="score"
      title="Why this score"
      description={`Every change of the score, and what is left of it today after decay. Threshold: ${lead.score.threshold} points.`}
    >
      <DataTable
        columns={['Change', { label: 'Points', className: 'numeric' }, { label: 'Today', className: 'numeric' }, 'When']}
        rows={lead.score.events}
        className="table-compact"
        framed={false}
        caption="Score changes, newest first"
        empty={<EmptyState title="No score changes: this lead was handed over without scoring." />}
      >
        {(e) => (
          <tr key={e.id}>
            <td>
              {e.reason}
              <span className="small muted block">
                {e.sourceKind === 'rule' ? 'Scoring rule' : 'Journey step'}
                {e.halfLifeDays !== null ? ` · halves every ${e.halfLifeDays} days` : ' · does not decay'}
              </span>
            </td>
            <td className="numeric">{e.points}</td>
            <td className="numeric">{formatPoints(e.decayedPoints)}</td>
            <td className="nowrap small">
              <Time value={e.occurredAt} />
            </td>
          </tr>
        )}
      </DataTable>
      <p className="small">
        Total today: <strong>{formatPoints(lead.score.score)}</strong> points.
      </p>
    </Section>
  );
}

function HistorySection({ lead }: { lead: LeadDetail }) {
  const rows = [
    ...lead.interactions.map((i) => ({ key: `i${i.id}`, what: label(i.kind), detail: i.campaignName, at: i.occurredAt })),
    ...lead.events.map((e) => ({ key: `e${e.id}`, what: e.name, detail: 'Event', at: e.occurredAt })),
  ].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
  return (
    <Section
      id="history"
      title="Interaction history"
      description="What the person did: mails opened and clicked, events, forms, purchases."
    >
      <DataTable
        columns={['What', 'Where', 'When']}
        rows={rows}
        className="table-compact"
        framed={false}
        caption="Interactions, newest first"
        empty={<EmptyState title="No interactions recorded." />}
      >
        {(row) => (
          <tr key={row.key}>
            <td>{row.what}</td>
            <td>{row.detail ?? <span className="muted">—</span>}</td>
            <td className="nowrap small">
              <Time value={row.at} />
            </td>
          </tr>
        )}
      </DataTable>
    </Section>
  );
}
