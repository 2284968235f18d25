import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { PageHeader } from '../../components/page-header.tsx';
import { label } from '../../lib/labels.ts';
import { can, type Permission } from './permissions.ts';
import { useSessionUser } from './session.tsx';

/** A page a role may not use says so instead of failing request by request. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const user = useSessionUser();
  if (can(user.role, permission)) return children;
  return (
    <>
      <title>Not available · Zweck</title>
      <PageHeader title="Not available for your role" />
      <div className="notice notice-warning" role="alert">
        <p>
          You are signed in as <strong>{label(user.role)}</strong>, and this page is not part of that role. Ask an administrator if you need
          it.
        </p>
        <p>
          <Link to="/contacts">Back to contacts</Link>
        </p>
      </div>
    </>
  );
}
