import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, PayloadKeyMissingError, ZPayloadKeys } from './index.ts';

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
