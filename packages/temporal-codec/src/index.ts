import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
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
  override readonly name = 'PayloadKeyMissingError';
  constructor(keyId: string) {
    super(`no key "${keyId}" to decrypt this payload (was it destroyed or rotated out?)`);
  }
}

/**
 * AES-256-GCM over the whole serialized payload (metadata and data), so that Temporal's
 * database, its UI and anyone reading an exported history see ciphertext only (DESIGN.md rule 5).
 * Written against Temporal's PayloadCodec interface with Node's crypto: Temporal ships the
 * interface, not an implementation.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.ring.keys.get(this.ring.currentKeyId)!;
    // Node's cipher is synchronous; errors still reach the caller as a rejection.
    return Promise.resolve().then(() =>
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        const plain = Buffer.from(JSON.stringify(serialize(payload)));
        const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCODING), [KEY_ID]: Buffer.from(this.ring.currentKeyId) },
          data: sealed,
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() =>
      payloads.map((payload) => {
        if (Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString() !== ENCODING) return payload;
        const keyId = Buffer.from(payload.metadata?.[KEY_ID] ?? []).toString();
        const key = this.ring.keys.get(keyId);
        if (!key) throw new PayloadKeyMissingError(keyId);
        const data = Buffer.from(payload.data ?? []);
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        return deserialize(JSON.parse(plain.toString()) as SerializedPayload);
      }),
    );
  }
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

/** The data converter both the API's client and the worker use. */
export const createDataConverter = (ring: KeyRing) => ({ payloadCodecs: [new EncryptionCodec(ring)] });
