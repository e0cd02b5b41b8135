import { type FormEvent, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { newIdempotencyKey } from '../api/client';
import { ApiError, messageOf } from '../api/problem';
import { orderApi } from '../api/shop';
import type { Address } from '../api/types';
import { useAuth } from '../app/auth';
import { useCart } from '../app/cart-context';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';
import { Price } from '../ui/price';
import { EmptyState, Loading, Notice } from '../ui/states';
import { paymentMethods } from './payment-methods';

type AddressForm = Required<Address>;
type FieldErrors = Partial<Record<keyof AddressForm | 'paymentMethod', string>>;

function validate(address: AddressForm): FieldErrors {
  const errors: FieldErrors = {};
  if (!address.name.trim()) errors.name = 'Enter the name to ship to.';
  if (!address.line1.trim()) errors.line1 = 'Enter the street address.';
  if (!address.city.trim()) errors.city = 'Enter the city.';
  if (!address.postalCode.trim()) errors.postalCode = 'Enter the postal code.';
  if (!/^[A-Z]{2}$/.test(address.country.trim().toUpperCase()))
    errors.country = 'Enter a two-letter country code, such as DE or GB.';
  return errors;
}

export function CheckoutPage() {
  const { user } = useAuth();
  const { cart, refresh } = useCart();
  const navigate = useNavigate();
  const [address, setAddress] = useState<AddressForm>({
    name: user?.name ?? '',
    line1: '',
    line2: '',
    city: '',
    postalCode: '',
    country: '',
  });
  const [paymentMethod, setPaymentMethod] = useState('pm_card_visa');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per distinct order: a retry of the same form (a lost answer) is recognised by the server and
  // answered the same, while a changed form is a new checkout with a key of its own.
  const attempt = useRef<{ body: string; key: string } | null>(null);

  if (!cart) return <Loading label="Loading your cart…" />;
  if (cart.items.length === 0) {
    return (
      <section>
        <PageTitle title="Checkout">Checkout</PageTitle>
        <EmptyState title="There is nothing to check out">
          <Link to="/" className="button button--primary">
            Browse the shop
          </Link>
        </EmptyState>
      </section>
    );
  }

  const set = (field: keyof AddressForm) => (event: { target: { value: string } }) =>
    setAddress((current) => ({ ...current, [field]: event.target.value }));

  const placeOrder = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate(address);
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    const shippingAddress: Address = {
      name: address.name.trim(),
      line1: address.line1.trim(),
      ...(address.line2.trim() ? { line2: address.line2.trim() } : {}),
      city: address.city.trim(),
      postalCode: address.postalCode.trim(),
      country: address.country.trim().toUpperCase(),
    };
    const body = { shippingAddress, paymentMethod };
    const text = JSON.stringify(body);
    if (attempt.current?.body !== text) attempt.current = { body: text, key: newIdempotencyKey() };
    setBusy(true);
    try {
      const accepted = await orderApi.checkout(body, attempt.current.key);
      await refresh().catch(() => {});
      navigate(`/orders/${accepted.orderId}`, { state: { placed: true } });
    } catch (error) {
      setFailure(messageOf(error));
      if (error instanceof ApiError) {
        const fromServer: FieldErrors = {};
        for (const [path, message] of Object.entries(error.fieldErrors)) {
          const field = path.replace(/^shippingAddress\./, '') as keyof FieldErrors;
          fromServer[field] = message;
        }
        setErrors(fromServer);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <PageTitle title="Checkout">Checkout</PageTitle>
      <form className="two-columns" onSubmit={placeOrder} noValidate>
        <div className="stack">
          {failure && <Notice tone="error">{failure}</Notice>}
          <fieldset className="card">
            <legend>Shipping address</legend>
            <div className="form">
              <TextField
                label="Full name"
                autoComplete="name"
                value={address.name}
                onChange={set('name')}
                error={errors.name}
              />
              <TextField
                label="Street address"
                autoComplete="address-line1"
                value={address.line1}
                onChange={set('line1')}
                error={errors.line1}
              />
              <TextField
                label="Apartment, suite (optional)"
                autoComplete="address-line2"
                value={address.line2}
                onChange={set('line2')}
                error={errors.line2}
              />
              <div className="form-grid">
                <TextField
                  label="City"
                  autoComplete="address-level2"
                  value={address.city}
                  onChange={set('city')}
                  error={errors.city}
                />
                <TextField
                  label="Postal code"
                  autoComplete="postal-code"
                  value={address.postalCode}
                  onChange={set('postalCode')}
                  error={errors.postalCode}
                />
                <TextField
                  label="Country code"
                  hint="Two letters, such as DE, FR or GB."
                  autoComplete="country"
                  maxLength={2}
                  value={address.country}
                  onChange={set('country')}
                  error={errors.country}
                />
              </div>
            </div>
          </fieldset>
          <fieldset className="card">
            <legend>Payment method</legend>
            <p className="muted">
              Payments are simulated: choose a test card to see what happens to the order.
            </p>
            <div className="payment-options">
              {paymentMethods.map((method) => (
                <label key={method.id} className="payment-option">
                  <input
                    type="radio"
                    name="paymentMethod"
                    value={method.id}
                    checked={paymentMethod === method.id}
                    onChange={() => setPaymentMethod(method.id)}
                  />
                  <span className="payment-option__name">{method.name}</span>
                  <span className="payment-option__text">
                    {method.outcome} <span className="mono">{method.id}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        </div>
        <aside className="card stack" aria-label="Order summary">
          <h2>Order summary</h2>
          {cart.items.map((line) => (
            <div key={line.sku} className="summary-row">
              <span>
                {line.quantity} × {line.name}
              </span>
              <Price value={line.lineTotal} />
            </div>
          ))}
          <div className="summary-row summary-row--total">
            <span>Total</span>
            <Price value={cart.total} />
          </div>
          <Button type="submit" className="button--wide" busy={busy}>
            Place order
          </Button>
        </aside>
      </form>
    </section>
  );
}
