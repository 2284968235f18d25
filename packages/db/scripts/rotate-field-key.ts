import { parseArgs } from 'node:util';
import { ZFieldKeys } from '../src/field-crypto.ts';
import { rotateFieldKey } from '../src/field-rotation.ts';
import { createDb } from '../src/index.ts';

// `pnpm --filter @zweck/db rotate:field-key [--batch-size N]`: with the new key first in
// FIELD_ENCRYPTION_KEYS and the old ones after it, seals every value again under the new key
// (docs/SECURITY.md, "Rotating the field key"). Prints counts, never values or key material.
const { values } = parseArgs({ options: { 'batch-size': { type: 'string' } } });
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
const ring = ZFieldKeys.safeParse(process.env.FIELD_ENCRYPTION_KEYS ?? '');
if (!ring.success) {
  console.error(`FIELD_ENCRYPTION_KEYS is invalid: ${ring.error.issues.map((i) => i.message).join('; ')}`);
  process.exit(2);
}
const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
  console.error('--batch-size must be a positive whole number');
  process.exit(2);
}

const db = createDb(url, { maxConnections: 2 });
try {
  const report = await rotateFieldKey(db, ring.data, batchSize === undefined ? {} : { batchSize });
  console.log(`field key rotation: current key ${report.currentKeyId}`);
  for (const c of report.counts) {
    console.log(
      `  ${c.target}: ${c.examined} examined, ${c.resealed} re-sealed, ${c.sealedFromClear} sealed from clear text, ${c.unchanged} already current, ${c.unreadable} unreadable`,
    );
  }
  const unreadable = report.counts.reduce((n, c) => n + c.unreadable, 0);
  if (unreadable > 0) {
    console.error(
      `${unreadable} sealed values do not open with this ring: keep every old key in FIELD_ENCRYPTION_KEYS until they are accounted for.`,
    );
    process.exitCode = 1;
  }
} finally {
  await db.$disconnect();
}
