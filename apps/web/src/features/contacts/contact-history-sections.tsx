import { useState } from 'react';
import { Link } from 'react-router';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/feedback.tsx';
import { Section } from '../../components/page-header.tsx';
import { ConsentEventBadge, DecisionBadge, MessageStatusBadge } from '../../components/status-badges.tsx';
import { Time } from '../../components/time.tsx';
import { label, reasonArticle, reasonMessage, shorten } from '../../lib/labels.ts';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { purposeName, type Purpose } from '../purposes/use-purposes.ts';
import { Actor } from './actor.tsx';
import { labelOf, type CatalogueField } from './contact-fields.ts';

// The contact's history: policy decisions, the mail log, the consent ledger and provenance.

type ContactDetail = RouterOutputs['contacts']['get'];

export function DecisionsSection({ contact, purposes }: { contact: ContactDetail; purposes: Map<string, Purpose> }) {
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

export function MessagesSection({
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

export function LedgerSection({
  contact,
  purposes,
  canReceipt,
}: {
  contact: ContactDetail;
  purposes: Map<string, Purpose>;
  canReceipt: boolean;
}) {
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

export function ProvenanceSection({ contact, catalogue }: { contact: ContactDetail; catalogue: readonly CatalogueField[] | undefined }) {
  return (
    <Section
      id="provenance"
      title="Provenance"
      description="Where the data about this person and each value came from, and on which legal basis it is kept (Art. 14 GDPR). Oldest first."
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
            <td>{p.field ? labelOf(catalogue, p.field) : <span className="muted">Whole record</span>}</td>
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
