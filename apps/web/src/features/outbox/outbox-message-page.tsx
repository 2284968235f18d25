import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { DataTable } from '../../components/data-table.tsx';
import { Loading, Notice } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import { Time } from '../../components/time.tsx';
import { appCodeOf } from '../../lib/errors.ts';
import { trpc } from '../../lib/trpc.ts';

/** Headers that carry the unsubscribe duties (RFC 2369, RFC 8058); highlighted in the table. */
const UNSUBSCRIBE_HEADERS = new Set(['list-unsubscribe', 'list-unsubscribe-post']);

export function OutboxMessagePage() {
  const { id = '' } = useParams();
  const message = useQuery({ ...trpc.outbox.get.queryOptions({ id }), staleTime: Infinity });

  if (message.isPending) return <Loading label="Loading the message…" />;
  // A message to a contact is that contact's data: a marketer opens the contact with a reason first (need to know).
  if (message.isError && appCodeOf(message.error) === 'CONTACT_REASON_REQUIRED') {
    return (
      <>
        <title>Message · Outbox · Zweck</title>
        <PageHeader title="Message" />
        <Notice tone="warning" title="Open the contact first">
          <p>
            This message went to a contact you have not opened. Find the recipient in the <Link to="/contacts">contacts</Link>, say why you
            open the record, then come back: the reason holds for 8 hours.
          </p>
          <p>
            <Link to="/outbox">Back to the outbox</Link>
          </p>
        </Notice>
      </>
    );
  }
  if (message.isError) {
    return (
      <RecordLoadError
        noun="Message"
        error={message.error}
        notFoundCode="MESSAGE_NOT_FOUND"
        back={<Link to="/outbox">Back to the outbox</Link>}
        onRetry={() => void message.refetch()}
      />
    );
  }

  const m = message.data;
  return (
    <>
      <title>{`${m.subject || 'Message'} · Outbox · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/outbox">Outbox</Link> <span aria-hidden="true">/</span> <span aria-current="page">{m.subject || '(no subject)'}</span>
      </nav>
      <PageHeader
        title={m.subject || '(no subject)'}
        meta={
          <dl className="facts facts-wide">
            <div>
              <dt>From</dt>
              <dd>{m.from}</dd>
            </div>
            <div>
              <dt>To</dt>
              <dd>{m.to}</dd>
            </div>
            <div>
              <dt>Received</dt>
              <dd>
                <Time value={m.receivedAt} />
              </dd>
            </div>
            <div>
              <dt>Message-ID</dt>
              <dd className="mono break">{m.messageId ?? '—'}</dd>
            </div>
          </dl>
        }
      />

      <Section id="headers" title="Headers" description="All header lines as received, in order.">
        <DataTable columns={['Name', 'Value']} rows={m.headers} className="table-compact headers-table">
          {(h, i) => (
            <tr key={`${i}-${h.name}`} className={UNSUBSCRIBE_HEADERS.has(h.name.toLowerCase()) ? 'row-highlight' : undefined}>
              <th scope="row" className="mono nowrap">
                {h.name}
              </th>
              <td className="mono break">{h.value}</td>
            </tr>
          )}
        </DataTable>
      </Section>

      <div className="grid-2">
        <Section id="text-body" title="Text body">
          {m.text ? <pre className="mail-text">{m.text}</pre> : <p className="muted">This message has no text part.</p>}
        </Section>
        <Section id="html-body" title="HTML body" description="Shown sandboxed: no scripts, no forms, no navigation.">
          {m.html ? (
            // sandbox="" blocks scripts, forms, popups and same-origin access: the mail cannot touch the admin.
            <iframe className="mail-html" title={`HTML body of “${m.subject}”`} sandbox="" srcDoc={m.html} referrerPolicy="no-referrer" />
          ) : (
            <p className="muted">This message has no HTML part.</p>
          )}
        </Section>
      </div>
    </>
  );
}
