import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import { ConsentBadge, SubjectStatusBadge, WorkflowStatusBadge } from '../../components/status-badges.tsx';
import { Time } from '../../components/time.tsx';
import { appCodeOf } from '../../lib/errors.ts';
import { label, reasonMessage } from '../../lib/labels.ts';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { usePurposes, type Purpose } from '../purposes/use-purposes.ts';
import { DetailsSection } from './contact-details-section.tsx';
import { DuplicatesSection, MergedNoticeBox, type MergedNotice } from './contact-duplicates-section.tsx';
import { inFieldOrder, labelOf } from './contact-fields.ts';
import { DecisionsSection, LedgerSection, MessagesSection, ProvenanceSection } from './contact-history-sections.tsx';
import { fullName } from './contact-name.ts';
import { AccessNote, OpenContactDialog } from './open-contact-dialog.tsx';
import { useFieldCatalogue } from './use-field-catalogue.ts';

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
  // A marketer says why first (need to know); then the page loads.
  if (contact.isError && appCodeOf(contact.error) === 'CONTACT_REASON_REQUIRED') {
    return (
      <>
        <title>Contact · Zweck</title>
        <PageHeader title="Contact" />
        <OpenContactDialog contactId={id} onOpened={() => void contact.refetch()} />
      </>
    );
  }
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
  const fields = useFieldCatalogue();
  const labelFor = (key: string): string => labelOf(fields.data, key);
  const inOrder = (keys: readonly string[]): string[] => inFieldOrder(keys, fields.data);
  const location = useLocation();
  const navigate = useNavigate();
  // "Just saved" and "just merged" are news once: kept for this visit, dropped from history so a reload or "back" does not repeat them.
  const [news] = useState(
    () => (location.state as { created?: boolean; automation?: AutomationStart; merged?: MergedNotice } | null) ?? null,
  );
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
        subtitle={[contact.email, contact.organization].filter(Boolean).join(' · ')}
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
      <AccessNote access={contact.access} />

      {news?.created ? (
        news.automation === 'not_started' ? (
          <Notice tone="warning" title="Contact saved">
            <p>The welcome automation could not be started. Start it again below once the workflow service is available.</p>
          </Notice>
        ) : (
          <Notice tone="success" title="Contact saved">
            <p>The welcome automation has started. The policy decides before any mail is sent; its decision appears below.</p>
          </Notice>
        )
      ) : null}

      {news?.merged ? <MergedNoticeBox merged={news.merged} labelFor={labelFor} inOrder={inOrder} /> : null}

      <DetailsSection contact={contact} catalogue={fields.data} canEdit={can(user.role, 'contacts.update')} />
      <div className="grid-2 grid-wide-first">
        <ConsentSection contact={contact} purposes={purposes.data ?? []} />
        <AutomationSection contact={contact} canStart={can(user.role, 'automation.start')} />
      </div>
      <DuplicatesSection contact={contact} canMerge={can(user.role, 'contacts.merge')} labelFor={labelFor} inOrder={inOrder} />
      <DecisionsSection contact={contact} purposes={purposes.byId} />
      <MessagesSection contact={contact} purposes={purposes.byId} canOpenOutbox={can(user.role, 'outbox.read')} />
      <LedgerSection contact={contact} purposes={purposes.byId} canReceipt={can(user.role, 'consents.receipt')} />
      <ProvenanceSection contact={contact} catalogue={fields.data} />
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
