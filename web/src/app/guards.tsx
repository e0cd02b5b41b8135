import { Navigate, Outlet, useLocation } from 'react-router';
import { EmptyState } from '../ui/states';
import { useAuth } from './auth';

/** To the sign-in page, which brings the guest back to this page, filters (the query) and all. */
function SignInFirst() {
  const { pathname, search } = useLocation();
  return <Navigate to={`/signin?next=${encodeURIComponent(`${pathname}${search}`)}`} replace />;
}

/** Pages for signed-in shoppers: a guest is sent to sign in and brought back afterwards. */
export function RequireSignIn() {
  const { user } = useAuth();
  if (!user) return <SignInFirst />;
  return <Outlet />;
}

export function RequireAdmin() {
  const { user, isAdmin } = useAuth();
  if (!user) return <SignInFirst />;
  if (!isAdmin) {
    return (
      <EmptyState title="Admins only">
        <p>Your account ({user.email}) cannot open this page.</p>
      </EmptyState>
    );
  }
  return <Outlet />;
}
