import { DEMO_USERS } from '@zweck/db/seed';
import { describe, expect, it } from 'vitest';
import { checkPassword, PASSWORD_MAX_LENGTH } from './password-policy.ts';

describe('the password rule', () => {
  it('asks for 12 to 128 characters, counted in code points, and no composition', () => {
    expect(checkPassword('short-pass1', 'a@zweck.test')).toBe('too_short');
    expect(checkPassword('x'.repeat(PASSWORD_MAX_LENGTH + 1), 'a@zweck.test')).toBe('too_long');
    // Eleven emoji are 22 UTF-16 units but 11 characters.
    expect(checkPassword('🦊'.repeat(11), 'a@zweck.test')).toBe('too_short');
    expect(checkPassword('all lower case words here', 'a@zweck.test')).toBeNull();
  });

  it('refuses listed passwords after normalisation (case, full-width forms)', () => {
    expect(checkPassword('qwerty123456', 'a@zweck.test')).toBe('common');
    expect(checkPassword('QWERTY123456', 'a@zweck.test')).toBe('common');
    expect(checkPassword('ｑｗｅｒｔｙ１２３４５６', 'a@zweck.test')).toBe('common');
    expect(checkPassword('1qaz2wsx3edc', 'a@zweck.test')).toBe('common');
  });

  it('refuses the e-mail address and its local part', () => {
    expect(checkPassword('Maximilian.Mustermann', 'maximilian.mustermann@example.org')).toBe('email');
    expect(checkPassword('maximilian.mustermann@example.org', 'maximilian.mustermann@example.org')).toBe('email');
  });

  it('lets the seeded demo passwords pass (they are printed in the README)', () => {
    for (const user of DEMO_USERS) expect(checkPassword(user.password, user.email), user.email).toBeNull();
  });
});
