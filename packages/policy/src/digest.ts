import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';

/**
 * SHA-256 of the RFC 8785 canonical JSON of a value. Pure JavaScript (no Node crypto, no Web
 * Crypto) so that it runs unchanged in the workflow sandbox and the browser.
 */
export function digestOf(value: unknown): string {
  const canonical = canonicalize(value);
  if (canonical === undefined) throw new TypeError('digestOf: value has no JSON form');
  return `sha256:${bytesToHex(sha256(utf8ToBytes(canonical)))}`;
}
