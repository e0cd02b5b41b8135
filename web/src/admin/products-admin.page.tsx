import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { messageOf } from '../api/problem';
import { catalogApi } from '../api/shop';
import type { Product } from '../api/types';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { Price } from '../ui/price';
import { ShowMore } from '../ui/show-more';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/states';
import { usePagedList } from '../ui/use-paged-list';
import { ProductSearch } from './product-search';

export function ProductsAdminPage() {
  const location = useLocation();
  const saved = (location.state as { saved?: string } | null)?.saved;
  const [q, setQ] = useState('');
  const [deleted, setDeleted] = useState<string | null>(null);
  const products = usePagedList(
    (cursor, signal) => catalogApi.listProducts({ q: q || undefined, cursor, limit: 25 }, signal),
    [q],
  );

  return (
    <section>
      <PageTitle
        title="Products"
        actions={
          <Link to="/admin/products/new" className="button button--primary">
            New product
          </Link>
        }
      >
        Products
      </PageTitle>
      {saved && <Notice tone="success">Saved {saved}.</Notice>}
      {deleted && <Notice tone="success">Deleted {deleted}.</Notice>}
      <ProductSearch onSearch={setQ} />
      {products.state === 'loading' && <Loading label="Loading products…" />}
      {products.state === 'error' && <ErrorState error={products.error} onRetry={products.reload} />}
      {products.state === 'ready' && products.items.length === 0 && (
        <EmptyState title={q ? 'No products match' : 'No products yet'}>
          <Link to="/admin/products/new">Create the first one</Link>
        </EmptyState>
      )}
      {products.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Products</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="hide-on-phone">
                  SKU
                </th>
                <th scope="col" className="hide-on-phone">
                  Category
                </th>
                <th scope="col" className="numeric">
                  Price
                </th>
                <th scope="col" className="numeric">
                  Available
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {products.items.map((product) => (
                <ProductRow
                  key={product.id}
                  product={product}
                  onDeleted={() => {
                    setDeleted(product.name);
                    products.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore list={products} />
    </section>
  );
}

function ProductRow({ product, onDeleted }: { product: Product; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const remove = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await catalogApi.deleteProduct(product.id);
      onDeleted();
    } catch (error) {
      setFailure(messageOf(error));
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <tr>
      <td>
        <Link to={`/products/${product.id}`}>{product.name}</Link>
        {failure && <p className="field__error">{failure}</p>}
      </td>
      <td className="mono hide-on-phone">{product.sku}</td>
      <td className="hide-on-phone">{product.category}</td>
      <td className="numeric">
        <Price value={product.price} />
      </td>
      <td className="numeric">{product.available}</td>
      <td>
        <div className="inline-edit">
          {confirming ? (
            <>
              <Button variant="danger" className="button--small" busy={busy} onClick={remove}>
                Delete {product.name}?
              </Button>
              <Button variant="ghost" className="button--small" onClick={() => setConfirming(false)}>
                Keep
              </Button>
            </>
          ) : (
            <>
              <Link to={`/admin/products/${product.id}`} className="button button--secondary button--small">
                Edit<span className="visually-hidden"> {product.name}</span>
              </Link>
              <Button variant="ghost" className="button--small" onClick={() => setConfirming(true)}>
                Delete<span className="visually-hidden"> {product.name}</span>
              </Button>
            </>
          )}
        </div>
      </td>
    </tr>
  );
}
