import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { messageOf } from '../api/problem';
import type { CartLine } from '../api/types';
import { useAuth } from '../app/auth';
import { useCart } from '../app/cart-context';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { Price } from '../ui/price';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/states';

export function CartPage() {
  const { cart, error, refresh } = useCart();
  const { user } = useAuth();
  const navigate = useNavigate();
  const [problem, setProblem] = useState<string | null>(null);

  if (!cart && error) return <ErrorState error={error} onRetry={() => void refresh().catch(() => {})} />;
  if (!cart) return <Loading label="Loading your cart…" />;

  return (
    <section>
      <PageTitle title="Cart">Your cart</PageTitle>
      {problem && <Notice tone="error">{problem}</Notice>}
      {cart.items.length === 0 ? (
        <EmptyState title="Your cart is empty">
          <Link to="/" className="button button--primary">
            Browse the shop
          </Link>
        </EmptyState>
      ) : (
        <div className="two-columns">
          <div className="card">
            <ul className="list" aria-label="Cart items">
              {cart.items.map((line) => (
                <li key={line.sku}>
                  <CartLineRow line={line} onProblem={setProblem} />
                </li>
              ))}
            </ul>
          </div>
          <aside className="card stack" aria-label="Summary">
            <h2>Summary</h2>
            <div className="summary-row">
              <span>Items</span>
              <span>{cart.items.reduce((n, line) => n + line.quantity, 0)}</span>
            </div>
            <div className="summary-row summary-row--total">
              <span>Total</span>
              <Price value={cart.total} />
            </div>
            {!user && (
              <p className="muted">
                You will sign in or create an account at checkout; your cart comes with you.
              </p>
            )}
            <Button className="button--wide" onClick={() => navigate('/checkout')}>
              Check out
            </Button>
          </aside>
        </div>
      )}
    </section>
  );
}

function CartLineRow({ line, onProblem }: { line: CartLine; onProblem: (message: string | null) => void }) {
  const { setQuantity, remove } = useCart();
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    onProblem(null);
    try {
      await action();
    } catch (error) {
      onProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="cart-line" aria-busy={busy}>
      <div>
        <Link to={`/products/${line.productId}`}>
          <strong>{line.name}</strong>
        </Link>
        <div className="muted">
          <Price value={line.unitPrice} className="" /> each
        </div>
      </div>
      <fieldset className="stepper">
        <legend className="visually-hidden">Quantity of {line.name}</legend>
        <Button
          variant="secondary"
          className="button--small"
          aria-label={`One fewer ${line.name}`}
          disabled={busy || line.quantity <= 1}
          onClick={() => run(() => setQuantity(line.sku, line.quantity - 1))}
        >
          −
        </Button>
        <output aria-live="polite" aria-label={`Quantity of ${line.name}`}>
          {line.quantity}
        </output>
        <Button
          variant="secondary"
          className="button--small"
          aria-label={`One more ${line.name}`}
          disabled={busy || line.quantity >= 99}
          onClick={() => run(() => setQuantity(line.sku, line.quantity + 1))}
        >
          +
        </Button>
      </fieldset>
      <Price value={line.lineTotal} />
      <Button
        variant="ghost"
        className="button--small"
        disabled={busy}
        onClick={() => run(() => remove(line.sku))}
      >
        Remove<span className="visually-hidden"> {line.name}</span>
      </Button>
    </div>
  );
}
