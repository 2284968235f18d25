import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { appCodeOf, describeError, transportCodeOf } from '../../lib/errors.ts';
import { trpc } from '../../lib/trpc.ts';

/** Headers that carry the unsubscribe duties (RFC 2369, RFC 8058); highlighted in the table. */
const UNSUBSCRIBE_HEADERS = new Set(['list-unsubscribe', 'list-unsubscribe-post']);

export function OutboxMessagePage() {
  const { id = '' } = useParams();
  const message = useQuery({ ...trpc.outbox.get.queryOptions({ id }), staleTime: Infinity });

  if (message.isPending) return <Loading label="Loading the message…" />;
  if (message.isError) {
    const missing = appCodeOf(message.error) === 'MESSAGE_NOT_FOUND' || transportCodeOf(message.error) === 'BAD_REQUEST';
    return (
      <>
        <title>Message · Zweck</title>
        <PageHeader title={missing ? 'Message not found' : 'Message'} />
        {missing ? (
          <Notice tone="warning">
            <p>{describeError(message.error)}</p>
            <p>
              <Link to="/outbox">Back to the outbox</Link>
            </p>
          </Notice>
        ) : (
          <ErrorNotice title="The message could not be loaded" error={message.error} onRetry={() => void message.refetch()} />
        )}
      </>
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
        <div className="table-wrap">
          <table className="table table-compact headers-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {m.headers.map((h, i) => (
                <tr key={`${i}-${h.name}`} className={UNSUBSCRIBE_HEADERS.has(h.name.toLowerCase()) ? 'row-highlight' : undefined}>
                  <th scope="row" className="mono nowrap">
                    {h.name}
                  </th>
                  <td className="mono break">{h.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
