import { type Address, createEvent } from '@bazaar/contracts';
import {
  AppError,
  type catalogV1,
  conflict,
  type Db,
  type identityV1,
  invalid,
  type inventoryV1,
  isNotFound,
  isUnavailable,
  type Logger,
  type Messaging,
  notFound,
  type Principal,
  ruleViolation,
  type Tx,
} from '@bazaar/platform';
import type { Client } from '@connectrpc/connect';
import { and, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { checkouts } from '../db/schema';
import { canonicalHash, MAX_QUANTITY, mergeLines, toCartView } from '../domain/cart';
import type { CartLine, CartStore } from './cart-store';
import type { ProductCache } from './product-cache';

export interface CartOwner {
  principal?: Principal;
  guestCartId?: string;
}

/** Where to ship: an address, or the id of one the customer saved (exactly one of the two). */
export interface CheckoutBody {
  shippingAddress?: Address;
  addressId?: string;
  paymentMethod: string;
}

const userKey = (userId: string) => `user:${userId}`;
const guestKey = (cartId: string) => `guest:${cartId}`;

export function createCartService(deps: {
  db: Db;
  messaging: Messaging;
  store: CartStore;
  catalog: Client<typeof catalogV1.CatalogService>;
  inventory: Client<typeof inventoryV1.InventoryService>;
  /** The customers' saved addresses. */
  identity: Client<typeof identityV1.IdentityService>;
  /** What an add to a cart shows of a product; the checkout asks the catalog. */
  products: ProductCache<catalogV1.Product>;
  logger: Logger;
}) {
  const { db, messaging, store, catalog, inventory, identity, products: productCache, logger } = deps;

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isUnavailable(err)) {
        throw new AppError(
          'unavailable',
          'cart.dependency_unavailable',
          `The ${what} cannot be reached right now; try again shortly.`,
        );
      }
      throw err;
    }
  }
  /**
   * Takes the checked-out lines out of the cart. The order is placed whatever happens here, so a store
   * that cannot be reached (Redis restarting) never turns into an error for an order that exists: the
   * lines are taken out once it answers again (tried each second for half a minute), so the shopper is
   * not left with a cart offering to buy them a second time.
   */
  async function emptyAfterCheckout(cartKey: string, lines: readonly CartLine[], triesLeft = 30) {
    try {
      await store.clear(
        cartKey,
        lines.map((l) => l.sku),
      );
    } catch (err) {
      if (triesLeft <= 1) {
        logger.warn({ err, cartKey }, 'the cart could not be emptied after its checkout');
        return;
      }
      setTimeout(() => void emptyAfterCheckout(cartKey, lines, triesLeft - 1), 1000).unref();
    }
  }

  /** The address a checkout ships to: the one sent, or the customer's saved one it names. */
  async function shippingAddressOf(userId: string, body: CheckoutBody): Promise<Address> {
    if (body.shippingAddress) return body.shippingAddress;
    const addressId = body.addressId!;
    try {
      const { address } = await call('address book', () => identity.getAddress({ userId, addressId }));
      const { id: _, line2, ...rest } = address!;
      return { ...rest, ...(line2 ? { line2 } : {}) };
    } catch (err) {
      if (isNotFound(err)) {
        throw ruleViolation('checkout.unknown_address', `You have no saved address ${addressId}.`);
      }
      throw err;
    }
  }

  const productsBySku = async (skus: string[]) => {
    const res = await call('catalog', () => catalog.getProducts({ skus }));
    return new Map(res.products.map((p) => [p.sku, p]));
  };
  const availableBySku = async (skus: string[]) => {
    const res = await call('inventory', () => inventory.getAvailability({ skus }));
    return new Map(res.items.map((i) => [i.sku, i.available]));
  };

  /**
   * Which cart a request means: a signed-in user's own, or a guest's by id. A guest cart presented by a
   * signed-in user is merged into theirs and dropped: that is the merge at sign-in.
   */
  async function resolveCart(owner: CartOwner): Promise<{ key: string; id: string }> {
    if (owner.principal) {
      const key = userKey(owner.principal.userId);
      if (owner.guestCartId) {
        const guest = await store.lines(guestKey(owner.guestCartId));
        if (guest.length > 0) {
          const mine = await store.lines(key);
          const available = await availableBySku(guest.map((l) => l.sku));
          for (const line of mergeLines(mine, guest, available)) await store.put(key, line);
          await store.clear(guestKey(owner.guestCartId));
        }
      }
      return { key, id: owner.principal.userId };
    }
    // A new guest gets an id with the first answer and sends it back in X-Cart-Id.
    const id = owner.guestCartId ?? uuidv7();
    return { key: guestKey(id), id };
  }

  async function view(cart: { key: string; id: string }) {
    return toCartView(cart.id, await store.lines(cart.key));
  }

  /**
   * Stock figures in a cart are advice: the reservation after checkout decides, all or nothing. So a cart
   * keeps working when the inventory cannot answer in time; the check is skipped, not the sale.
   */
  async function assertAvailable(sku: string, quantity: number) {
    let available: number;
    try {
      available = (await availableBySku([sku])).get(sku) ?? 0;
    } catch (err) {
      if (err instanceof AppError && err.code === 'cart.dependency_unavailable') {
        logger.warn({ sku }, 'inventory unavailable; stock check left to the reservation');
        return;
      }
      throw err;
    }
    if (quantity > available) {
      throw conflict('cart.insufficient_stock', `Only ${available} of ${sku} available.`, { available });
    }
  }

  return {
    async getCart(owner: CartOwner) {
      return view(await resolveCart(owner));
    },

    async addItem(owner: CartOwner, sku: string, quantity: number) {
      const cart = await resolveCart(owner);
      const product = await productCache.find(sku, async () => (await productsBySku([sku])).get(sku));
      if (!product?.active) throw notFound('cart.unknown_sku', `There is no product ${sku} for sale.`);
      const lines = await store.lines(cart.key);
      // One order is charged in one currency, so a cart holds one.
      const other = lines.find((l) => l.sku !== sku && l.currency !== product.currency);
      if (other) {
        throw conflict(
          'cart.currency_mismatch',
          `${product.name} is priced in ${product.currency} and this cart holds items in ${other.currency}; check them out or remove them first.`,
          { cartCurrency: other.currency, itemCurrency: product.currency },
        );
      }
      const existing = lines.find((l) => l.sku === sku);
      const total = (existing?.quantity ?? 0) + quantity;
      if (total > MAX_QUANTITY)
        throw invalid('cart.quantity_limit', `At most ${MAX_QUANTITY} of one item per order.`);
      await assertAvailable(sku, total);
      const line: CartLine = {
        sku,
        productId: product.productId,
        name: product.name,
        quantity: total,
        unitAmount: Number(product.priceAmount),
        currency: product.currency,
      };
      await store.put(cart.key, line);
      const updated = [...lines.filter((l) => l.sku !== sku), line].sort((a, b) =>
        a.sku.localeCompare(b.sku),
      );
      return toCartView(cart.id, updated);
    },

    async setQuantity(owner: CartOwner, sku: string, quantity: number) {
      const cart = await resolveCart(owner);
      const existing = (await store.lines(cart.key)).find((l) => l.sku === sku);
      if (!existing) throw notFound('cart.item_not_found', `${sku} is not in the cart.`);
      await assertAvailable(sku, quantity);
      await store.put(cart.key, { ...existing, quantity });
      return view(cart);
    },

    async removeItem(owner: CartOwner, sku: string) {
      const cart = await resolveCart(owner);
      if (!(await store.remove(cart.key, sku)))
        throw notFound('cart.item_not_found', `${sku} is not in the cart.`);
      return view(cart);
    },

    /** Keeps stored prices current; the checkout re-prices from the catalog anyway. */
    async applyPriceChange(tx: Tx, sku: string, amount: number, currency: string) {
      // Before the lines: an add from now on must not write the old price back.
      productCache.clear();
      await store.reprice(sku, amount, currency, tx);
    },

    /**
     * Turns the cart into an order: re-priced from the catalog, recorded with its Idempotency-Key and
     * announced (CartCheckedOut) in one transaction, then the cart is emptied. A repeat of the same
     * request gets the first answer; the same key with another body is refused.
     */
    async checkout(owner: CartOwner & { principal: Principal }, key: string, body: CheckoutBody) {
      const userId = owner.principal.userId;
      const bodyHash = canonicalHash(body);
      const previous = async () => {
        const [row] = await db
          .select()
          .from(checkouts)
          .where(and(eq(checkouts.userId, userId), eq(checkouts.idempotencyKey, key)));
        if (row && row.bodyHash !== bodyHash) {
          throw new AppError(
            'rule_violation',
            'checkout.idempotency_key_reused',
            'This Idempotency-Key was used for another checkout.',
          );
        }
        return row?.response;
      };
      // A repeat is found by the key's unique row: either the cart is empty by then (the first checkout
      // emptied it) or recording the checkout collides with the first one.
      const cart = await resolveCart(owner);
      const lines = await store.lines(cart.key);
      if (lines.length === 0) {
        // A twin request may have just checked this cart out and emptied it.
        const twin = await previous();
        if (twin) return twin;
        throw invalid('cart.empty', 'The cart is empty.');
      }
      const [shippingAddress, products] = await Promise.all([
        shippingAddressOf(userId, body),
        productsBySku(lines.map((l) => l.sku)),
      ]);
      const priced = lines.map((l) => {
        const p = products.get(l.sku);
        if (!p?.active) throw conflict('checkout.product_unavailable', `${l.name} is no longer for sale.`);
        return {
          sku: l.sku,
          productId: p.productId,
          name: p.name,
          quantity: l.quantity,
          unitPrice: { amount: Number(p.priceAmount), currency: p.currency },
        };
      });
      const currency = priced[0]!.unitPrice.currency;
      // A price may have moved to another currency since the lines were added (or a guest cart merged).
      const foreign = priced.find((l) => l.unitPrice.currency !== currency);
      if (foreign) {
        throw conflict(
          'checkout.mixed_currencies',
          `${foreign.name} is priced in ${foreign.unitPrice.currency} and the rest of the cart in ${currency}; one order is paid in one currency.`,
        );
      }
      const total = { amount: priced.reduce((s, l) => s + l.unitPrice.amount * l.quantity, 0), currency };
      const orderId = uuidv7();
      const response = { orderId, status: 'PENDING' as const };
      try {
        await messaging.transact(async (tx, emit) => {
          await tx.insert(checkouts).values({ orderId, userId, idempotencyKey: key, bodyHash, response });
          emit(
            createEvent(
              'CartCheckedOut',
              {
                orderId,
                cartId: cart.id,
                userId,
                email: owner.principal.email,
                lines: priced,
                total,
                shippingAddress,
                paymentMethod: body.paymentMethod,
                idempotencyKey: key,
                checkedOutAt: new Date().toISOString(),
              },
              { source: '/bazaar/cart', correlationId: orderId },
            ),
          );
        });
      } catch (err) {
        const code =
          (err as { code?: string; cause?: { code?: string } }).code ??
          (err as { cause?: { code?: string } }).cause?.code;
        if (code === '23505') {
          const winner = await previous();
          if (winner) {
            // A retry of a checkout whose emptying of the cart failed empties it now.
            await emptyAfterCheckout(cart.key, lines);
            return winner;
          }
        }
        throw err;
      }
      await emptyAfterCheckout(cart.key, lines);
      return response;
    },
  };
}

export type CartService = ReturnType<typeof createCartService>;
