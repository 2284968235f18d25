import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Badge } from '../../../components/badge.tsx';
import { DataTable } from '../../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../../components/feedback.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { Time } from '../../../components/time.tsx';
import { queryClient, trpc, type RouterOutputs } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { PrivacyNav } from '../privacy-nav.tsx';
import { NOTICE_KIND_LABEL, SUBJECT_TYPE_LABEL } from '../reviews/review-labels.ts';

type Notice = RouterOutputs['dpoInbox']['list']['items'][number];
type Filter = 'unread' | 'all';

/** The DPO's inbox: what the reviews, retention runs and requests asked them to look at, each with a link to its page. */
export function InboxPage() {
  const user = useSessionUser();
  const mayMark = can(user.role, 'privacy.manage');
  const [params, setParams] = useSearchParams();
  const filter: Filter = params.get('filter') === 'all' ? 'all' : 'unread';
  const inbox = useQuery({ ...trpc.dpoInbox.list.queryOptions({ filter }), refetchInterval: 30_000 });
  const markRead = useMutation(
    trpc.dpoInbox.markRead.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.dpoInbox.pathFilter()) }),
  );
  const unreadIds = (inbox.data?.items ?? []).filter((n) => n.readAt === null).map((n) => n.id);

  return (
    <>
      <title>Inbox · Privacy · Zweck</title>
      <PrivacyNav />
      <PageHeader
        title="Inbox"
        subtitle="Reminders and escalations for the data protection officer. Each notice links to what it is about; the mails carry the same link and nothing else."
        actions={
          mayMark && unreadIds.length > 0 ? (
            <button
              type="button"
              className="button button-secondary"
              disabled={markRead.isPending}
              onClick={() => markRead.mutate({ ids: unreadIds })}
            >
              Mark all shown as read
            </button>
          ) : null
        }
      />
      <nav aria-label="Inbox filter" className="tabs">
        {(['unread', 'all'] as const).map((f) => (
          <button
            key={f}
            type="button"
            className={f === filter ? 'tab tab-active' : 'tab'}
            aria-current={f === filter ? 'page' : undefined}
            onClick={() => setParams({ filter: f })}
          >
            {f === 'unread' ? 'Unread' : 'All'}
            {f === 'unread' && inbox.data ? <span className="muted"> ({inbox.data.unreadCount})</span> : null}
          </button>
        ))}
      </nav>
      {markRead.isError ? <ErrorNotice title="The notices were not marked read" error={markRead.error} /> : null}
      {inbox.isPending ? (
        <Loading label="Loading the inbox…" />
      ) : inbox.isError ? (
        <ErrorNotice title="The inbox could not be loaded" error={inbox.error} onRetry={() => void inbox.refetch()} />
      ) : (
        <DataTable
          columns={['Notice', 'About', 'Due', 'Received', '']}
          rows={inbox.data.items}
          caption="Notices, the newest first"
          empty={<EmptyState title={filter === 'unread' ? 'No unread notices.' : 'The inbox is empty.'} />}
        >
          {(notice) => (
            <NoticeRow
              key={notice.id}
              notice={notice}
              mayMark={mayMark}
              busy={markRead.isPending}
              onRead={() => markRead.mutate({ ids: [notice.id] })}
            />
          )}
        </DataTable>
      )}
    </>
  );
}

function NoticeRow({ notice, mayMark, busy, onRead }: { notice: Notice; mayMark: boolean; busy: boolean; onRead: () => void }) {
  const about = SUBJECT_TYPE_LABEL[notice.subjectType] ?? notice.subjectType;
  return (
    <tr data-notice-id={notice.id}>
      <td>
        {notice.readAt === null ? (
          <strong>{NOTICE_KIND_LABEL[notice.kind] ?? notice.kind}</strong>
        ) : (
          (NOTICE_KIND_LABEL[notice.kind] ?? notice.kind)
        )}{' '}
        {notice.escalated ? <Badge tone="danger">Escalated</Badge> : null}
      </td>
      <td>
        {notice.subjectPath ? <Link to={notice.subjectPath}>{notice.subjectLabel ?? `Open ${about.toLowerCase()}`}</Link> : about}
        {notice.subjectLabel && notice.subjectPath ? <div className="muted small">{about}</div> : null}
      </td>
      <td className="nowrap small">
        <Time value={notice.dueAt} />
      </td>
      <td className="nowrap small">
        <Time value={notice.createdAt} />
      </td>
      <td className="nowrap small">
        {notice.readAt !== null ? (
          <span className="muted">Read{notice.readByName ? ` by ${notice.readByName}` : ''}</span>
        ) : mayMark ? (
          <button type="button" className="button button-small button-secondary" disabled={busy} onClick={onRead}>
            Mark read
          </button>
        ) : null}
      </td>
    </tr>
  );
}
