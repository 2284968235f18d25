import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

// Verified when the account does not exist, so that the answer takes as long either way and
// does not tell whether an account exists.
const DUMMY_HASH = hashPassword('zweck-dummy-password-for-timing');

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const target = passwordHash ?? (await DUMMY_HASH);
  const ok = await verify(target, password).catch(() => false);
  return ok && passwordHash !== null;
}
