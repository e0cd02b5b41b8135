import { NavLink, Outlet } from 'react-router';
import './ops.css';

const tabClass = ({ isActive }: { isActive: boolean }) =>
  isActive ? 'nav__link nav__link--active' : 'nav__link';

export function OpsLayout() {
  return (
    <div>
      <nav className="tabs" aria-label="Operations">
        <NavLink to="/ops" end className={tabClass}>
          Health
        </NavLink>
        <NavLink to="/ops/sagas" className={tabClass}>
          Sagas
        </NavLink>
        <NavLink to="/ops/dead-letters" className={tabClass}>
          Dead letters
        </NavLink>
        <NavLink to="/ops/figures" className={tabClass}>
          Figures
        </NavLink>
      </nav>
      <Outlet />
    </div>
  );
}
