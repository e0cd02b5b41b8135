import { createContext, type ReactNode, useCallback, useContext, useMemo, useSyncExternalStore } from 'react';
import { api } from '../api/client';
import { sessionStore } from '../api/session';
import type { Session, User } from '../api/types';

export interface Auth {
  user: User | null;
  isAdmin: boolean;
  signIn(email: string, password: string): Promise<User>;
  signUp(details: { email: string; password: string; name: string }): Promise<User>;
  signOut(): void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const session = useSyncExternalStore(sessionStore.subscribe, sessionStore.current);

  const start = useCallback((next: Session) => {
    sessionStore.set(next);
    return next.user;
  }, []);

  const signIn = useCallback(
    async (email: string, password: string) =>
      start(await api.post<Session>('/api/v1/auth/login', { email, password })),
    [start],
  );
  const signUp = useCallback(
    async (details: { email: string; password: string; name: string }) =>
      start(await api.post<Session>('/api/v1/auth/register', details)),
    [start],
  );
  // There is no server session to end: forgetting the tokens is signing out; they expire on their own.
  const signOut = useCallback(() => sessionStore.set(null), []);

  const value = useMemo<Auth>(() => {
    const user = session?.user ?? null;
    return { user, isAdmin: user?.roles.includes('admin') ?? false, signIn, signUp, signOut };
  }, [session, signIn, signUp, signOut]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth needs an <AuthProvider> above it');
  return auth;
}
