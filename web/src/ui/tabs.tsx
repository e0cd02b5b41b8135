import { NavLink, Outlet } from 'react-router';

/** The class of a link in a navigation bar: marked while its page is the one shown. */
export const navLinkClass = ({ isActive }: { isActive: boolean }) =>
  isActive ? 'nav__link nav__link--active' : 'nav__link';

export interface Tab {
  to: string;
  label: string;
  /** Active only on this exact path, not on the paths below it (the section's first page). */
  end?: boolean;
}

/** A section of the app (admin, operations): its tabs, then the page of the tab chosen. */
export function TabsLayout({ label, tabs }: { label: string; tabs: Tab[] }) {
  return (
    <div>
      <nav className="tabs" aria-label={label}>
        {tabs.map((tab) => (
          <NavLink key={tab.to} to={tab.to} end={tab.end} className={navLinkClass}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
