import type { Session } from './types';

const sessionKey = 'bazaar.session';
const guestCartKey = 'bazaar.guestCartId';

type Listener = () => void;
const listeners = new Set<Listener>();
let current: Session | null = readStoredSession();

function readStoredSession(): Session | null {
  try {
    const raw = localStorage.getItem(sessionKey);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function notify() {
  for (const listener of listeners) listener();
}

// Another tab signed in or out: follow it, so two tabs never act as two people.
window.addEventListener('storage', (event) => {
  if (event.key !== sessionKey) return;
  current = readStoredSession();
  notify();
});

/** The signed-in shopper's tokens, kept in localStorage so a reload stays signed in. */
export const sessionStore = {
  current: (): Session | null => current,

  set(session: Session | null) {
    current = session;
    if (session) localStorage.setItem(sessionKey, JSON.stringify(session));
    else localStorage.removeItem(sessionKey);
    notify();
  },

  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  /** A guest's cart is known by the id its first answer gave; it is merged into theirs at sign-in. */
  guestCartId: (): string | null => localStorage.getItem(guestCartKey),

  setGuestCartId(id: string | null) {
    if (id) localStorage.setItem(guestCartKey, id);
    else localStorage.removeItem(guestCartKey);
  },
};
