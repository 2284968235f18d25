import { createHmac } from 'node:crypto';

/** The normalised form of an address: one contact, one suppression entry, whatever the case. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * The keyed hash kept on the suppression list. Keyed (not a plain hash) so that the list cannot
 * be reversed by hashing a directory of addresses without the installation's key (Art. 17, 32).
 */
export const suppressionHash = (key: string, email: string): string =>
  `hmac-sha256:${createHmac('sha256', key).update(normalizeEmail(email)).digest('hex')}`;
