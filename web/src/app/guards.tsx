import { Navigate, Outlet, useLocation } from 'react-router';
import { EmptyState } from '../ui/states';
import { useAuth } from './auth';

/** Pages for signed-in shoppers: a guest is sent to sign in and brought back afterwards. */
export function RequireSignIn() {
  const { user } = useAuth();
  const location = useLocation();
  if (!user) {
    const back = `${location.pathname}${location.search}`;
    return <Navigate to={`/signin?next=${encodeURIComponent(back)}`} replace />;
  }
  return <Outlet />;
}

export function RequireAdmin() {
  const { user, isAdmin } = useAuth();
  const location = useLocation();
  if (!user) {
    return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname)}`} replace />;
  }
  if (!isAdmin) {
    return (
      <EmptyState title="Admins only">
        <p>Your account ({user.email}) cannot open this page.</p>
      </EmptyState>
    );
  }
  return <Outlet />;
}
