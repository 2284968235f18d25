import { NavLink } from 'react-router';

const tabClass = ({ isActive }: { isActive: boolean }): string => (isActive ? 'tab tab-active' : 'tab');

/** The sections of the privacy area, in the order the DPO works through them. */
const PRIVACY_TABS = [
  { to: '/privacy', label: 'Overview', end: true },
  { to: '/privacy/inbox', label: 'Inbox' },
  { to: '/privacy/requests', label: 'Requests' },
  { to: '/privacy/art14', label: 'Art. 14' },
  { to: '/privacy/reviews', label: 'Reviews' },
  { to: '/privacy/retention', label: 'Retention' },
  { to: '/privacy/processors', label: 'Processors' },
  { to: '/privacy/records', label: 'Records' },
  { to: '/privacy/audit', label: 'Audit log' },
] as const satisfies readonly { to: string; label: string; end?: boolean }[];

/** The data protection officer's workplace: one menu entry, its sections as tabs. */
export function PrivacyNav() {
  return (
    <nav aria-label="Privacy" className="tabs">
      {PRIVACY_TABS.map((tab) => (
        <NavLink key={tab.to} to={tab.to} end={'end' in tab ? tab.end : false} className={tabClass}>
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}
