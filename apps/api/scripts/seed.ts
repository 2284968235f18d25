// Demo data for development: the purpose catalogue, one user per role, a few contacts.
import { createDb, ZFieldKeys } from '@zweck/db';
import { migrate } from '@zweck/db/migrate';
import {
  DEMO_USERS,
  seedCatalogue,
  seedDemoContacts,
  seedDemoJourney,
  seedDemoProcessors,
  seedDemoRetention,
  seedDemoReviews,
  seedUsers,
} from '@zweck/db/seed';
import { seedDemoLeads } from '@zweck/leads';
import { hashPassword } from '../src/auth/password.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set');
const result = await migrate(url);
if (result.applied.length > 0) console.log(`migrations applied: ${result.applied.join(', ')}`);
const db = createDb(url);
await seedCatalogue(db);
// The demo admin and DPO are enrolled with their published TOTP secrets, sealed under the same key ring as the API's.
const fieldKeys = process.env.FIELD_ENCRYPTION_KEYS;
if (!fieldKeys) throw new Error('FIELD_ENCRYPTION_KEYS is not set: the demo admin and DPO get a sealed second factor');
await seedUsers(db, hashPassword, { fieldKeys: ZFieldKeys.parse(fieldKeys) });
if (process.argv.includes('--demo')) {
  // The demo notes are free text: sealed under the same ring.
  await seedDemoContacts(db, { fieldKeys: ZFieldKeys.parse(fieldKeys) });
  // A nurture journey (a draft) to open in the designer.
  await seedDemoJourney(db);
  // The processors register (Art. 28): mail delivery, CRM hosting, analytics in the US under SCCs.
  await seedDemoProcessors(db);
  // The deletion concept: two retention policies and the commercial retention duty (§ 257 HGB).
  await seedDemoRetention(db);
  // Dated reviews (Wiedervorlage): one due this week, a processor contract review, one overdue.
  await seedDemoReviews(db);
  // A sales manager with two reps, scoring rules and scored leads (the policy decides each change).
  const suppressionKey = process.env.SUPPRESSION_KEY;
  if (!suppressionKey) throw new Error('SUPPRESSION_KEY is not set: the demo leads are scored through the policy');
  await seedDemoLeads(db, { suppressionKey, hashPassword });
}
await db.$disconnect();
console.log(`seeded: catalogue, ${DEMO_USERS.length} users${process.argv.includes('--demo') ? ', demo contacts' : ''}`);
