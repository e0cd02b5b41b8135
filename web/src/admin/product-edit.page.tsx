import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, messageOf } from '../api/problem';
import { catalogApi } from '../api/shop';
import type { Product, ProductInput } from '../api/types';
import { PageTitle } from '../app/page-title';
import { Button } from '../ui/button';
import { SelectField, TextAreaField, TextField } from '../ui/field';
import { minorUnitsToText, parseMinorUnits } from '../ui/money';
import { ErrorState, Loading, Notice } from '../ui/states';
import { useResource } from '../ui/use-resource';

interface ProductForm {
  sku: string;
  name: string;
  description: string;
  category: string;
  price: string;
  currency: string;
  imageUrl: string;
}

type Errors = Partial<Record<keyof ProductForm, string>>;

const emptyForm: ProductForm = {
  sku: '',
  name: '',
  description: '',
  category: '',
  price: '',
  currency: 'EUR',
  imageUrl: '',
};

const formOf = (product: Product): ProductForm => ({
  sku: product.sku,
  name: product.name,
  description: product.description,
  category: product.category,
  price: minorUnitsToText(product.price.amount, product.price.currency),
  currency: product.price.currency,
  // The catalog answers its drawn placeholder's address when a product has no picture of its own.
  imageUrl: product.imageUrl.endsWith(`/products/${product.id}/image.svg`) ? '' : product.imageUrl,
});

function validate(form: ProductForm, isNew: boolean): Errors {
  const errors: Errors = {};
  if (isNew && !/^[A-Z0-9][A-Z0-9-]{1,63}$/.test(form.sku.trim()))
    errors.sku = 'Upper-case letters, digits and dashes, 2 to 64 characters (e.g. MUG-BLUE-01).';
  if (!form.name.trim()) errors.name = 'Give the product a name.';
  else if (form.name.trim().length > 200) errors.name = 'At most 200 characters.';
  if (form.description.length > 5000) errors.description = 'At most 5,000 characters.';
  if (!form.category) errors.category = 'Choose a category.';
  const amount = parseMinorUnits(form.price, form.currency);
  if (amount === undefined) errors.price = 'Enter a price such as 12.50.';
  else if (amount <= 0) errors.price = 'The price must be more than zero.';
  if (!/^[A-Z]{3}$/.test(form.currency)) errors.currency = 'A three-letter currency code such as EUR.';
  return errors;
}

/** Server field paths (`price.amount`) onto the form's fields. */
function formErrorsOf(error: ApiError): Errors {
  const errors: Errors = {};
  for (const [path, message] of Object.entries(error.fieldErrors)) {
    const field = path.startsWith('price') ? (path.endsWith('currency') ? 'currency' : 'price') : path;
    if (field in emptyForm) errors[field as keyof ProductForm] ??= message;
  }
  return errors;
}

export function ProductEditPage() {
  const { id } = useParams();
  const isNew = id === undefined;
  const navigate = useNavigate();
  const categories = useResource((signal) => catalogApi.listCategories(signal), []);
  const existing = useResource(
    (signal) => (id ? catalogApi.getProduct(id, signal) : Promise.resolve(undefined)),
    [id],
  );
  const [form, setForm] = useState<ProductForm>(emptyForm);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (existing.data) setForm(formOf(existing.data));
  }, [existing.data]);

  if (existing.state === 'error') return <ErrorState error={existing.error} onRetry={existing.reload} />;
  if (!isNew && !existing.data) return <Loading label="Loading the product…" />;

  const set = (field: keyof ProductForm) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate(form, isNew);
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    const input: ProductInput = {
      name: form.name.trim(),
      description: form.description.trim(),
      category: form.category,
      price: { amount: parseMinorUnits(form.price, form.currency)!, currency: form.currency },
    };
    if (form.imageUrl.trim()) input.imageUrl = form.imageUrl.trim();
    setBusy(true);
    try {
      if (isNew) await catalogApi.createProduct({ ...input, sku: form.sku.trim() });
      else await catalogApi.updateProduct(id, changedFields(existing.data!, input));
      navigate('/admin', { state: { saved: input.name } });
    } catch (error) {
      setFailure(messageOf(error));
      if (error instanceof ApiError) setErrors(formErrorsOf(error));
      setBusy(false);
    }
  };

  const title = isNew ? 'New product' : `Edit ${existing.data?.name ?? 'product'}`;
  return (
    <section>
      <PageTitle title={title}>{title}</PageTitle>
      <form className="card form" onSubmit={save} noValidate style={{ maxWidth: '44rem' }}>
        {failure && <Notice tone="error">{failure}</Notice>}
        <TextField
          label="SKU"
          value={form.sku}
          onChange={set('sku')}
          error={errors.sku}
          disabled={!isNew}
          hint={isNew ? 'The stock-keeping unit; it cannot change later.' : 'A SKU never changes.'}
        />
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} />
        <TextAreaField
          label="Description"
          value={form.description}
          onChange={set('description')}
          error={errors.description}
          rows={4}
        />
        <div className="form-grid">
          <SelectField
            label="Category"
            value={form.category}
            onChange={set('category')}
            error={
              errors.category ?? (categories.state === 'error' ? messageOf(categories.error) : undefined)
            }
            options={[
              { value: '', label: categories.state === 'loading' ? 'Loading…' : 'Choose a category' },
              ...(categories.data ?? []).map((c) => ({ value: c.slug, label: c.name })),
            ]}
          />
          <TextField
            label="Price"
            inputMode="decimal"
            value={form.price}
            onChange={set('price')}
            error={errors.price}
            hint="In the currency, e.g. 12.50"
          />
          <TextField
            label="Currency"
            maxLength={3}
            value={form.currency}
            onChange={set('currency')}
            error={errors.currency}
          />
        </div>
        <TextField
          label="Image address (optional)"
          type="url"
          value={form.imageUrl}
          onChange={set('imageUrl')}
          error={errors.imageUrl}
          hint="Left empty, the shop draws a placeholder."
        />
        <div className="row">
          <Button type="submit" busy={busy}>
            {isNew ? 'Create product' : 'Save changes'}
          </Button>
          <Link to="/admin" className="button button--ghost">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}

/** A PATCH carries only what changed: an untouched placeholder image must not become a stored address. */
function changedFields(before: Product, after: ProductInput): Partial<ProductInput> {
  const changes: Partial<ProductInput> = {};
  if (after.name !== before.name) changes.name = after.name;
  if (after.description !== before.description) changes.description = after.description;
  if (after.category !== before.category) changes.category = after.category;
  if (after.price.amount !== before.price.amount || after.price.currency !== before.price.currency)
    changes.price = after.price;
  if (after.imageUrl !== undefined && after.imageUrl !== before.imageUrl) changes.imageUrl = after.imageUrl;
  // Saving an unchanged form still answers with the product (PATCH needs one field).
  return Object.keys(changes).length > 0 ? changes : { name: after.name };
}
