import pg from 'pg';
import type { PrismaClient } from './generated/prisma/client.ts';

/** The channel on which a destroyed payload key is announced to every process that caches keys. */
export const PAYLOAD_KEY_DESTROYED_CHANNEL = 'zweck_payload_key_destroyed';

/**
 * The `contact_payload_key` rows as the payload codec's ContactKeyRows (`@zweck/temporal-codec`),
 * for the worker and the API's client alike. The codec does the cryptography; this only stores.
 */
export function contactPayloadKeyRows(db: PrismaClient) {
  return {
    async find(contactId: string) {
      return db.contactPayloadKey.findUnique({
        where: { contactId },
        select: { wrappedKey: true, wrappedWith: true, destroyedAt: true },
      });
    },
    async insert(contactId: string, wrappedKey: Uint8Array, wrappedWith: string): Promise<void> {
      await db.contactPayloadKey.createMany({
        data: [{ contactId, wrappedKey: new Uint8Array(wrappedKey), wrappedWith }],
        skipDuplicates: true,
      });
    },
    async destroy(contactId: string): Promise<boolean> {
      // A contact who never had a key gets a destroyed row too, so that none can be created later.
      // The announcement (NOTIFY) is delivered when this statement commits, to every listener.
      await db.$executeRaw`
        WITH destroyed AS (
          INSERT INTO "contact_payload_key" ("contact_id", "wrapped_key", "wrapped_with", "destroyed_at")
          VALUES (${contactId}::uuid, NULL, NULL, now())
          ON CONFLICT ("contact_id") DO UPDATE SET "wrapped_key" = NULL, "wrapped_with" = NULL,
            "destroyed_at" = COALESCE("contact_payload_key"."destroyed_at", now())
          RETURNING "contact_id"
        )
        SELECT pg_notify(${PAYLOAD_KEY_DESTROYED_CHANNEL}, "contact_id"::text) FROM destroyed`;
      return true;
    },
    /** The contact of a consent ledger entry: a single-entry receipt workflow's ID names the entry. */
    async contactOfConsentEvent(consentEventId: string): Promise<string | null> {
      const row = await db.consentEvent.findUnique({ where: { id: consentEventId }, select: { contactId: true } });
      return row?.contactId ?? null;
    },
  };
}

/**
 * Hears every destroyed payload key (any process's erasure) so that a process's key cache forgets
 * it at once (LISTEN on one dedicated connection). Should the connection drop, the cache's time
 * limit still bounds how long a destroyed key is used; `onError` is told.
 */
export async function listenForDestroyedPayloadKeys(
  databaseUrl: string,
  onDestroyed: (contactId: string) => void,
  onError: (error: Error) => void = () => undefined,
): Promise<{ close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', onError);
  client.on('notification', (message) => {
    if (message.channel === PAYLOAD_KEY_DESTROYED_CHANNEL && message.payload) onDestroyed(message.payload);
  });
  await client.connect();
  await client.query(`LISTEN ${PAYLOAD_KEY_DESTROYED_CHANNEL}`);
  return { close: () => client.end() };
}
