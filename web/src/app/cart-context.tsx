import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import { sessionStore } from '../api/session';
import type { Cart } from '../api/types';
import { useAuth } from './auth';

export interface CartState {
  cart: Cart | null;
  error: unknown;
  itemCount: number;
  refresh(): Promise<Cart>;
  add(sku: string, quantity: number): Promise<Cart>;
  setQuantity(sku: string, quantity: number): Promise<Cart>;
  remove(sku: string): Promise<Cart>;
  /** After checkout the server has emptied the cart. */
  clear(): void;
}

const CartContext = createContext<CartState | null>(null);

export function CartProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const [cart, setCart] = useState<Cart | null>(null);
  const [error, setError] = useState<unknown>(null);

  const keep = useCallback((next: Cart) => {
    // A guest's cart id comes with its first answer. Once signed in, sending it once merged that cart
    // into the shopper's (the answer is then theirs), so it can be forgotten.
    if (sessionStore.current()) sessionStore.setGuestCartId(null);
    else sessionStore.setGuestCartId(next.id);
    setCart(next);
    setError(null);
    return next;
  }, []);

  const refresh = useCallback(async () => keep(await api.get<Cart>('/api/v1/cart')), [keep]);

  // Signing in or out changes whose cart this is (and merges a guest cart at sign-in).
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the user changes
  useEffect(() => {
    refresh().catch(setError);
  }, [user?.id, refresh]);

  const value = useMemo<CartState>(
    () => ({
      cart,
      error,
      itemCount: cart?.items.reduce((sum, line) => sum + line.quantity, 0) ?? 0,
      refresh,
      add: async (sku, quantity) => keep(await api.post<Cart>('/api/v1/cart/items', { sku, quantity })),
      setQuantity: async (sku, quantity) =>
        keep(await api.patch<Cart>(`/api/v1/cart/items/${encodeURIComponent(sku)}`, { quantity })),
      remove: async (sku) => keep(await api.delete<Cart>(`/api/v1/cart/items/${encodeURIComponent(sku)}`)),
      clear: () =>
        setCart((previous) =>
          previous ? { ...previous, items: [], total: { ...previous.total, amount: 0 } } : previous,
        ),
    }),
    [cart, error, refresh, keep],
  );

  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartState {
  const state = useContext(CartContext);
  if (!state) throw new Error('useCart needs a <CartProvider> above it');
  return state;
}
