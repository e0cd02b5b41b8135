import type { Address } from '@bazaar/contracts';
import { conflict, type Db, notFound } from '@bazaar/platform';
import { and, asc, count, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { addresses, users } from '../db/schema';

/** How many addresses one account may keep. */
export const MAX_ADDRESSES = 20;

export type SavedAddress = Address & { id: string; createdAt: string };

function toSaved(row: typeof addresses.$inferSelect): SavedAddress {
  return {
    id: row.id,
    name: row.name,
    line1: row.line1,
    ...(row.line2 ? { line2: row.line2 } : {}),
    city: row.city,
    postalCode: row.postalCode,
    country: row.country,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A customer's saved postal addresses, for a client to offer at checkout. */
export function createAddressBook(db: Db) {
  return {
    async list(userId: string): Promise<SavedAddress[]> {
      const rows = await db
        .select()
        .from(addresses)
        .where(eq(addresses.userId, userId))
        .orderBy(asc(addresses.id));
      return rows.map(toSaved);
    },

    /** One of the user's addresses; none when it is not theirs (or not a well-formed id). */
    async find(userId: string, id: string): Promise<SavedAddress | undefined> {
      if (!z.uuid().safeParse(id).success) return undefined;
      const [row] = await db
        .select()
        .from(addresses)
        .where(and(eq(addresses.id, id), eq(addresses.userId, userId)));
      return row && toSaved(row);
    },

    async add(userId: string, address: Address): Promise<SavedAddress> {
      return db.transaction(async (tx) => {
        // Locking the account serialises its additions, so two at once cannot both pass the limit.
        const [user] = await tx
          .select({ id: users.id })
          .from(users)
          .where(eq(users.id, userId))
          .for('update');
        if (!user) throw notFound('identity.user_not_found', 'The user no longer exists.');
        const [{ n } = { n: 0 }] = await tx
          .select({ n: count() })
          .from(addresses)
          .where(eq(addresses.userId, userId));
        if (n >= MAX_ADDRESSES) {
          throw conflict('identity.address_limit', `An account keeps at most ${MAX_ADDRESSES} addresses.`, {
            limit: MAX_ADDRESSES,
          });
        }
        const [row] = await tx
          .insert(addresses)
          .values({ id: uuidv7(), userId, ...address, line2: address.line2 ?? null })
          .returning();
        return toSaved(row!);
      });
    },

    async remove(userId: string, id: string): Promise<void> {
      const deleted = await db
        .delete(addresses)
        .where(and(eq(addresses.id, id), eq(addresses.userId, userId)))
        .returning({ id: addresses.id });
      if (deleted.length === 0) throw notFound('identity.address_not_found', `No address ${id}.`);
    },
  };
}

export type AddressBook = ReturnType<typeof createAddressBook>;
