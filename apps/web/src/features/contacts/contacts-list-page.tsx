import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { SearchToolbar } from '../../components/search-toolbar.tsx';
import { ConsentBadge, SubjectStatusBadge } from '../../components/status-badges.tsx';
import { Time } from '../../components/time.tsx';
import { label } from '../../lib/labels.ts';
import { trpc } from '../../lib/trpc.ts';
import { useDebouncedValue } from '../../lib/use-debounced-value.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { purposeName, usePurposes } from '../purposes/use-purposes.ts';
import { fullName } from './contact-name.ts';

export function ContactsListPage() {
  const user = useSessionUser();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const debounced = useDebouncedValue(search.trim(), 250);

  // The search lives in the address, so that a search can be shared and survives going back.
  useEffect(() => {
    if ((params.get('q') ?? '') === debounced) return;
    setParams(debounced ? { q: debounced } : {}, { replace: true });
  }, [debounced, params, setParams]);

  const contacts = useQuery({
    ...trpc.contacts.list.queryOptions({ search: debounced || undefined, limit: 100 }),
    placeholderData: keepPreviousData,
  });
  const purposes = usePurposes();
  const canCreate = can(user.role, 'contacts.create');

  return (
    <>
      <title>Contacts · Zweck</title>
      <PageHeader
        title="Contacts"
        subtitle={user.role === 'sales' ? 'The contacts assigned to you.' : 'Everyone Zweck knows, with the consent each of them gave.'}
        actions={
          canCreate ? (
            <Link className="button button-primary" to="/contacts/new">
              New contact
            </Link>
          ) : null
        }
      />

      <SearchToolbar
        id="contact-search"
        label="Search"
        value={search}
        onChange={setSearch}
        placeholder="Name, e-mail address or organization"
      >
        {contacts.isFetching && !contacts.isPending ? <span className="muted small">Updating…</span> : null}
      </SearchToolbar>

      {contacts.isPending ? (
        <Loading label="Loading contacts…" />
      ) : contacts.isError ? (
        <ErrorNotice title="Contacts could not be loaded" error={contacts.error} onRetry={() => void contacts.refetch()} />
      ) : (
        <DataTable
          columns={['Name', 'E-mail', 'Organization', 'Consent', 'Status', 'Stage', 'Added']}
          rows={contacts.data}
          empty={
            <EmptyState
              title={
                debounced
                  ? `No contacts match “${debounced}”.`
                  : user.role === 'sales'
                    ? 'No contacts are assigned to you yet.'
                    : 'No contacts yet.'
              }
            >
              {canCreate && !debounced ? (
                <p>
                  <Link to="/contacts/new">Add the first contact</Link> with the consent they gave you.
                </p>
              ) : null}
            </EmptyState>
          }
          caption={`Contacts${debounced ? ` matching “${debounced}”` : ''}`}
        >
          {(contact) => (
            <tr key={contact.id}>
              <td>
                <Link to={`/contacts/${contact.id}`} className="row-link">
                  {fullName(contact) ?? <span className="muted">No name</span>}
                </Link>
              </td>
              <td>{contact.email}</td>
              <td>{contact.organization ?? <span className="muted">—</span>}</td>
              <td>
                {contact.consents.length === 0 ? (
                  <span className="muted">None recorded</span>
                ) : (
                  <ul className="badge-list">
                    {contact.consents.map((c) => (
                      <li key={`${c.purposeId}:${c.channel}`}>
                        <span className="badge-label">
                          {purposeName(purposes.byId, c.purposeId)} · {label(c.channel)}
                        </span>{' '}
                        <ConsentBadge status={c.status} since={c.since} />
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <SubjectStatusBadge status={contact.status} />
              </td>
              <td>{label(contact.lifecycleStage)}</td>
              <td className="nowrap">
                <Time value={contact.createdAt} />
              </td>
            </tr>
          )}
        </DataTable>
      )}
    </>
  );
}
