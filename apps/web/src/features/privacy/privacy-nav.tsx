import { NavLink } from 'react-router';

const tabClass = ({ isActive }: { isActive: boolean }): string => (isActive ? 'tab tab-active' : 'tab');

/** The data protection officer's workplace: one menu entry, its sections as tabs. */
export function PrivacyNav() {
  return (
    <nav aria-label="Privacy" className="tabs">
      <NavLink to="/privacy" end className={tabClass}>
        Overview
      </NavLink>
      <NavLink to="/privacy/inbox" className={tabClass}>
        Inbox
      </NavLink>
      <NavLink to="/privacy/requests" className={tabClass}>
        Requests
      </NavLink>
      <NavLink to="/privacy/art14" className={tabClass}>
        Art. 14
      </NavLink>
      <NavLink to="/privacy/reviews" className={tabClass}>
        Reviews
      </NavLink>
      <NavLink to="/privacy/retention" className={tabClass}>
        Retention
      </NavLink>
      <NavLink to="/privacy/processors" className={tabClass}>
        Processors
      </NavLink>
      <NavLink to="/privacy/records" className={tabClass}>
        Records
      </NavLink>
      <NavLink to="/privacy/audit" className={tabClass}>
        Audit log
      </NavLink>
    </nav>
  );
}
