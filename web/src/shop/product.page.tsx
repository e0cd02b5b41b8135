import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { messageOf } from '../api/problem';
import { catalogApi } from '../api/shop';
import { useCart } from '../app/cart-context';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';
import { Price } from '../ui/price';
import { ErrorState, Loading, Notice } from '../ui/states';
import { useResource } from '../ui/use-resource';
import { Availability } from './availability';

export function ProductPage() {
  const { id = '' } = useParams();
  const product = useResource((signal) => catalogApi.getProduct(id, signal), [id]);
  const categories = useResource((signal) => catalogApi.listCategories(signal), []);
  const { add } = useCart();
  const [quantity, setQuantity] = useState('1');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  if (product.state === 'error') return <ErrorState error={product.error} onRetry={product.reload} />;
  if (!product.data) return <Loading label="Loading the product…" />;
  const item = product.data;
  const wanted = Number(quantity);
  const quantityError =
    Number.isInteger(wanted) && wanted >= 1 && wanted <= 99 ? undefined : 'Choose between 1 and 99.';

  const addToCart = async () => {
    if (quantityError) return;
    setBusy(true);
    setOutcome(null);
    try {
      await add(item.sku, wanted);
      setOutcome({ tone: 'success', text: `Added ${wanted} to your cart.` });
    } catch (error) {
      setOutcome({ tone: 'error', text: messageOf(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/">Shop</Link> ›{' '}
        <Link to={`/?category=${encodeURIComponent(item.category)}`}>
          {categories.data?.find((c) => c.slug === item.category)?.name ?? item.category}
        </Link>
      </nav>
      <div className="product-detail">
        <img className="product-detail__image" src={item.imageUrl} alt={item.name} width={600} height={450} />
        <div className="stack">
          <PageTitle title={item.name}>{item.name}</PageTitle>
          <Price value={item.price} className="price price--large" />
          <p aria-live="polite">
            <Availability available={item.available} />
          </p>
          <p>{item.description}</p>
          <p className="muted mono">SKU {item.sku}</p>
          <form
            className="row"
            onSubmit={(event) => {
              event.preventDefault();
              void addToCart();
            }}
          >
            <div className="quantity-input">
              <TextField
                label="Quantity"
                type="number"
                min={1}
                max={99}
                inputMode="numeric"
                value={quantity}
                error={quantityError}
                onChange={(event) => setQuantity(event.target.value)}
              />
            </div>
            <Button type="submit" busy={busy} disabled={item.available <= 0} style={{ alignSelf: 'end' }}>
              Add to cart
            </Button>
          </form>
          {outcome && (
            <Notice tone={outcome.tone}>
              {outcome.text} {outcome.tone === 'success' && <Link to="/cart">Go to your cart</Link>}
            </Notice>
          )}
        </div>
      </div>
    </section>
  );
}
