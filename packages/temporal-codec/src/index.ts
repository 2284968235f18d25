import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import { z } from 'zod';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface KeyRing {
  /** The key new payloads are encrypted with. */
  currentKeyId: string;
  /** Every key still needed to read older histories, by ID. */
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * `TEMPORAL_PAYLOAD_KEYS="2026-11:<base64 32 bytes>,2026-05:<base64 32 bytes>"`: the first key
 * encrypts, all of them decrypt, so that a key can be rotated without losing old histories.
 */
export const ZPayloadKeys = z
  .string()
  .min(1)
  .transform((value, ctx): KeyRing => {
    const keys = new Map<string, Buffer>();
    for (const entry of value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [id, material] = entry.split(':');
      const key = Buffer.from(material ?? '', 'base64');
      if (!id || key.length !== 32) {
        ctx.addIssue({ code: 'custom', message: `key "${id ?? ''}" must be written as <id>:<base64 of 32 bytes>` });
        return z.NEVER;
      }
      keys.set(id, key);
    }
    const [currentKeyId] = keys.keys();
    if (currentKeyId === undefined) {
      ctx.addIssue({ code: 'custom', message: 'at least one key is needed' });
      return z.NEVER;
    }
    return { currentKeyId, keys };
  });

export class PayloadKeyMissingError extends Error {
  override readonly name: string = 'PayloadKeyMissingError';
  constructor(keyId: string, message?: string) {
    super(message ?? `no key "${keyId}" to decrypt this payload (was it destroyed or rotated out?)`);
  }
}

/**
 * The payload belongs to a contact whose own key was destroyed: the contact was erased (Art. 17
 * GDPR, crypto-shredding). Carries the contact's ID only. The contact's running workflows are
 * terminated before the key is destroyed, so a worker meets this only when someone reads an old
 * history; a workflow task that did meet it fails and is retried by the server, the worker goes on.
 */
export class ContactPayloadKeyDestroyedError extends PayloadKeyMissingError {
  override readonly name = 'ContactPayloadKeyDestroyedError';
  constructor(readonly contactId: string) {
    super(
      `${CONTACT_KEY_PREFIX}${contactId}`,
      `the payload belongs to contact ${contactId}, who was erased: its payload key was destroyed`,
    );
  }
}

const CONTACT_KEY_PREFIX = 'contact:';

/**
 * Where the contacts' own payload keys live (the `contact_payload_key` table; `@zweck/db`'s
 * `contactPayloadKeyRows`). The codec depends on nothing internal, so the rows come in through
 * this interface; the keys are stored wrapped (AES-256-GCM) under the ring's current key.
 */
export interface ContactKeyRows {
  find(contactId: string): Promise<{ wrappedKey: Uint8Array | null; wrappedWith: string | null; destroyedAt: Date | null } | null>;
  /** Inserts unless a row exists (a concurrent creator wins; the caller reads again). */
  insert(contactId: string, wrappedKey: Uint8Array, wrappedWith: string): Promise<void>;
  /** Drops the wrapped key (if any) and marks the row destroyed, so that none can be created again; true when done. */
  destroy(contactId: string): Promise<boolean>;
  /** The contact of a consent ledger entry (a single-entry receipt workflow's ID names the entry). */
  contactOfConsentEvent(consentEventId: string): Promise<string | null>;
}

/**
 * The contacts' payload keys (crypto-shredding, DESIGN.md rule 5): created on first use, read
 * through a small in-process cache, destroyed by the erasure. Runs outside the workflow sandbox
 * (the codec runs in the worker's and the client's own thread). The cache keeps a key for
 * `ttlMs` at most, so that another process (the API's client) stops reading a destroyed key within
 * that time; `destroy` in this process forgets it at once.
 */
export class ContactKeyStore {
  private readonly cache = new Map<string, { key: Buffer; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly ring: KeyRing,
    private readonly rows: ContactKeyRows,
    options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  private readonly now: () => number;

  /** The contact's key; created when `create` and none exists yet. Throws ContactPayloadKeyDestroyedError after an erasure. */
  async keyFor(contactId: string, { create }: { create: boolean }): Promise<Buffer> {
    const cached = this.cache.get(contactId);
    if (cached && cached.until > this.now()) return cached.key;
    let row = await this.rows.find(contactId);
    if (row === null && create) {
      const masterKey = this.ring.keys.get(this.ring.currentKeyId)!;
      await this.rows.insert(contactId, seal(masterKey, randomBytes(32)), this.ring.currentKeyId);
      row = await this.rows.find(contactId);
    }
    if (row === null || row.destroyedAt !== null || row.wrappedKey === null || row.wrappedWith === null) {
      this.cache.delete(contactId);
      throw new ContactPayloadKeyDestroyedError(contactId);
    }
    const masterKey = this.ring.keys.get(row.wrappedWith);
    if (!masterKey) throw new PayloadKeyMissingError(row.wrappedWith);
    const key = open(masterKey, Buffer.from(row.wrappedKey));
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(contactId, { key, until: this.now() + this.ttlMs });
    return key;
  }

  /** Drops a cached key: another process destroyed it (`listenForDestroyedPayloadKeys` of @zweck/db). */
  forget(contactId: string): void {
    this.cache.delete(contactId);
  }

  /** Destroys the contact's key for good: every payload sealed with it becomes unreadable. */
  async destroy(contactId: string): Promise<boolean> {
    this.cache.delete(contactId);
    const destroyed = await this.rows.destroy(contactId);
    this.cache.delete(contactId);
    return destroyed;
  }

  /** Seals a small secret under the ring (the erasure's captured identifiers); opened with `openSealed`. */
  sealWithRing(plain: Buffer): { sealed: Buffer; keyId: string } {
    return { sealed: seal(this.ring.keys.get(this.ring.currentKeyId)!, plain), keyId: this.ring.currentKeyId };
  }

  openSealed(sealed: Buffer, keyId: string): Buffer {
    const key = this.ring.keys.get(keyId);
    if (!key) throw new PayloadKeyMissingError(keyId);
    return open(key, sealed);
  }
}

/**
 * Which contact a payload belongs to, from the serialization context Temporal gives the codec
 * (the workflow that owns the payload: its start input, signals, queries, results, and the
 * inputs and results of the activities it schedules). We scope by workflow rather than by a
 * marker in the payload or by parsing it for a `contactId`: the workflow ID is a business key
 * that already names the contact of every per-contact workflow, while a campaign's payloads
 * (which name many contacts) and the erasure's (whose input names the contact but must outlive
 * its key) are told apart by nothing in their shape. Returns null for payloads of no one contact.
 */
export type ContactOfWorkflow = (workflowId: string) => Promise<string | null>;

export interface ContactScope {
  keys: ContactKeyStore;
  contactOfWorkflow: ContactOfWorkflow;
}

/**
 * The scope the worker and the API's client share: `scopeOf` reads a workflow ID (the pure
 * `contactScopeOfWorkflowId` of the workflow contracts), the rows resolve a ledger entry's contact.
 */
export function createContactScope(
  ring: KeyRing,
  rows: ContactKeyRows,
  scopeOf: (workflowId: string) => { contactId: string } | { consentEventId: string } | null,
  options?: { ttlMs?: number; now?: () => number },
): ContactScope {
  return {
    keys: new ContactKeyStore(ring, rows, options),
    async contactOfWorkflow(workflowId) {
      const scope = scopeOf(workflowId);
      if (scope === null) return null;
      return 'contactId' in scope ? scope.contactId : rows.contactOfConsentEvent(scope.consentEventId);
    },
  };
}

/**
 * AES-256-GCM over the whole serialized payload (metadata and data), so that Temporal's
 * database, its UI and anyone reading an exported history see ciphertext only (DESIGN.md rule 5).
 * Payloads of a per-contact workflow are sealed with that contact's own key (`contact:<id>` in the
 * key ID), everything else with the ring's current key. Decoding needs no context: the key ID
 * says which key. Written against Temporal's PayloadCodec interface with Node's crypto: Temporal
 * ships the interface, not an implementation.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly ring: KeyRing,
    private readonly scope?: ContactScope,
  ) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const workflowId = context?.workflowId;
    const contactId = this.scope && workflowId ? await this.scope.contactOfWorkflow(workflowId) : null;
    const [keyId, key] =
      contactId !== null && this.scope
        ? [`${CONTACT_KEY_PREFIX}${contactId}`, await this.scope.keys.keyFor(contactId, { create: true })]
        : [this.ring.currentKeyId, this.ring.keys.get(this.ring.currentKeyId)!];
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCODING), [KEY_ID]: Buffer.from(keyId) },
      data: seal(key, Buffer.from(JSON.stringify(serialize(payload)))),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    const out: Payload[] = [];
    for (const payload of payloads) {
      if (Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString() !== ENCODING) {
        out.push(payload);
        continue;
      }
      const keyId = Buffer.from(payload.metadata?.[KEY_ID] ?? []).toString();
      let key: Buffer | undefined;
      if (keyId.startsWith(CONTACT_KEY_PREFIX)) {
        const contactId = keyId.slice(CONTACT_KEY_PREFIX.length);
        if (!this.scope)
          throw new PayloadKeyMissingError(
            keyId,
            `payload sealed with contact ${contactId}'s key, and this codec has no contact key store`,
          );
        key = await this.scope.keys.keyFor(contactId, { create: false });
      } else {
        key = this.ring.keys.get(keyId);
      }
      if (!key) throw new PayloadKeyMissingError(keyId);
      const plain = open(key, Buffer.from(payload.data ?? []));
      out.push(deserialize(JSON.parse(plain.toString()) as SerializedPayload));
    }
    return out;
  }
}

function seal(key: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function open(key: Buffer, data: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
}

interface SerializedPayload {
  metadata: Record<string, string>;
  data: string;
}

const serialize = (payload: Payload): SerializedPayload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

const deserialize = (payload: SerializedPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(payload.data, 'base64')),
});

/**
 * The data converter both the API's client and the worker use; with `scope`, payloads of
 * per-contact workflows are sealed with the contact's own key (both sides need the same scope).
 */
export const createDataConverter = (ring: KeyRing, scope?: ContactScope) => ({ payloadCodecs: [new EncryptionCodec(ring, scope)] });
