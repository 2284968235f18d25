import { useMutation } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ErrorNotice } from '../../components/feedback.tsx';
import { label } from '../../lib/labels.ts';
import { trpc } from '../../lib/trpc.ts';
import { invalidateUsers, ROLES, salesManagers, type UserRow } from './invite-user-form.tsx';

/** A modal question before a change that ends sessions or locks someone out; the API's answer is shown inside it. */
function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busyLabel,
  danger,
  busy,
  error,
  errorTitle,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  danger?: boolean;
  busy: boolean;
  error: unknown;
  errorTitle: string;
  onConfirm: () => Promise<boolean>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    // No cleanup: an unmounted <dialog> leaves the top layer by itself.
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const confirm = async (): Promise<void> => {
    if (busy) return;
    if (await onConfirm()) dialog.current?.close();
  };
  return (
    <dialog
      ref={dialog}
      className="modal"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onClose={onClose}
      onCancel={(event) => {
        if (busy) event.preventDefault();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-text`}>{children}</div>
      {error ? <ErrorNotice title={errorTitle} error={error} /> : null}
      <div className="form-actions">
        <button
          type="button"
          className={danger ? 'button button-danger' : 'button button-primary'}
          onClick={() => void confirm()}
          disabled={busy}
        >
          {busy ? busyLabel : confirmLabel}
        </button>
        <button type="button" className="button button-secondary" onClick={() => dialog.current?.close()} disabled={busy}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/** The role (and a sales user's manager); the user's sessions end at once. */
export function ChangeRoleDialog({ user, users, onClose }: { user: UserRow; users: readonly UserRow[]; onClose: () => void }) {
  const [role, setRole] = useState<UserRow['role']>(user.role);
  const [managerId, setManagerId] = useState(user.managerId ?? '');
  const update = useMutation(trpc.users.update.mutationOptions());
  const managers = salesManagers(users, user.id);
  return (
    <ConfirmDialog
      title={`Change the role of ${user.displayName}`}
      confirmLabel="Change role"
      busyLabel="Changing…"
      busy={update.isPending}
      error={update.error}
      errorTitle="The role was not changed"
      onClose={onClose}
      onConfirm={async () => {
        try {
          await update.mutateAsync({ id: user.id, role, ...(role === 'sales' ? { managerId: managerId === '' ? null : managerId } : {}) });
          await invalidateUsers();
          return true;
        } catch {
          return false; // Shown in the dialog.
        }
      }}
    >
      <div className="field">
        <label htmlFor="change-role">New role</label>
        <select id="change-role" value={role} onChange={(e) => setRole(e.target.value as UserRow['role'])}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {label(r)}
            </option>
          ))}
        </select>
      </div>
      {role === 'sales' ? (
        <div className="field">
          <label htmlFor="change-manager">Sales manager</label>
          <select id="change-manager" value={managerId} onChange={(e) => setManagerId(e.target.value)}>
            <option value="">No manager</option>
            {managers.map((m) => (
              <option key={m.id} value={m.id}>
                {m.displayName}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <p>
        <strong>All of {user.displayName}’s sessions end at once</strong>: they sign in again and then work with the rights of the new role.
        Administrators and data protection officers need a second factor.
      </p>
    </ConfirmDialog>
  );
}

/** Deactivate (sessions end, sign-in refused) or reactivate an account. */
export function ActiveDialog({ user, onClose }: { user: UserRow; onClose: () => void }) {
  const update = useMutation(trpc.users.update.mutationOptions());
  const deactivate = user.isActive;
  return (
    <ConfirmDialog
      title={deactivate ? `Deactivate ${user.displayName}?` : `Reactivate ${user.displayName}?`}
      confirmLabel={deactivate ? 'Deactivate' : 'Reactivate'}
      busyLabel={deactivate ? 'Deactivating…' : 'Reactivating…'}
      danger={deactivate}
      busy={update.isPending}
      error={update.error}
      errorTitle={deactivate ? 'The user was not deactivated' : 'The user was not reactivated'}
      onClose={onClose}
      onConfirm={async () => {
        try {
          await update.mutateAsync({ id: user.id, isActive: !deactivate });
          await invalidateUsers();
          return true;
        } catch {
          return false;
        }
      }}
    >
      {deactivate ? (
        <p>Their sessions end at once and they can no longer sign in. Nothing they did is removed; you can reactivate the account later.</p>
      ) : (
        <p>They can sign in again with their password (and second factor, where they have one).</p>
      )}
    </ConfirmDialog>
  );
}

/** A new one-time link for someone who has not set a password yet; earlier links stop working. */
export function ReissueDialog({
  user,
  onIssued,
  onClose,
}: {
  user: UserRow;
  onIssued: (invited: { displayName: string; url: string; expiresAt: string | Date }) => void;
  onClose: () => void;
}) {
  const reissue = useMutation(trpc.users.reissueInvitation.mutationOptions());
  return (
    <ConfirmDialog
      title={`New invitation link for ${user.displayName}`}
      confirmLabel="Create new link"
      busyLabel="Creating…"
      busy={reissue.isPending}
      error={reissue.error}
      errorTitle="No new link was created"
      onClose={onClose}
      onConfirm={async () => {
        try {
          const issued = await reissue.mutateAsync({ id: user.id });
          onIssued({ displayName: user.displayName, url: issued.invitationUrl, expiresAt: issued.expiresAt });
          await invalidateUsers();
          return true;
        } catch {
          return false;
        }
      }}
    >
      <p>The earlier link stops working. The new one is valid for 72 hours and is shown once, on this page.</p>
    </ConfirmDialog>
  );
}

/** For someone who lost their authenticator and recovery codes: both are removed and their sessions end. */
export function ResetSecondFactorDialog({ user, onClose }: { user: UserRow; onClose: () => void }) {
  const reset = useMutation(trpc.users.resetSecondFactor.mutationOptions());
  return (
    <ConfirmDialog
      title={`Reset the second factor of ${user.displayName}?`}
      confirmLabel="Reset second factor"
      busyLabel="Resetting…"
      danger
      busy={reset.isPending}
      error={reset.error}
      errorTitle="The second factor was not reset"
      onClose={onClose}
      onConfirm={async () => {
        try {
          await reset.mutateAsync({ id: user.id });
          await invalidateUsers();
          return true;
        } catch {
          return false;
        }
      }}
    >
      <p>
        Their authenticator and recovery codes stop working and all their sessions end at once.{' '}
        {user.role === 'admin' || user.role === 'dpo'
          ? 'At the next sign-in they must set up a new authenticator before anything else.'
          : 'They can set up a new authenticator under their account’s security settings.'}
      </p>
      <p className="muted small">Do this only when you are sure who asked: whoever has their password can then enrol a new one.</p>
    </ConfirmDialog>
  );
}
