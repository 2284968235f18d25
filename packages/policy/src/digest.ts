import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * SHA-256 of the JSON of a value whose key order is fixed by construction (an object literal
 * built in one place, arrays): deterministic without a generic canonicalisation, whose cost would
 * dominate the send gate's decision. Pure JavaScript (no Node crypto, no async Web Crypto), so
 * that it runs unchanged in the workflow sandbox and the browser.
 */
export function digestOfOrdered(value: unknown, sha256Hex: (text: string) => string = sha256HexPure): string {
  return `sha256:${sha256Hex(JSON.stringify(value))}`;
}

/** SHA-256 in pure JavaScript: the default, where no native hash is at hand (the workflow sandbox, the browser). */
export const sha256HexPure = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));
