import { NavLink, Outlet } from 'react-router';
import { label } from '../../lib/labels.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { SignOutButton } from '../auth/sign-out-button.tsx';

const navClass = ({ isActive }: { isActive: boolean }): string => (isActive ? 'nav-link nav-link-active' : 'nav-link');

export function AppLayout() {
  const user = useSessionUser();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <NavLink to="/contacts" className="brand" aria-label="Zweck, contacts">
            <span className="brand-mark" aria-hidden="true">
              Z
            </span>
            <span className="brand-name">Zweck</span>
          </NavLink>
          <nav aria-label="Main">
            <ul className="nav">
              <li>
                <NavLink to="/contacts" end className={navClass}>
                  Contacts
                </NavLink>
              </li>
              {can(user.role, 'contacts.create') ? (
                <li>
                  <NavLink to="/contacts/new" className={navClass}>
                    New contact
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'contacts.import') ? (
                <li>
                  <NavLink to="/import" className={navClass}>
                    Import
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'outbox.read') ? (
                <li>
                  <NavLink to="/outbox" className={navClass}>
                    Outbox
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'segments.read') ? (
                <li>
                  <NavLink to="/segments" className={navClass}>
                    Segments
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'templates.read') ? (
                <li>
                  <NavLink to="/templates" className={navClass}>
                    Templates
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'campaigns.read') ? (
                <li>
                  <NavLink to="/campaigns" className={navClass}>
                    Campaigns
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'journeys.read') ? (
                <li>
                  <NavLink to="/journeys" className={navClass}>
                    Journeys
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'leads.read') ? (
                <li>
                  <NavLink to="/leads" className={navClass}>
                    Leads
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'scoring.edit') ? (
                <li>
                  <NavLink to="/scoring" className={navClass}>
                    Scoring
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'catalogue.read') ? (
                <li>
                  <NavLink to="/catalogue" className={navClass}>
                    Catalogue
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'privacy.read') ? (
                <li>
                  <NavLink to="/privacy" className={navClass}>
                    Privacy
                  </NavLink>
                </li>
              ) : null}
              {can(user.role, 'users.manage') ? (
                <li>
                  <NavLink to="/admin/users" className={navClass}>
                    Users
                  </NavLink>
                </li>
              ) : null}
            </ul>
          </nav>
          <div className="user-menu">
            <div className="user-identity">
              <span className="user-name">{user.displayName}</span>
              <span className="user-detail">
                {user.email} · <span className="role-tag">{label(user.role)}</span>
              </span>
            </div>
            <NavLink to="/account/password" className="button button-ghost button-small">
              Change password
            </NavLink>
            <NavLink to="/account/security" className="button button-ghost button-small">
              Security
            </NavLink>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
