import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { ErrorNotice, Loading } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { label } from '../../lib/labels.ts';
import { trpc } from '../../lib/trpc.ts';
import { useSessionUser } from '../auth/session.tsx';
import { InvitationLink } from './invitation-link.tsx';
import { InviteUserForm, type UserRow } from './invite-user-form.tsx';
import { ActiveDialog, ChangeRoleDialog, ReissueDialog, ResetSecondFactorDialog } from './user-dialogs.tsx';

type Dialog = { kind: 'role' | 'active' | 'reissue' | 'secondFactor'; user: UserRow } | null;
type Invited = { displayName: string; url: string; expiresAt: string | Date } | null;

function InvitationBadge({ user }: { user: UserRow }) {
  if (user.invitation === 'accepted') return null;
  return user.invitation === 'pending' ? (
    <Badge tone="info" title="Has not set a password yet">
      Invitation pending
    </Badge>
  ) : (
    <Badge tone="warning" title="The link ran out before a password was set">
      Invitation expired
    </Badge>
  );
}

/** Who has an account, with which role; invitations, role changes, deactivation (administrators only). */
export function UsersPage() {
  const me = useSessionUser();
  const users = useQuery(trpc.users.list.queryOptions());
  const [dialog, setDialog] = useState<Dialog>(null);
  const [invited, setInvited] = useState<Invited>(null);
  const all = users.data ?? [];

  return (
    <>
      <title>Users · Zweck</title>
      <PageHeader
        title="Users"
        subtitle="Everyone who works in Zweck, with the role that decides what they see. A new user gets a one-time link to set their own password; nobody else ever knows it."
      />
      {invited ? <InvitationLink {...invited} /> : null}
      <Section id="invite" title="Invite user" description="The link is valid for 72 hours and shown once, right here.">
        <InviteUserForm users={all} onInvited={setInvited} />
      </Section>
      {users.isPending ? (
        <Loading label="Loading the users…" />
      ) : users.isError ? (
        <ErrorNotice title="The users could not be loaded" error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <DataTable columns={['User', 'Role', 'Status', 'Second factor', 'Last sign-in', 'Actions']} rows={users.data} caption="Users">
          {(u) => (
            <tr key={u.id} data-testid={`user-row-${u.email}`}>
              <td>
                <strong>{u.displayName}</strong>
                {u.id === me.id ? <span className="muted small"> (you)</span> : null}
                <br />
                <span className="muted small">{u.email}</span>
              </td>
              <td>
                {label(u.role)}
                {u.role === 'sales' && u.managerId ? (
                  <span className="muted small"> · manager: {all.find((m) => m.id === u.managerId)?.displayName ?? 'unknown'}</span>
                ) : null}
              </td>
              <td>
                <span className="badge-row">
                  {u.isActive ? <Badge tone="success">Active</Badge> : <Badge tone="muted">Deactivated</Badge>}
                  <InvitationBadge user={u} />
                </span>
              </td>
              <td>
                {u.secondFactor === 'enrolled' ? (
                  <Badge tone="success">Set up</Badge>
                ) : u.role === 'admin' || u.role === 'dpo' ? (
                  <Badge tone="warning" title="Required for this role: set up at the next sign-in">
                    Not set up
                  </Badge>
                ) : (
                  <span className="muted">Not set up</span>
                )}
              </td>
              <td className="nowrap">{u.lastSignInAt ? <Time value={u.lastSignInAt} /> : <span className="muted">Never</span>}</td>
              <td>
                <span className="badge-row">
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    onClick={() => setDialog({ kind: 'role', user: u })}
                  >
                    Change role
                  </button>
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    onClick={() => setDialog({ kind: 'active', user: u })}
                  >
                    {u.isActive ? 'Deactivate' : 'Reactivate'}
                  </button>
                  {u.secondFactor === 'enrolled' ? (
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      onClick={() => setDialog({ kind: 'secondFactor', user: u })}
                    >
                      Reset second factor
                    </button>
                  ) : null}
                  {u.invitation !== 'accepted' && u.isActive ? (
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      onClick={() => setDialog({ kind: 'reissue', user: u })}
                    >
                      New invitation link
                    </button>
                  ) : null}
                </span>
              </td>
            </tr>
          )}
        </DataTable>
      )}
      {dialog?.kind === 'role' ? <ChangeRoleDialog user={dialog.user} users={all} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'active' ? <ActiveDialog user={dialog.user} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'secondFactor' ? <ResetSecondFactorDialog user={dialog.user} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'reissue' ? <ReissueDialog user={dialog.user} onIssued={setInvited} onClose={() => setDialog(null)} /> : null}
    </>
  );
}
