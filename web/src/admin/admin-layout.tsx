import { NavLink, Outlet } from 'react-router';

const tabClass = ({ isActive }: { isActive: boolean }) =>
  isActive ? 'nav__link nav__link--active' : 'nav__link';

export function AdminLayout() {
  return (
    <div>
      <nav className="tabs" aria-label="Admin">
        <NavLink to="/admin" end className={tabClass}>
          Products
        </NavLink>
        <NavLink to="/admin/stock" className={tabClass}>
          Stock
        </NavLink>
        <NavLink to="/admin/orders" className={tabClass}>
          Orders
        </NavLink>
      </nav>
      <Outlet />
    </div>
  );
}
