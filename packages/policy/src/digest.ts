import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * SHA-256 of the JSON of a value whose key order is fixed by construction (an object literal
 * built in one place, arrays): deterministic without a generic canonicalisation, whose cost would
 * dominate the send gate's decision. Pure JavaScript (no Node crypto, no async Web Crypto), so
 * that it runs unchanged in the workflow sandbox and the browser.
 */
export function digestOfOrdered(value: unknown): string {
  return `sha256:${bytesToHex(sha256(utf8ToBytes(JSON.stringify(value))))}`;
}
