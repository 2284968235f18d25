import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contactFieldContext, openContactAttributes, sealContactAttributes } from './contact-attributes.ts';
import { createFieldCipher, FieldSealError, searchHash, ZFieldKeys } from './field-crypto.ts';

const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const K1 = keyText('k1');
const K2 = keyText('k2');
const ringOf = (text: string) => ZFieldKeys.parse(text);
const context = 'contact:00000000-0000-4000-8000-000000000001:field:notes';

/** The error a call throws, so that its reason and message can be checked. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('FIELD_ENCRYPTION_KEYS', () => {
  it('takes the first key as the current one', () => {
    const ring = ringOf(`${K2},${K1}`);
    expect(ring.currentKeyId).toBe('k2');
    expect([...ring.keys.keys()]).toEqual(['k2', 'k1']);
  });

  it('refuses a short key, a bad ID and a repeated ID without quoting key material', () => {
    const short = `k1:${randomBytes(16).toString('base64')}`;
    const result = ZFieldKeys.safeParse(short);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain(short.slice(3));
    expect(ZFieldKeys.safeParse(`bad id:${randomBytes(32).toString('base64')}`).success).toBe(false);
    expect(ZFieldKeys.safeParse(`${K1},${K1}`).success).toBe(false);
    expect(ZFieldKeys.safeParse('').success).toBe(false);
  });
});

describe('createFieldCipher', () => {
  it('seals and opens a value in its context, with a fresh IV each time', () => {
    const cipher = createFieldCipher(ringOf(K1));
    const text = 'Prefers calls after 3 pm. Met at the Hannover fair — ßüö';
    const a = cipher.seal(text, context);
    const b = cipher.seal(text, context);
    expect(a).not.toBe(b);
    expect(a).not.toContain('Hannover');
    expect(a.startsWith('zf1.k1.')).toBe(true);
    expect(cipher.isSealed(a)).toBe(true);
    expect(cipher.keyIdOf(a)).toBe('k1');
    expect(cipher.open(a, context)).toBe(text);
    expect(cipher.open(cipher.seal('', context), context)).toBe('');
  });

  it('tells sealed values from clear text', () => {
    const cipher = createFieldCipher(ringOf(K1));
    expect(cipher.isSealed('Met at the fair')).toBe(false);
    expect(cipher.keyIdOf('Met at the fair')).toBeNull();
    expect(cipher.isSealed('zf1.k1.only-three')).toBe(false);
  });

  it('refuses a value in another context (another contact or field)', () => {
    const cipher = createFieldCipher(ringOf(K1));
    const sealed = cipher.seal('Met at the fair', context);
    const error = thrown(() => cipher.open(sealed, context.replace('notes', 'other_notes')));
    expect(error).toBeInstanceOf(FieldSealError);
    expect((error as FieldSealError).reason).toBe('tampered_or_misplaced');
    expect((error as FieldSealError).message).not.toContain('fair');
    expect(() => cipher.open(sealed, 'contact:00000000-0000-4000-8000-000000000002:field:notes')).toThrow(FieldSealError);
  });

  it('refuses a changed ciphertext, tag or IV', () => {
    const cipher = createFieldCipher(ringOf(K1));
    const sealed = cipher.seal('Met at the fair', context);
    const [prefix, keyId, iv, tag, data] = sealed.split('.') as [string, string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64url');
    };
    for (const changed of [
      [prefix, keyId, iv, tag, flip(data)],
      [prefix, keyId, iv, flip(tag), data],
      [prefix, keyId, flip(iv), tag, data],
    ]) {
      const error = thrown(() => cipher.open(changed.join('.'), context));
      expect((error as FieldSealError).reason).toBe('tampered_or_misplaced');
    }
    expect((thrown(() => cipher.open('not sealed', context)) as FieldSealError).reason).toBe('malformed');
  });

  it('refuses a value sealed under a key the ring does not hold, naming the key only', () => {
    const sealed = createFieldCipher(ringOf(K1)).seal('Met at the fair', context);
    const error = thrown(() => createFieldCipher(ringOf(K2)).open(sealed, context));
    expect(error).toBeInstanceOf(FieldSealError);
    expect((error as FieldSealError).reason).toBe('unknown_key');
    expect((error as FieldSealError).keyId).toBe('k1');
  });

  it('rotates: the new key seals, the old key still opens until it is dropped', () => {
    const old = createFieldCipher(ringOf(K1)).seal('Met at the fair', context);
    const rotating = createFieldCipher(ringOf(`${K2},${K1}`));
    expect(rotating.currentKeyId).toBe('k2');
    expect(rotating.open(old, context)).toBe('Met at the fair');
    const resealed = rotating.seal(rotating.open(old, context), context);
    expect(rotating.keyIdOf(resealed)).toBe('k2');
    const rotated = createFieldCipher(ringOf(K2));
    expect(rotated.open(resealed, context)).toBe('Met at the fair');
    expect(() => rotated.open(old, context)).toThrow(FieldSealError);
  });
});

describe('searchHash', () => {
  it('is stable per domain and differs across domains and secrets', () => {
    const secret = 's'.repeat(32);
    expect(searchHash(secret, 'field:a', 'x')).toBe(searchHash(secret, 'field:a', 'x'));
    expect(searchHash(secret, 'field:a', 'x')).not.toBe(searchHash(secret, 'field:b', 'x'));
    expect(searchHash(secret, 'field:a', 'x')).not.toBe(searchHash('t'.repeat(32), 'field:a', 'x'));
    expect(searchHash(secret, 'field:a', 'x')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('contact attributes', () => {
  const cipher = createFieldCipher(ringOf(K1));
  const contactId = '00000000-0000-4000-8000-0000000000aa';
  const freeText = new Set(['notes']);

  it('seals the free-text values only and opens them again', () => {
    const stored = sealContactAttributes(cipher, contactId, { notes: 'Met at the fair', city: 'Berlin' }, freeText);
    expect(stored.city).toBe('Berlin');
    expect(cipher.isSealed(stored.notes ?? '')).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('fair');
    expect(openContactAttributes(cipher, contactId, stored, freeText)).toEqual({ notes: 'Met at the fair', city: 'Berlin' });
    expect(cipher.open(stored.notes ?? '', contactFieldContext(contactId, 'notes'))).toBe('Met at the fair');
  });

  it('opens a clear value written before encryption as itself, and drops what is not text', () => {
    expect(openContactAttributes(cipher, contactId, { notes: 'Written in 2025', n: 3 }, ['notes'])).toEqual({ notes: 'Written in 2025' });
    expect(openContactAttributes(cipher, contactId, null, freeText)).toEqual({});
    expect(openContactAttributes(cipher, contactId, ['a'], freeText)).toEqual({});
  });

  it('refuses a value copied from another contact', () => {
    const other = sealContactAttributes(cipher, '00000000-0000-4000-8000-0000000000bb', { notes: 'Someone else' }, freeText);
    const error = thrown(() => openContactAttributes(cipher, contactId, other, freeText));
    expect(error).toBeInstanceOf(FieldSealError);
    expect((error as FieldSealError).fieldKey).toBe('notes');
    expect((error as Error).message).not.toContain('Someone');
  });
});
