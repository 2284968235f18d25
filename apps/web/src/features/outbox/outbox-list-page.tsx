import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { trpc } from '../../lib/trpc.ts';

const formatSize = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);

export function OutboxListPage() {
  const [params, setParams] = useSearchParams();
  const filter = params.get('q') ?? '';
  const messages = useQuery({ ...trpc.outbox.list.queryOptions(), refetchInterval: 10_000 });

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const all = messages.data ?? [];
    if (!needle) return all;
    return all.filter((m) => [m.subject, m.from, m.to, m.messageId ?? ''].some((field) => field.toLowerCase().includes(needle)));
  }, [messages.data, filter]);

  return (
    <>
      <title>Outbox · Zweck</title>
      <PageHeader
        title="Outbox"
        subtitle="Every message the local mail sink received: exactly what Zweck put on the wire, headers included. Development and test installations only."
        actions={
          <button type="button" className="button button-secondary" onClick={() => void messages.refetch()} disabled={messages.isFetching}>
            {messages.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      />
      <div className="toolbar" role="search">
        <div className="field field-inline">
          <label htmlFor="outbox-filter">Filter</label>
          <input
            id="outbox-filter"
            type="search"
            value={filter}
            onChange={(e) => setParams(e.target.value ? { q: e.target.value } : {}, { replace: true })}
            placeholder="Recipient, subject or Message-ID"
            autoComplete="off"
          />
        </div>
        {messages.data ? (
          <span className="muted small" role="status">
            {shown.length === messages.data.length ? `${messages.data.length} messages` : `${shown.length} of ${messages.data.length} messages`}
          </span>
        ) : null}
      </div>

      {messages.isPending ? (
        <Loading label="Loading the outbox…" />
      ) : messages.isError ? (
        <ErrorNotice title="The outbox could not be loaded" error={messages.error} onRetry={() => void messages.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={filter ? `No messages match “${filter}”.` : 'The outbox is empty.'}>
          {filter ? null : <p>Messages appear here as soon as the automation sends them.</p>}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Messages in the mail sink, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">From</th>
                <th scope="col" className="numeric">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((m) => (
                <tr key={m.id}>
                  <td className="nowrap">
                    <Time value={m.receivedAt} />
                  </td>
                  <td>{m.to}</td>
                  <td>
                    <Link to={`/outbox/${m.id}`} className="row-link">
                      {m.subject || <span className="muted">(no subject)</span>}
                    </Link>
                  </td>
                  <td className="small">{m.from}</td>
                  <td className="numeric nowrap">{formatSize(m.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
