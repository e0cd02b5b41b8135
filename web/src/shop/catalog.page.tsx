import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { messageOf } from '../api/problem';
import { catalogApi } from '../api/shop';
import type { Product } from '../api/types';
import { useCart } from '../app/cart-context';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { SelectField, TextField } from '../ui/field';
import { Price } from '../ui/price';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/states';
import { useResource } from '../ui/use-resource';
import { Availability } from './availability';

const pageSize = 12;

export function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  // The cursors of the pages before this one; the last is this page's (undefined: the first page).
  const [trail, setTrail] = useState<(string | undefined)[]>([undefined]);
  const cursor = trail[trail.length - 1];
  const [searchText, setSearchText] = useState(q);

  const categories = useResource((signal) => catalogApi.listCategories(signal), []);
  const products = useResource(
    (signal) =>
      catalogApi.listProducts(
        { q: q || undefined, category: category || undefined, cursor, limit: pageSize },
        signal,
      ),
    [q, category, cursor],
  );

  const applyFilters = (next: { q: string; category: string }) => {
    const search = new URLSearchParams();
    if (next.q.trim()) search.set('q', next.q.trim());
    if (next.category) search.set('category', next.category);
    setParams(search);
    setTrail([undefined]);
  };

  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    applyFilters({ q: searchText, category });
  };

  const categoryName = (slug: string) => categories.data?.find((c) => c.slug === slug)?.name ?? slug;

  return (
    <section>
      <PageTitle title={q ? `Search: ${q}` : 'Shop'}>{q ? `Results for “${q}”` : 'Shop'}</PageTitle>
      <search>
        <form className="filters" onSubmit={onSearch}>
          <TextField
            label="Search products"
            type="search"
            name="q"
            value={searchText}
            placeholder="Name, category or description"
            onChange={(event) => setSearchText(event.target.value)}
          />
          <SelectField
            label="Category"
            name="category"
            value={category}
            onChange={(event) => applyFilters({ q: searchText, category: event.target.value })}
            options={[
              { value: '', label: 'All categories' },
              ...(categories.data ?? []).map((c) => ({ value: c.slug, label: c.name })),
            ]}
          />
          <Button type="submit">Search</Button>
        </form>
      </search>

      {products.state === 'error' && <ErrorState error={products.error} onRetry={products.reload} />}
      {products.state === 'loading' && !products.data && <Loading label="Loading products…" />}
      {products.data && products.state !== 'error' && (
        <>
          {products.data.items.length === 0 ? (
            <EmptyState title="No products match">
              <p>Try another word or category.</p>
              {(q || category) && (
                <Button
                  variant="secondary"
                  onClick={() => {
                    setSearchText('');
                    applyFilters({ q: '', category: '' });
                  }}
                >
                  Show all products
                </Button>
              )}
            </EmptyState>
          ) : (
            <ul className="product-grid" aria-busy={products.state === 'loading'} aria-label="Products">
              {products.data.items.map((product) => (
                <li key={product.id}>
                  <ProductCard product={product} categoryName={categoryName(product.category)} />
                </li>
              ))}
            </ul>
          )}
          <nav className="pager" aria-label="Pages">
            <Button
              variant="secondary"
              disabled={trail.length <= 1}
              onClick={() => setTrail((t) => t.slice(0, -1))}
            >
              Previous page
            </Button>
            <span className="muted" aria-live="polite">
              Page {trail.length}
            </span>
            <Button
              variant="secondary"
              disabled={!products.data.nextCursor}
              onClick={() => setTrail((t) => [...t, products.data?.nextCursor ?? undefined])}
            >
              Next page
            </Button>
          </nav>
        </>
      )}
    </section>
  );
}

function ProductCard({ product, categoryName }: { product: Product; categoryName: string }) {
  const { add } = useCart();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  const addToCart = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      await add(product.sku, 1);
      setOutcome({ tone: 'success', text: 'Added to your cart' });
    } catch (error) {
      setOutcome({ tone: 'error', text: messageOf(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="product-card">
      <img
        className="product-card__image"
        src={product.imageUrl}
        alt=""
        loading="lazy"
        width={400}
        height={300}
      />
      <div className="product-card__body">
        <span className="muted">{categoryName}</span>
        <h2 className="product-card__name">
          <Link to={`/products/${product.id}`}>{product.name}</Link>
        </h2>
        <Availability available={product.available} />
        <div className="product-card__footer">
          <Price value={product.price} />
          <Button
            variant="primary"
            className="button--small"
            busy={busy}
            disabled={product.available <= 0}
            onClick={addToCart}
            aria-label={`Add ${product.name} to cart`}
          >
            Add to cart
          </Button>
        </div>
        {outcome && <Notice tone={outcome.tone}>{outcome.text}</Notice>}
      </div>
    </article>
  );
}
