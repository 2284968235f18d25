import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  ContactPayloadKeyDestroyedError,
  createContactScope,
  EncryptionCodec,
  PayloadKeyMissingError,
  ZPayloadKeys,
  type ContactKeyRows,
} from './index.ts';

const key = () => randomBytes(32).toString('base64');

describe('EncryptionCodec', () => {
  const k1 = key();
  const k0 = key();
  const payload = defaultPayloadConverter.toPayload({ contactId: 'c-123', purposeId: 'newsletter' });

  it('round-trips and leaves nothing readable', async () => {
    const codec = new EncryptionCodec(ZPayloadKeys.parse(`k1:${k1}`));
    const [sealed] = await codec.encode([payload]);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('c-123');
    expect(Buffer.from(sealed!.metadata!['encoding']!).toString()).toBe('binary/encrypted');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ contactId: 'c-123', purposeId: 'newsletter' });
  });

  it('reads payloads of a rotated-out key while it is still in the ring, and refuses once it is gone', async () => {
    const [old] = await new EncryptionCodec(ZPayloadKeys.parse(`k0:${k0}`)).encode([payload]);
    const rotated = new EncryptionCodec(ZPayloadKeys.parse(`k1:${k1},k0:${k0}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual({
      contactId: 'c-123',
      purposeId: 'newsletter',
    });
    await expect(new EncryptionCodec(ZPayloadKeys.parse(`k1:${k1}`)).decode([old!])).rejects.toThrow(PayloadKeyMissingError);
  });

  it('detects tampering', async () => {
    const codec = new EncryptionCodec(ZPayloadKeys.parse(`k1:${k1}`));
    const [sealed] = await codec.encode([payload]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow();
  });

  it('refuses a malformed key setting with a clear message', () => {
    expect(() => ZPayloadKeys.parse('k1:short')).toThrow(/k1.*base64 of 32 bytes/);
  });
});

/** The rows in memory: the codec's own logic under test (the PostgreSQL rows are exercised by the API's erasure test). */
function memoryRows(): ContactKeyRows & {
  reads: number;
  stored: Map<string, { wrappedKey: Uint8Array | null; wrappedWith: string | null; destroyedAt: Date | null }>;
} {
  const stored = new Map<string, { wrappedKey: Uint8Array | null; wrappedWith: string | null; destroyedAt: Date | null }>();
  const rows = {
    stored,
    reads: 0,
    find: (contactId: string) => {
      rows.reads += 1;
      return Promise.resolve(stored.get(contactId) ?? null);
    },
    insert: (contactId: string, wrappedKey: Uint8Array, wrappedWith: string) => {
      if (!stored.has(contactId)) stored.set(contactId, { wrappedKey, wrappedWith, destroyedAt: null });
      return Promise.resolve();
    },
    destroy: (contactId: string) => {
      stored.set(contactId, { wrappedKey: null, wrappedWith: null, destroyedAt: new Date() });
      return Promise.resolve(true);
    },
    contactOfConsentEvent: (id: string) => Promise.resolve(id === 'e-1' ? 'c-consent' : null),
  };
  return rows;
}

describe('EncryptionCodec with per-contact keys (crypto-shredding)', () => {
  const ring = ZPayloadKeys.parse(`k1:${key()}`);
  const scopeOf = (workflowId: string) =>
    workflowId.startsWith('welcome:')
      ? { contactId: workflowId.split(':')[2]! }
      : workflowId.startsWith('receipt:')
        ? { consentEventId: workflowId.slice(8) }
        : null;
  const payloadOf = (value: unknown) => defaultPayloadConverter.toPayload(value);
  const ctx = (workflowId: string) => ({ type: 'workflow' as const, namespace: 'default', workflowId });
  const keyId = (p: { metadata?: Record<string, Uint8Array> | null }) => Buffer.from(p.metadata?.['encryption-key-id'] ?? []).toString();

  it('seals a contact workflow with the contact key (wrapped under the ring at rest), everything else with the ring', async () => {
    const rows = memoryRows();
    const codec = new EncryptionCodec(ring, createContactScope(ring, rows, scopeOf));
    const [mine] = await codec.encode([payloadOf({ contactId: 'c-1' })], ctx('welcome:newsletter:c-1'));
    const [campaign] = await codec.encode([payloadOf({ contactId: 'c-1', campaignId: 'x' })], ctx('campaign:x'));
    const [receipt] = await codec.encode([payloadOf({ n: 1 })], ctx('receipt:e-1'));
    const [none] = await codec.encode([payloadOf({ n: 2 })]);
    expect([mine, campaign, receipt, none].map((p) => keyId(p!))).toEqual(['contact:c-1', 'k1', 'contact:c-consent', 'k1']);
    // The stored key is not the key: it is sealed under the ring.
    expect(rows.stored.get('c-1')!.wrappedKey!.length).toBe(12 + 32 + 16);
    expect(defaultPayloadConverter.fromPayload((await codec.decode([mine!]))[0]!)).toEqual({ contactId: 'c-1' });
    // Without the contact store, a contact payload cannot be read at all.
    await expect(new EncryptionCodec(ring).decode([mine!])).rejects.toThrow(PayloadKeyMissingError);
  });

  it('refuses with a typed error once the key is destroyed, forgets the cached key, and reads other contacts as before', async () => {
    const rows = memoryRows();
    const scope = createContactScope(ring, rows, scopeOf);
    const codec = new EncryptionCodec(ring, scope);
    const [one] = await codec.encode([payloadOf({ a: 1 })], ctx('welcome:newsletter:c-1'));
    const [two] = await codec.encode([payloadOf({ b: 2 })], ctx('welcome:newsletter:c-2'));
    await codec.decode([one!]);
    const reads = rows.reads;
    await codec.decode([one!, two!]);
    expect(rows.reads).toBe(reads); // cached
    await scope.keys.destroy('c-1');
    const error = await codec.decode([one!]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactPayloadKeyDestroyedError);
    expect(error).toBeInstanceOf(PayloadKeyMissingError);
    expect((error as ContactPayloadKeyDestroyedError).contactId).toBe('c-1');
    expect(defaultPayloadConverter.fromPayload((await codec.decode([two!]))[0]!)).toEqual({ b: 2 });
    // Nothing can be sealed for the erased contact again.
    await expect(codec.encode([payloadOf({ a: 3 })], ctx('welcome:newsletter:c-1'))).rejects.toThrow(ContactPayloadKeyDestroyedError);
  });

  it('a key destroyed by another process is read here until forgotten (the notification) or until the cache expires', async () => {
    let now = 0;
    const rows = memoryRows();
    const scope = createContactScope(ring, rows, scopeOf, { ttlMs: 1_000, now: () => now });
    const other = createContactScope(ring, rows, scopeOf);
    const codec = new EncryptionCodec(ring, scope);
    const [one] = await codec.encode([payloadOf({ a: 1 })], ctx('welcome:newsletter:c-1'));
    const [two] = await codec.encode([payloadOf({ b: 1 })], ctx('welcome:newsletter:c-2'));
    await other.keys.destroy('c-1');
    await other.keys.destroy('c-2');
    await expect(codec.decode([one!])).resolves.toHaveLength(1); // still cached in this process
    scope.keys.forget('c-1');
    await expect(codec.decode([one!])).rejects.toThrow(ContactPayloadKeyDestroyedError);
    await expect(codec.decode([two!])).resolves.toHaveLength(1);
    now += 1_001; // no notification came: the time limit ends it
    await expect(codec.decode([two!])).rejects.toThrow(ContactPayloadKeyDestroyedError);
  });
});
