// Prints the current second-factor code of the demo admin or DPO (`pnpm demo:code admin`), from
// their published demo secret (DEMO_TOTP_SECRETS): for development machines, like the demo passwords.
import { DEMO_TOTP_SECRETS } from '@zweck/db/seed';
import { totpCode } from '../src/auth/totp.ts';

const who = process.argv[2];
const email = who === 'admin' || who === 'dpo' ? `${who}@zweck.test` : null;
const secret = email ? DEMO_TOTP_SECRETS[email] : undefined;
if (!secret) {
  console.error('usage: pnpm demo:code <admin|dpo>');
  process.exit(2);
}
const secondsLeft = 30 - (Math.floor(Date.now() / 1000) % 30);
console.log(totpCode(secret));
console.error(`(${email}; valid for ${secondsLeft} more seconds, then the next one)`);
