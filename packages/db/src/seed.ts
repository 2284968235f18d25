import { createHash, randomUUID } from 'node:crypto';
import type { Db } from './index.ts';
import type { Role } from './generated/prisma/enums.ts';

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

/** The purpose catalogue every installation starts with; the DPO edits it later. */
export const CATALOGUE = [
  {
    id: 'newsletter',
    name: 'Newsletter',
    description: 'Our monthly newsletter about products, events and offers.',
    legalBasis: 'consent',
    channels: ['email'],
    isDirectMarketing: true,
    requiresDoubleOptIn: true,
    wording: {
      version: '2026-11',
      en: 'Yes, send me the monthly newsletter by e-mail. I can withdraw this consent at any time, with a link in every message.',
      de: 'Ja, schicken Sie mir den monatlichen Newsletter per E-Mail. Ich kann diese Einwilligung jederzeit widerrufen, mit einem Link in jeder Nachricht.',
    },
  },
  {
    id: 'product_updates',
    name: 'Product updates',
    description: 'News about the products a customer already uses.',
    legalBasis: 'consent',
    channels: ['email'],
    isDirectMarketing: true,
    requiresDoubleOptIn: true,
    allowsExistingCustomerException: true,
    wording: {
      version: '2026-11',
      en: 'Yes, tell me by e-mail about updates to the products I use. I can withdraw this consent at any time.',
      de: 'Ja, informieren Sie mich per E-Mail über Neuerungen der Produkte, die ich nutze. Ich kann diese Einwilligung jederzeit widerrufen.',
    },
  },
] as const;

/**
 * The confirmation mail of a double opt-in is not marketing: it asks the person whether the
 * request was theirs, so that the consent can be proven (Art. 7(1)). It rests on legitimate
 * interest with this balancing test, and goes through the same send gate as every other mail.
 */
export const CONSENT_CONFIRMATION_PURPOSE = {
  id: 'consent_confirmation',
  name: 'Consent confirmation',
  description: 'One e-mail that asks you to confirm a subscription you (or someone using your address) requested.',
  legalBasis: 'legitimate_interest',
  channels: ['email'],
  isDirectMarketing: false,
  balancingTest:
    'Interest: proving that the owner of an address asked for mail before any is sent (Art. 7(1) GDPR, UWG § 7(2) Nr. 2). ' +
    'Impact: one message, no advertising, sent only after a request made with this address; an ignored message changes nothing and the pending request expires. ' +
    'Result: the interest prevails; the person reasonably expects the message.',
} as const;

/** Idempotent: the catalogue and its wordings, as shipped. */
export async function seedCatalogue(db: Db): Promise<void> {
  await db.purpose.upsert({
    where: { id: CONSENT_CONFIRMATION_PURPOSE.id },
    create: { ...CONSENT_CONFIRMATION_PURPOSE, channels: [...CONSENT_CONFIRMATION_PURPOSE.channels] },
    update: {},
  });
  for (const purpose of CATALOGUE) {
    const { wording, ...fields } = purpose;
    await db.purpose.upsert({
      where: { id: purpose.id },
      create: { ...fields, channels: [...fields.channels] },
      update: {},
    });
    for (const language of ['en', 'de'] as const) {
      const text = wording[language];
      await db.consentWording.upsert({
        where: { purposeId_version_language: { purposeId: purpose.id, version: wording.version, language } },
        create: { purposeId: purpose.id, version: wording.version, language, text, textHash: sha256(text) },
        update: {},
      });
    }
  }
}

export interface DemoUser {
  email: string;
  displayName: string;
  role: Role;
  password: string;
}

/** Sign-ins printed by `pnpm up`; for development machines only. */
export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'admin@zweck.test', displayName: 'Ada Admin', role: 'admin', password: 'zweck-admin-demo' },
  { email: 'marketer@zweck.test', displayName: 'Mara Marketer', role: 'marketer', password: 'zweck-marketer-demo' },
  { email: 'sales@zweck.test', displayName: 'Sami Sales', role: 'sales', password: 'zweck-sales-demo' },
  { email: 'dpo@zweck.test', displayName: 'Dana DPO', role: 'dpo', password: 'zweck-dpo-demo' },
];

export async function seedUsers(
  db: Db,
  hashPassword: (password: string) => Promise<string>,
  users: readonly DemoUser[] = DEMO_USERS,
): Promise<void> {
  for (const user of users) {
    const existing = await db.user.findUnique({ where: { email: user.email }, select: { id: true } });
    if (existing) continue;
    await db.user.create({
      data: { email: user.email, displayName: user.displayName, role: user.role, passwordHash: await hashPassword(user.password) },
    });
  }
}

/** A few contacts with their consent history and provenance, so that the demo has something to show. */
export async function seedDemoContacts(db: Db): Promise<void> {
  if ((await db.contact.count()) > 0) return;
  const newsletter = CATALOGUE[0];
  const wordingHash = sha256(newsletter.wording.en);
  const demo = [
    { email: 'lena.schulz@example.org', firstName: 'Lena', lastName: 'Schulz', history: ['granted'] as const },
    { email: 'jonas.becker@example.org', firstName: 'Jonas', lastName: 'Becker', history: ['granted', 'withdrawn'] as const },
    { email: 'mia.wagner@example.org', firstName: 'Mia', lastName: 'Wagner', history: [] as const },
  ];
  const start = Date.parse('2026-10-01T09:00:00.000Z');
  for (const [i, person] of demo.entries()) {
    const id = randomUUID();
    await db.$transaction(async (tx) => {
      await tx.contact.create({
        data: {
          id,
          email: person.email,
          emailNormalized: person.email.toLowerCase(),
          firstName: person.firstName,
          lastName: person.lastName,
        },
      });
      await tx.provenance.create({
        data: { contactId: id, source: 'demo_seed', reference: 'seed', legalBasis: 'consent', actor: 'system:seed' },
      });
      for (const [j, kind] of person.history.entries()) {
        await tx.consentEvent.create({
          data: {
            contactId: id,
            purposeId: newsletter.id,
            channel: 'email',
            kind,
            occurredAt: new Date(start + i * 86_400_000 + j * 3_600_000),
            method: kind === 'granted' ? 'web_form' : 'one_click_unsubscribe',
            source: kind === 'granted' ? 'website/newsletter-form' : 'demo_seed',
            wordingVersion: kind === 'granted' ? newsletter.wording.version : null,
            wordingHash: kind === 'granted' ? wordingHash : null,
            actor: 'contact',
          },
        });
      }
    });
  }
}
