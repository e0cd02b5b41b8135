import { type FormEvent, useState } from 'react';
import { messageOf } from '../api/problem';
import { catalogApi, inventoryApi } from '../api/shop';
import type { Product, Stock } from '../api/types';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';
import { ShowMore } from '../ui/show-more';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/states';
import { usePagedList } from '../ui/use-paged-list';
import { ProductSearch } from './product-search';

interface StockRow {
  product: Product;
  stock: Stock | undefined;
}

/** Products a page at a time, each with its stock levels (one inventory call per page). */
async function loadStockPage(q: string, cursor: string | undefined, signal: AbortSignal) {
  const page = await catalogApi.listProducts({ q: q || undefined, cursor, limit: 25 }, signal);
  const levels = page.items.length
    ? await inventoryApi.listStock(
        page.items.map((p) => p.sku),
        signal,
      )
    : { items: [] };
  const bySku = new Map(levels.items.map((level) => [level.sku, level]));
  return {
    items: page.items.map((product): StockRow => ({ product, stock: bySku.get(product.sku) })),
    nextCursor: page.nextCursor,
  };
}

export function StockAdminPage() {
  const [q, setQ] = useState('');
  const rows = usePagedList((cursor, signal) => loadStockPage(q, cursor, signal), [q]);

  return (
    <section>
      <PageTitle title="Stock">Stock</PageTitle>
      <p className="muted">
        Set the counted units on hand. Units reserved for orders in progress stay reserved; on hand cannot go
        below them.
      </p>
      <ProductSearch onSearch={setQ} />
      {rows.state === 'loading' && <Loading label="Loading stock…" />}
      {rows.state === 'error' && <ErrorState error={rows.error} onRetry={rows.reload} />}
      {rows.state === 'ready' && rows.items.length === 0 && <EmptyState title="No products match" />}
      {rows.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Stock levels</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" className="hide-on-phone">
                  SKU
                </th>
                <th scope="col" className="numeric hide-on-phone">
                  Reserved
                </th>
                <th scope="col" className="numeric">
                  Available
                </th>
                <th scope="col" className="numeric">
                  On hand
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.items.map((row) => (
                <StockRowView key={row.product.id} row={row} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore list={rows} />
    </section>
  );
}

function StockRowView({ row }: { row: StockRow }) {
  const [stock, setStock] = useState(row.stock);
  const [value, setValue] = useState(String(row.stock?.onHand ?? 0));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const name = row.product.name;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const onHand = Number(value);
    setSaved(false);
    if (value.trim() === '' || !Number.isInteger(onHand) || onHand < 0) {
      setError('A whole number, 0 or more.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const updated = await inventoryApi.setOnHand(row.product.sku, onHand);
      setStock(updated);
      setValue(String(updated.onHand));
      setSaved(true);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr>
      <td>{name}</td>
      <td className="mono hide-on-phone">{row.product.sku}</td>
      <td className="numeric hide-on-phone">{stock?.reserved ?? 0}</td>
      <td className="numeric">{stock?.available ?? 0}</td>
      <td>
        <form className="inline-edit" onSubmit={save} noValidate>
          <TextField
            label={`On hand for ${name}`}
            hideLabel
            type="number"
            min={0}
            inputMode="numeric"
            value={value}
            error={error}
            onChange={(event) => {
              setValue(event.target.value);
              setSaved(false);
            }}
          />
          <Button type="submit" variant="secondary" className="button--small" busy={busy}>
            Save<span className="visually-hidden"> stock of {name}</span>
          </Button>
        </form>
        {saved && (
          <Notice tone="success">
            <span className="visually-hidden">{name}: </span>Saved
          </Notice>
        )}
      </td>
    </tr>
  );
}
