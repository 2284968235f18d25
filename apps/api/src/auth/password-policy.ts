import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The password rule (NIST SP 800-63B 5.1.1.2, OWASP ASVS 5 V6.2): length over composition, and
 * no password from a list of common or breached ones shipped with the product (no network
 * look-up). There are deliberately no composition rules: they push people to `Password1!`.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** Compared after NFKC and lower case, so `PASSWORD1234` and `ｐａｓｓｗｏｒｄ1234` count as the listed one. */
export const normalisePassword = (password: string): string => password.normalize('NFKC').toLowerCase();

let common: Set<string> | undefined;
/** Loaded once, on first use (about 50k entries, 0.2 MB compressed); see common-passwords/README.md. */
function commonPasswords(): Set<string> {
  common ??= new Set(
    gunzipSync(readFileSync(new URL('./common-passwords/common-passwords.txt.gz', import.meta.url)))
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0),
  );
  return common;
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'email';

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  too_short: `Use at least ${PASSWORD_MIN_LENGTH} characters; a few words in a row are easy to remember.`,
  too_long: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
  common: 'This password is on a list of common or breached passwords. Choose another one.',
  email: 'Do not use your e-mail address or its name part as the password.',
};

/** The first problem of a new password, or null when it may be used. Length counts code points. */
export function checkPassword(password: string, email: string): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  const normalised = normalisePassword(password);
  const address = email.trim().toLowerCase();
  const localPart = address.split('@')[0] ?? address;
  if (normalised === address || normalised === localPart) return 'email';
  if (commonPasswords().has(normalised)) return 'common';
  return null;
}
