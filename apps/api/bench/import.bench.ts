// Rows per second of the import's dry run and commit, 10,000 rows against 10,000 existing
// contacts, on a fresh test database. Needs PostgreSQL (`bash infra/services.sh start`).
// Run: pnpm --filter @zweck/api bench
import { randomBytes, randomUUID } from 'node:crypto';
import { createDb, normalizeEmail, suppressionHash, ZFieldKeys } from '@zweck/db';
import { seedCatalogue } from '@zweck/db/seed';
import { createTestDatabase } from '@zweck/db/testing';
import { commitImport, dryRunImport } from '../src/import/import.service.ts';

const ROWS = Number(process.env.ROWS ?? 10_000);

const EXISTING = Number(process.env.EXISTING ?? 10_000);
const serverUrl = process.env.ZWECK_PG_SERVER_URL ?? `postgresql://zweck@127.0.0.1:${process.env.ZWECK_PG_PORT ?? '54329'}/postgres`;

// Names and organizations from pools, as real lists have them: common names repeat, organizations share their legal form.
const FIRST = [
  'Anna',
  'Bernd',
  'Clara',
  'Dieter',
  'Eva',
  'Felix',
  'Greta',
  'Hans',
  'Ida',
  'Jonas',
  'Karla',
  'Lukas',
  'Maria',
  'Niklas',
  'Olga',
  'Paul',
  'Ruth',
  'Stefan',
  'Tina',
  'Uwe',
  'Vera',
  'Walter',
  'Yvonne',
  'Zoe',
  'Thomas',
  'Sabine',
  'Michael',
  'Julia',
  'Andreas',
  'Katrin',
  'Markus',
  'Sandra',
  'Frank',
  'Nicole',
  'Jan',
  'Petra',
  'Tobias',
  'Laura',
  'Sebastian',
  'Lea',
];
const LAST = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Schäfer',
  'Koch',
  'Bauer',
  'Richter',
  'Klein',
  'Wolf',
  'Schröder',
  'Neumann',
  'Schwarz',
  'Zimmermann',
  'Braun',
  'Krüger',
  'Hofmann',
  'Hartmann',
  'Lange',
  'Schmitt',
  'Werner',
  'Schmitz',
  'Krause',
  'Meier',
  'Lehmann',
  'Schmid',
  'Schulze',
  'Maier',
  'Köhler',
  'Herrmann',
  'König',
  'Walter',
  'Mayer',
  'Huber',
  'Kaiser',
  'Fuchs',
  'Peters',
  'Lang',
  'Scholz',
  'Möller',
  'Weiß',
  'Jung',
  'Hahn',
  'Schubert',
  'Vogel',
  'Friedrich',
  'Keller',
  'Günther',
  'Frank',
  'Berger',
  'Winkler',
  'Roth',
  'Beck',
  'Lorenz',
];
const ORG_NAME = [
  'Nordlicht',
  'Spree Analytics',
  'Isar Logistik',
  'Elbe Digital',
  'Rhein Consulting',
  'Alpen Software',
  'Hanse Handel',
  'Weser Bau',
  'Main Finanz',
  'Ruhr Energie',
  'Donau Medien',
  'Oder Transport',
  'Harz Holz',
  'Eifel Werkzeug',
  'Taunus Pharma',
  'Sauerland Metall',
  'Bodensee Optik',
  'Allgäu Käserei',
  'Pfalz Wein',
  'Lausitz Solar',
  'Havel Druck',
  'Mosel Reisen',
  'Saale Chemie',
  'Fulda Textil',
  'Lahn Papier',
];
const ORG_TRADE = [
  'Technik',
  'Service',
  'Systeme',
  'Partner',
  'Gruppe',
  'Werke',
  'Labs',
  'Vertrieb',
  'Beratung',
  'Industrie',
  'Handel',
  'Holding',
  'Studio',
  'Netz',
  'Data',
  'Bau',
  'Logistik',
  'Medien',
  'Finanz',
  'Energie',
];
const ORG_FORM = ['GmbH', 'AG', 'KG', 'SE', 'GmbH & Co. KG', 'e.K.'];
/** A deterministic, well-mixed spread of (i, salt) over a pool (murmur3's finaliser). */
const pick = <T>(items: readonly T[], i: number, salt: number): T => {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return items[((h ^ (h >>> 16)) >>> 0) % items.length]!;
};
const person = (i: number, salt: number) => ({
  firstName: pick(FIRST, i, salt),
  lastName: pick(LAST, i, salt + 101),
  organization: `${pick(ORG_NAME, i, salt + 202)} ${pick(ORG_TRADE, i, salt + 303)} ${pick(ORG_FORM, i, salt + 404)}`,
});

const database = await createTestDatabase(serverUrl, 'bench');
const db = createDb(database.url, { maxConnections: 4 });
try {
  await seedCatalogue(db);
  await db.purpose.create({
    data: {
      id: 'sales_follow_up',
      name: 'Sales follow-up',
      description: 'Following up with business contacts.',
      legalBasis: 'legitimate_interest',
      channels: ['email', 'phone'],
      isDirectMarketing: false,
      balancingTest: 'Interest: answering business enquiries. Impact: low, easy to refuse. Result: the interest prevails.',
    },
  });
  await db.purposeField.createMany({
    data: ['email', 'first_name', 'last_name', 'phone', 'organization', 'job_title', 'notes'].map((fieldKey) => ({
      purposeId: 'sales_follow_up',
      fieldKey,
    })),
    skipDuplicates: true,
  });
  // Existing contacts, so that every look-up has an index to search.
  for (let start = 0; start < EXISTING; start += 1_000) {
    await db.contact.createMany({
      data: Array.from({ length: 1_000 }, (_, j) => {
        const i = start + j;
        const email = `existing${i}@example.org`;
        return {
          id: randomUUID(),
          email,
          emailNormalized: normalizeEmail(email),
          ...person(i, 1),
          phoneE164: `+4930${String(1_000_000 + i)}`,
          phone: `+49 30 ${String(1_000_000 + i)}`,
        };
      }),
    });
  }
  // Statistics, as autovacuum keeps them in a running installation.
  await db.$executeRaw`ANALYZE contact`;
  const suppressionKey = randomBytes(32).toString('hex');
  await db.suppressionEntry.create({ data: { addressHash: suppressionHash(suppressionKey, 'row17@example.org'), reason: 'erasure' } });

  // 10,000 rows: consent and legitimate interest, a merge in every 10, a bad row in every 50.
  const header =
    'email,first_name,last_name,phone,organization,job_title,notes,consent_purposes,consent_method,consent_wording_version,consent_language,consent_given_at,consent_source,legal_basis';
  const fileOf = (domain: string, salt: number) => {
    const lines = Array.from({ length: ROWS }, (_, i) => {
      const email = i % 10 === 0 ? `existing${i}@example.org` : `row${i}@${domain}`;
      const { firstName, lastName, organization } = person(i, salt);
      const consent = i % 2 === 0 ? 'newsletter,web_form,2026-11,en,2026-10-01T09:00:00+02:00,Website form,' : ',,,,,,legitimate_interest';
      const notes = i % 50 === 7 ? 'Met at the diabetes support group' : 'Asked about the pilot';
      const phone = `+49 171 ${String(salt * 1_000_000 + i)}`;
      return [email, firstName, lastName, phone, `"${organization}"`, 'Buyer', notes, consent].join(',');
    });
    return `${header}\n${lines.join('\n')}\n`;
  };
  const content = fileOf('example.org', 2);
  const deps = {
    db,
    env: {
      SUPPRESSION_KEY: suppressionKey,
      DEFAULT_PHONE_REGION: 'DE' as const,
      // The notes column of the file is free text: sealed on the way in, as in production.
      FIELD_ENCRYPTION_KEYS: ZFieldKeys.parse(`bench:${randomBytes(32).toString('base64')}`),
    },
  };
  const input = { format: 'csv' as const, content, source: 'Bench list', defaultLegalBasis: null, allowPossibleDuplicates: false };

  // The bench imports as an administrator would: every field of the file is one its role sees.
  const importer = { actor: `user:${randomUUID()}`, visible: 'all' as const };
  let t = performance.now();
  const report = await dryRunImport(deps, importer, input);
  const dryMs = performance.now() - t;
  t = performance.now();
  const result = await commitImport(deps, importer, { ...input, mode: 'valid_rows_only', expectedSha256: report.fileSha256 });
  const commitMs = performance.now() - t;

  const line = (label: string, ms: number) =>
    console.log(
      `${label.padEnd(36)} ${(ms / 1000).toFixed(2).padStart(6)} s ${Math.round((ROWS / ms) * 1000)
        .toLocaleString('en-US')
        .padStart(8)} rows/s`,
    );
  console.log(
    `${ROWS.toLocaleString('en-US')} rows (${(Buffer.byteLength(content) / 1024 / 1024).toFixed(1)} MB) against ${EXISTING.toLocaleString('en-US')} contacts: ${JSON.stringify(report.summary)}`,
  );
  line('dry run', dryMs);
  line('commit (checks again, then writes)', commitMs);
  console.log(`written: ${JSON.stringify(result.summary)}`);

  // The next file right after: the trigram indexes now hold the 8,800 new contacts in their pending lists.
  const next = { ...input, content: fileOf('example.net', 3) };
  t = performance.now();
  const nextReport = await dryRunImport(deps, importer, next);
  line('dry run of the next file', performance.now() - t);
  console.log(`next file: ${JSON.stringify(nextReport.summary)}`);
} finally {
  await db.$disconnect();
  await database.drop();
}
