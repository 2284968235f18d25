import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { SearchToolbar } from '../../components/search-toolbar.tsx';
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
      <SearchToolbar
        id="outbox-filter"
        label="Filter"
        value={filter}
        onChange={(value) => setParams(value ? { q: value } : {}, { replace: true })}
        placeholder="Recipient, subject or Message-ID"
      >
        {messages.data ? (
          <span className="muted small" role="status">
            {shown.length === messages.data.length
              ? `${messages.data.length} messages`
              : `${shown.length} of ${messages.data.length} messages`}
          </span>
        ) : null}
      </SearchToolbar>

      {messages.isPending ? (
        <Loading label="Loading the outbox…" />
      ) : messages.isError ? (
        <ErrorNotice title="The outbox could not be loaded" error={messages.error} onRetry={() => void messages.refetch()} />
      ) : (
        <DataTable
          columns={['Received', 'To', 'Subject', 'From', { label: 'Size', className: 'numeric' }]}
          rows={shown}
          empty={
            <EmptyState title={filter ? `No messages match “${filter}”.` : 'The outbox is empty.'}>
              {filter ? null : <p>Messages appear here as soon as the automation sends them.</p>}
            </EmptyState>
          }
          caption="Messages in the mail sink, newest first"
        >
          {(m) => (
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
          )}
        </DataTable>
      )}
    </>
  );
}
