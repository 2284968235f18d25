import { NavLink } from 'react-router';

const tabClass = ({ isActive }: { isActive: boolean }): string => (isActive ? 'tab tab-active' : 'tab');

/** The two catalogues side by side: what is processed for which purpose, and which data. */
export function CatalogueNav() {
  return (
    <nav aria-label="Catalogue" className="tabs">
      <NavLink to="/catalogue/purposes" className={tabClass}>
        Purposes
      </NavLink>
      <NavLink to="/catalogue/fields" className={tabClass}>
        Fields
      </NavLink>
    </nav>
  );
}
