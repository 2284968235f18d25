import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import {
  ConsentBadge,
  ConsentEventBadge,
  DecisionBadge,
  MessageStatusBadge,
  SubjectStatusBadge,
  WorkflowStatusBadge,
} from '../../components/status-badges.tsx';
import { Time } from '../../components/time.tsx';
import { label, reasonArticle, reasonMessage, shorten } from '../../lib/labels.ts';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { purposeName, usePurposes, type Purpose } from '../purposes/use-purposes.ts';
import { fullName } from './contact-name.ts';

type ContactDetail = RouterOutputs['contacts']['get'];
type AutomationStart = RouterOutputs['contacts']['create']['automation'];

/** How often the page asks again while the welcome workflow runs, so that its decision and mail appear by themselves. */
const LIVE_REFRESH_MS = 2_000;

export function ContactPage() {
  const { id = '' } = useParams();
  const contact = useQuery({
    ...trpc.contacts.get.queryOptions({ id }),
    // Consent changes outside the admin (a person unsubscribes): opening the page always asks afresh.
    staleTime: 0,
    refetchInterval: (query) => (query.state.data?.automation?.status === 'RUNNING' ? LIVE_REFRESH_MS : false),
  });

  if (contact.isPending) return <Loading label="Loading the contact…" />;
  if (contact.isError) {
    return (
      <RecordLoadError
        noun="Contact"
        error={contact.error}
        notFoundCode="CONTACT_NOT_FOUND"
        back={<Link to="/contacts">Back to contacts</Link>}
        onRetry={() => void contact.refetch()}
      />
    );
  }
  return <ContactView key={contact.data.id} contact={contact.data} isRefreshing={contact.isFetching} />;
}

function ContactView({ contact, isRefreshing }: { contact: ContactDetail; isRefreshing: boolean }) {
  const user = useSessionUser();
  const purposes = usePurposes();
  const location = useLocation();
  const navigate = useNavigate();
  // "Just saved" is news once: kept for this visit, dropped from history so a reload or "back" does not repeat it.
  const [justCreated] = useState(() => (location.state as { created?: boolean; automation?: AutomationStart } | null) ?? null);
  useEffect(() => {
    if (location.state) void navigate(location.pathname, { replace: true, state: null });
  }, [location.state, location.pathname, navigate]);
  const name = fullName(contact);
  const isLive = contact.automation?.status === 'RUNNING';

  return (
    <>
      <title>{`${name ?? contact.email} · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/contacts">Contacts</Link> <span aria-hidden="true">/</span> <span aria-current="page">{name ?? contact.email}</span>
      </nav>
      <PageHeader
        title={name ?? contact.email}
        subtitle={contact.email}
        meta={
          <dl className="inline-facts">
            <div>
              <dt>Status</dt>
              <dd>
                <SubjectStatusBadge status={contact.status} />
              </dd>
            </div>
            <div>
              <dt>Lifecycle stage</dt>
              <dd>{label(contact.lifecycleStage)}</dd>
            </div>
            <div>
              <dt>Added</dt>
              <dd>
                <Time value={contact.createdAt} />
              </dd>
            </div>
          </dl>
        }
        actions={
          <span className="live-indicator" role="status" aria-live="polite">
            {isLive ? (
              <>
                <span className="pulse" aria-hidden="true" /> Updating live while the automation runs
              </>
            ) : isRefreshing ? (
              'Refreshing…'
            ) : null}
          </span>
        }
      />

      {justCreated?.created ? (
        justCreated.automation === 'not_started' ? (
          <Notice tone="warning" title="Contact saved">
            <p>The welcome automation could not be started. Start it again below once the workflow service is available.</p>
          </Notice>
        ) : (
          <Notice tone="success" title="Contact saved">
            <p>The welcome automation has started. The policy decides before any mail is sent; its decision appears below.</p>
          </Notice>
        )
      ) : null}

      <div className="grid-2 grid-wide-first">
        <ConsentSection contact={contact} purposes={purposes.data ?? []} />
        <AutomationSection contact={contact} canStart={can(user.role, 'automation.start')} />
      </div>
      <DecisionsSection contact={contact} purposes={purposes.byId} />
      <MessagesSection contact={contact} purposes={purposes.byId} canOpenOutbox={can(user.role, 'outbox.read')} />
      <LedgerSection contact={contact} purposes={purposes.byId} canReceipt={can(user.role, 'consents.receipt')} />
      <ProvenanceSection contact={contact} />
    </>
  );
}

function ConsentSection({ contact, purposes }: { contact: ContactDetail; purposes: Purpose[] }) {
  // Every consent-based purpose and channel in the catalogue, with "no consent" where the ledger
  // has nothing. Purposes on another legal basis (a double opt-in confirmation) ask for no consent.
  const rows = purposes
    .filter((p) => p.legalBasis === 'consent')
    .flatMap((p) =>
      p.channels.map((channel) => {
        const state = contact.consents.find((c) => c.purposeId === p.id && c.channel === channel);
        return {
          key: `${p.id}:${channel}`,
          purpose: p.name,
          channel,
          status: state?.status ?? ('none' as const),
          since: state?.since ?? null,
          gate: contact.sendability.find((g) => g.purposeId === p.id && g.channel === channel) ?? null,
        };
      }),
    );
  // Consent for purposes no longer in the catalogue still counts and still shows.
  for (const c of contact.consents) {
    if (!rows.some((r) => r.key === `${c.purposeId}:${c.channel}`)) {
      rows.push({
        key: `${c.purposeId}:${c.channel}`,
        purpose: c.purposeId,
        channel: c.channel,
        status: c.status,
        since: c.since,
        gate: null,
      });
    }
  }
  return (
    <Section
      id="consent"
      title="Consent"
      description="Current state per purpose and channel, folded from the consent ledger, and what the send gate would answer now."
    >
      {contact.objectedToDirectMarketingAt ? (
        <Notice tone="warning" title="Objected to direct marketing">
          <p>
            Since <Time value={contact.objectedToDirectMarketingAt} />. Direct marketing has ended on every channel (Art. 21(3) GDPR).
          </p>
        </Notice>
      ) : null}
      <DataTable
        columns={['Purpose', 'Channel', 'State', 'Since', 'Mail now?']}
        rows={rows}
        empty={<EmptyState title="The purpose catalogue is empty." />}
        className="table-compact"
        framed={false}
      >
        {(r) => (
          <tr key={r.key}>
            <td>{r.purpose}</td>
            <td>{label(r.channel)}</td>
            <td>
              <ConsentBadge status={r.status} />
            </td>
            <td className="nowrap">
              <Time value={r.since} />
            </td>
            <td>
              {r.gate === null ? (
                <span className="muted">—</span>
              ) : r.gate.allowed ? (
                <Badge tone="success">Allowed</Badge>
              ) : (
                <span title={r.gate.reasonCodes.map(reasonMessage).join(' ')}>
                  <Badge tone="danger">Denied</Badge>
                  {/* The readable name wraps in the half-width card; the full message is in the title. */}
                  <span className="small muted block">{label(r.gate.reasonCodes[0])}</span>
                </span>
              )}
            </td>
          </tr>
        )}
      </DataTable>
    </Section>
  );
}

function AutomationSection({ contact, canStart }: { contact: ContactDetail; canStart: boolean }) {
  const start = useMutation(
    trpc.contacts.startWelcome.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.contacts.get.queryFilter({ id: contact.id })),
    }),
  );
  const automation = contact.automation;
  return (
    <Section
      id="automation"
      title="Automation"
      description="The welcome workflow: it asks the policy, records the decision and sends only if allowed."
    >
      {automation ? (
        <dl className="facts">
          <div>
            <dt>Welcome workflow</dt>
            <dd>
              <WorkflowStatusBadge status={automation.status} />
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>
              <Time value={automation.startedAt} />
            </dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{automation.closedAt ? <Time value={automation.closedAt} /> : <span className="muted">Not yet</span>}</dd>
          </div>
          <div className="facts-full">
            <dt>Workflow ID</dt>
            <dd className="mono break">{automation.workflowId}</dd>
          </div>
        </dl>
      ) : (
        <>
          <p>
            <Badge tone="neutral">Not started</Badge> No welcome workflow has run for this contact.
          </p>
          {canStart ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => start.mutate({ id: contact.id })}
              disabled={start.isPending}
            >
              {start.isPending ? 'Starting…' : 'Start welcome automation'}
            </button>
          ) : (
            <p className="muted small">Marketers and administrators can start it.</p>
          )}
        </>
      )}
      {start.isError ? <ErrorNotice title="The automation was not started" error={start.error} /> : null}
      {start.data?.automation === 'not_started' ? (
        <Notice tone="warning">
          <p>The workflow service did not accept the automation. Try again in a moment; if it keeps failing, tell your administrator.</p>
        </Notice>
      ) : null}
    </Section>
  );
}

function DecisionsSection({ contact, purposes }: { contact: ContactDetail; purposes: Map<string, Purpose> }) {
  return (
    <Section
      id="decisions"
      title="Policy decisions"
      description="Every decision the policy made about this person, with its legal basis and reasons. Newest first."
    >
      <DataTable
        columns={[
          'Time',
          'Action',
          'Purpose · channel',
          'Allowed',
          'Legal basis',
          'Reasons',
          'Decided by',
          { label: 'Policy', title: 'Policy version and the digest of the facts it decided on' },
        ]}
        rows={contact.decisions}
        empty={
          <EmptyState title="No decisions yet.">
            {contact.automation?.status === 'RUNNING' ? <p>The automation is running; its decision will appear here.</p> : null}
          </EmptyState>
        }
      >
        {(d) => (
          <tr key={d.id}>
            <td className="nowrap">
              <Time value={d.decidedAt} />
            </td>
            <td>{label(d.action)}</td>
            <td>
              {purposeName(purposes, d.purposeId)} · {label(d.channel)}
            </td>
            <td>
              <DecisionBadge allowed={d.allowed} />
            </td>
            <td>{d.legalBasis ? label(d.legalBasis) : <span className="muted">None</span>}</td>
            <td>
              {d.reasonCodes.length === 0 ? (
                <span className="muted">—</span>
              ) : (
                <ul className="reasons">
                  {d.reasonCodes.map((code) => (
                    <li key={code}>
                      <code className="reason-code">{code}</code>
                      <span className="reason-message">{reasonMessage(code)}</span>
                      {reasonArticle(code) ? <span className="reason-article">{reasonArticle(code)}</span> : null}
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td className="small">
              <DecidedBy decidedBy={d.decidedBy} welcomeWorkflowId={contact.automation?.workflowId ?? null} />
            </td>
            <td className="mono small">
              {d.policyVersion}
              {/* The digest of the facts the policy saw: the same input gives the same decision. */}
              <span className="muted block" title={d.inputDigest}>
                {shorten(d.inputDigest)}
              </span>
            </td>
          </tr>
        )}
      </DataTable>
    </Section>
  );
}

function MessagesSection({
  contact,
  purposes,
  canOpenOutbox,
}: {
  contact: ContactDetail;
  purposes: Map<string, Purpose>;
  canOpenOutbox: boolean;
}) {
  return (
    <Section id="messages" title="Messages" description="The mail log: what was handed to the mail server, and its answer.">
      <DataTable
        columns={['Created', 'Kind', 'Purpose', 'Status', 'Sent at', 'Message-ID', 'Server response']}
        rows={contact.messages}
        empty={<EmptyState title="No messages sent to this person." />}
      >
        {(m) => (
          <tr key={m.id}>
            <td className="nowrap">
              <Time value={m.createdAt} />
            </td>
            <td>{label(m.kind)}</td>
            <td>{purposeName(purposes, m.purposeId)}</td>
            <td>
              <MessageStatusBadge status={m.status} />
            </td>
            <td className="nowrap">
              <Time value={m.sentAt} />
            </td>
            <td className="mono small break">
              {canOpenOutbox ? (
                <Link to={`/outbox?q=${encodeURIComponent(m.messageId)}`} title="Find this message in the outbox">
                  {m.messageId}
                </Link>
              ) : (
                m.messageId
              )}
            </td>
            <td className="mono small break">{m.smtpResponse ?? <span className="muted">—</span>}</td>
          </tr>
        )}
      </DataTable>
    </Section>
  );
}

function LedgerSection({ contact, purposes, canReceipt }: { contact: ContactDetail; purposes: Map<string, Purpose>; canReceipt: boolean }) {
  return (
    <Section
      id="ledger"
      title="Consent ledger"
      description="Every consent event with its proof, oldest first. Events are only ever added, never changed."
    >
      <DataTable
        columns={[
          'Occurred',
          'Event',
          'Purpose · channel',
          'Method',
          'Source',
          'Wording',
          'Recorded by',
          'Recorded',
          ...(canReceipt ? ['Receipt'] : []),
        ]}
        rows={contact.consentEvents}
        empty={<EmptyState title="No consent events recorded." />}
      >
        {(e) => (
          <tr key={e.id}>
            <td className="nowrap">
              <Time value={e.occurredAt} />
            </td>
            <td>
              <ConsentEventBadge kind={e.kind} />
            </td>
            <td>
              {purposeName(purposes, e.purposeId)} · {label(e.channel)}
            </td>
            <td>{label(e.method)}</td>
            <td>{e.source}</td>
            <td>
              {e.wordingVersion ? (
                <>
                  {e.wordingVersion}
                  {e.wordingHash ? (
                    <span className="mono small muted block" title={e.wordingHash}>
                      {shorten(e.wordingHash)}
                    </span>
                  ) : null}
                </>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td className="small">
              <Actor actor={e.actor} />
            </td>
            <td className="nowrap">
              <Time value={e.recordedAt} />
            </td>
            {canReceipt ? (
              <td>
                <ReceiptButton eventId={e.id} />
              </td>
            ) : null}
          </tr>
        )}
      </DataTable>
    </Section>
  );
}

function ProvenanceSection({ contact }: { contact: ContactDetail }) {
  return (
    <Section
      id="provenance"
      title="Provenance"
      description="Where the data about this person came from, and on which legal basis it is kept (Art. 14 GDPR)."
    >
      <DataTable
        columns={['Recorded', 'Source', 'Reference', 'Field', 'Legal basis', 'Recorded by']}
        rows={contact.provenance}
        empty={<EmptyState title="No provenance recorded." />}
      >
        {(p) => (
          <tr key={p.id}>
            <td className="nowrap">
              <Time value={p.recordedAt} />
            </td>
            <td>{label(p.source)}</td>
            <td>{p.reference ?? <span className="muted">—</span>}</td>
            <td>{p.field ?? <span className="muted">Whole record</span>}</td>
            <td>{label(p.legalBasis)}</td>
            <td className="small">
              <Actor actor={p.actor} />
            </td>
          </tr>
        )}
      </DataTable>
    </Section>
  );
}

/** Who recorded something: the signed-in user is "you"; others show as stored, which is what an audit needs. */
function Actor({ actor }: { actor: string }) {
  const user = useSessionUser();
  if (actor === `user:${user.id}`) return <span title={actor}>You ({user.displayName})</span>;
  if (actor === 'contact') return <span title={actor}>The person themselves</span>;
  return <span className="mono break">{actor}</span>;
}

/**
 * Who made a decision: the workflow decides first, the sending activity checks again right
 * before sending (a withdrawal in between wins). The stored value stays visible in the title.
 */
function DecidedBy({ decidedBy, welcomeWorkflowId }: { decidedBy: string; welcomeWorkflowId: string | null }) {
  const separator = decidedBy.indexOf(':');
  const kind = separator > 0 ? decidedBy.slice(0, separator) : '';
  const id = separator > 0 ? decidedBy.slice(separator + 1) : decidedBy;
  if (kind === 'workflow') {
    return (
      <span title={decidedBy}>
        {id === welcomeWorkflowId ? 'Welcome workflow' : 'Workflow'}
        <span className="mono muted block">{shorten(id, 20)}</span>
      </span>
    );
  }
  if (kind === 'activity') {
    return (
      <span title={decidedBy}>
        Check before sending
        <span className="mono muted block">{id}</span>
      </span>
    );
  }
  if (kind === 'user') return <Actor actor={decidedBy} />;
  return <span className="mono break">{decidedBy}</span>;
}

/** Downloads the ISO/IEC TS 27560 consent receipt (JSON-LD) of one ledger entry. */
function ReceiptButton({ eventId }: { eventId: string }) {
  const [state, setState] = useState<'idle' | 'loading' | 'failed'>('idle');
  const download = async () => {
    setState('loading');
    try {
      const receipt = await queryClient.fetchQuery(trpc.consents.receipt.queryOptions({ eventId }));
      const url = URL.createObjectURL(new Blob([JSON.stringify(receipt, null, 2)], { type: 'application/ld+json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `consent-receipt-${eventId}.jsonld`;
      link.click();
      URL.revokeObjectURL(url);
      setState('idle');
    } catch {
      setState('failed');
    }
  };
  return (
    <button
      type="button"
      className="button button-secondary button-small"
      onClick={() => void download()}
      disabled={state === 'loading'}
      aria-label={state === 'failed' ? 'Retry the receipt download' : 'Download the consent receipt'}
      title="ISO/IEC TS 27560 consent receipt (JSON-LD)"
    >
      {state === 'failed' ? 'Retry' : '↓'}
    </button>
  );
}
