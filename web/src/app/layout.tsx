import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { Button } from '../ui/button';
import { navLinkClass } from '../ui/tabs';
import { useAuth } from './auth';
import { useCart } from './cart-context';

export function Layout() {
  const { user, isAdmin, signOut } = useAuth();
  const { itemCount } = useCart();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstPage = useRef(true);

  // A new page moves keyboard and screen-reader focus to its content, as a full page load would.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new path, which it does not read
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    main.current?.focus();
    window.scrollTo(0, 0);
  }, [pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <div className="header__inner">
          <NavLink to="/" className="brand" aria-label="Bazaar home">
            <span className="brand__mark" aria-hidden="true">
              B
            </span>
            Bazaar
          </NavLink>
          <nav className="nav" aria-label="Main">
            <NavLink to="/" end className={navLinkClass}>
              Shop
            </NavLink>
            <NavLink to="/cart" className={navLinkClass}>
              Cart
              {itemCount > 0 && (
                <span className="badge">
                  {itemCount}
                  <span className="visually-hidden"> in cart</span>
                </span>
              )}
            </NavLink>
            <NavLink to="/orders" className={navLinkClass}>
              Orders
            </NavLink>
            <NavLink to="/notifications" className={navLinkClass}>
              Notifications
            </NavLink>
            {isAdmin && (
              <>
                <NavLink to="/admin" className={navLinkClass}>
                  Admin
                </NavLink>
                <NavLink to="/ops" className={navLinkClass}>
                  Operations
                </NavLink>
              </>
            )}
          </nav>
          <div className="account">
            {user ? (
              <>
                <span className="account__name" title={user.email}>
                  {user.name}
                </span>
                <Button
                  variant="ghost"
                  onClick={() => {
                    signOut();
                    navigate('/');
                  }}
                >
                  Sign out
                </Button>
              </>
            ) : (
              <>
                <NavLink to="/signin" className="nav__link">
                  Sign in
                </NavLink>
                <NavLink to="/signup" className="button button--primary button--small">
                  Sign up
                </NavLink>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
      <footer className="footer">
        <span>Bazaar — a demo shop; payments are simulated.</span>
        <a href="/docs">API docs</a>
      </footer>
    </div>
  );
}
