import { createHash, randomUUID } from 'node:crypto';
import { sealContactAttributes } from './contact-attributes.ts';
import { createFieldCipher, type FieldKeyRing } from './field-crypto.ts';
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
  /**
   * Open and click tracking reads from the person's device (the pixel's request, the redirect) and
   * builds a picture of their behaviour: it needs consent of its own (§ 25(1) TDDDG, formerly
   * TTDSG; Art. 6(1)(a) GDPR), separate from the consent to receive the mail. It is not direct
   * marketing: no message is sent under it, and an objection to marketing does not need to end it.
   */
  {
    id: 'email_tracking',
    name: 'E-mail open and click measurement',
    description: 'Measuring whether you open our e-mails and which links in them you click, to improve our mailings. Not direct marketing.',
    legalBasis: 'consent',
    channels: ['email'],
    isDirectMarketing: false,
    requiresDoubleOptIn: false,
    wording: {
      version: '2026-11',
      en: 'Yes, you may measure whether I open your e-mails and which links in them I click (a tracking pixel and tracked links), to improve your mailings. I can withdraw this consent at any time in the preference center.',
      de: 'Ja, Sie dürfen messen, ob ich Ihre E-Mails öffne und welche Links darin ich anklicke (Zählpixel und verfolgte Links), um Ihre Mailings zu verbessern. Ich kann diese Einwilligung jederzeit im Präferenzzentrum widerrufen.',
    },
  },
  /**
   * Lead scoring is profiling: it weighs what a person did to decide when sales should call. Only
   * consent carries it (Art. 6(1)(a), 21, 22 GDPR; legitimate interest does not), so it has a
   * purpose and a wording of its own. Not direct marketing: nothing is sent under it.
   */
  {
    id: 'lead_scoring',
    name: 'Interest scoring',
    description:
      'Weighing which of our mails, events and offers you took up, so that our sales team contacts you when you show interest. Not direct marketing.',
    legalBasis: 'consent',
    channels: ['email'],
    isDirectMarketing: false,
    requiresDoubleOptIn: false,
    wording: {
      version: '2026-11',
      en: 'Yes, you may evaluate which of your mails, events and offers I take up, so that your sales team gets in touch when I seem interested. I can withdraw this consent at any time in the preference center.',
      de: 'Ja, Sie dürfen auswerten, welche Ihrer Mails, Veranstaltungen und Angebote ich wahrnehme, damit sich Ihr Vertrieb meldet, wenn ich interessiert scheine. Ich kann diese Einwilligung jederzeit im Präferenzzentrum widerrufen.',
    },
  },
  /** Calls from sales need prior express consent (§ 7(2) Nr. 1 UWG for consumers; presumed consent is too weak to rely on). */
  {
    id: 'sales_calls',
    name: 'Calls from our sales team',
    description: 'Phone calls from our sales team about the offers you asked about.',
    legalBasis: 'consent',
    channels: ['phone'],
    isDirectMarketing: true,
    requiresDoubleOptIn: false,
    wording: {
      version: '2026-11',
      en: 'Yes, your sales team may call me about the offers I asked about. I can withdraw this consent at any time.',
      de: 'Ja, Ihr Vertrieb darf mich zu den Angeboten anrufen, nach denen ich gefragt habe. Ich kann diese Einwilligung jederzeit widerrufen.',
    },
  },
] as const;

/**
 * Following up a lead by e-mail about what the person asked for rests on legitimate interest with
 * this balancing test. It is direct marketing (an objection ends it, Art. 21(3)), and it may use
 * only the fields sales needs to answer (Art. 5(1)(c)).
 */
export const SALES_FOLLOW_UP_PURPOSE = {
  id: 'sales_follow_up',
  name: 'Sales follow-up',
  description: 'An e-mail from our sales team about the offer or the topic you showed interest in.',
  legalBasis: 'legitimate_interest',
  channels: ['email'],
  isDirectMarketing: true,
  balancingTest:
    'Interest: answering the interest a business contact showed (a requested offer, an event attended, repeated visits to offers) with a personal message from sales (recital 47 GDPR). ' +
    'Impact: business contact details only (name, organization, address, phone, role, city); no special categories; one follow-up thread, and every message says how to object. ' +
    'Result: the interest prevails for business contacts who engaged with us; an objection ends it for good (Art. 21(3) GDPR).',
  retentionMonths: 24,
} as const;

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

/**
 * Answers to data-subject requests and copies of a person's own records (consent receipts,
 * access archives) are mail the controller owes the person (Art. 12(3), 15(3) GDPR).
 */
export const DATA_SUBJECT_RIGHTS_PURPOSE = {
  id: 'data_subject_rights',
  name: 'Answers to your data protection requests',
  description: 'Replies to the requests you make under the GDPR, such as a copy of your consents or of your data.',
  legalBasis: 'legal_obligation',
  channels: ['email'],
  isDirectMarketing: false,
} as const;

/**
 * Mail to staff about their own work: test sends of a template to the author's own address, and
 * later lead assignments and reminders. It rests on the employment contract (Art. 6(1)(b) GDPR,
 * § 26 BDSG) and is not direct marketing; no contact's data or consent is involved.
 */
export const STAFF_NOTIFICATIONS_PURPOSE = {
  id: 'staff_notifications',
  name: 'Staff notifications',
  description: 'Messages to staff about their own work, such as test sends of a template to their own address.',
  legalBasis: 'contract',
  channels: ['email'],
  isDirectMarketing: false,
} as const;

/**
 * Purposes the product itself sends under (confirmations, answers to requests, mail to staff):
 * their basis and channel stay as shipped, and they carry no imported or marketing data.
 */
export const SYSTEM_PURPOSE_IDS: ReadonlySet<string> = new Set([
  CONSENT_CONFIRMATION_PURPOSE.id,
  DATA_SUBJECT_RIGHTS_PURPOSE.id,
  STAFF_NOTIFICATIONS_PURPOSE.id,
]);

/**
 * Looking after business contacts (enquiries, offers, meetings) rests on legitimate interest with
 * a documented balancing test. It is not direct marketing: no newsletters go out under it.
 */
export const CUSTOMER_RELATIONSHIP_PURPOSE = {
  id: 'customer_relationship',
  name: 'Customer relationship',
  description: 'Answering your enquiries, preparing offers and arranging meetings with you or your organization.',
  legalBasis: 'legitimate_interest',
  channels: ['email', 'phone'],
  isDirectMarketing: false,
  balancingTest:
    'Interest: answering business enquiries and keeping in touch with contacts at customers and prospects (recital 47 GDPR). ' +
    'Impact: business contact details and notes about the relationship only; no profiling, no advertising, no special categories. ' +
    'Result: the interest prevails; business contacts expect to be contacted about the matters they raised.',
  retentionMonths: 36,
} as const;

/** The contact attributes every installation starts with; the DPO adds and edits fields later. */
export const FIELD_CATALOGUE = [
  { key: 'email', label: 'E-mail', category: 'contact', type: 'email', isBuiltin: true, description: 'The address mail is sent to.' },
  {
    key: 'first_name',
    label: 'First name',
    category: 'identity',
    type: 'text',
    isBuiltin: true,
    description: 'Used to address the person.',
  },
  { key: 'last_name', label: 'Last name', category: 'identity', type: 'text', isBuiltin: true, description: 'Used to address the person.' },
  {
    key: 'phone',
    label: 'Phone',
    category: 'contact',
    type: 'phone',
    isBuiltin: true,
    description: 'A business phone number, stored in E.164.',
  },
  {
    key: 'organization',
    label: 'Organization',
    category: 'professional',
    type: 'text',
    isBuiltin: true,
    description: 'The company or institution the person works for.',
  },
  {
    key: 'job_title',
    label: 'Job title',
    category: 'professional',
    type: 'text',
    isBuiltin: false,
    description: 'The role the person holds, to choose relevant content.',
  },
  { key: 'city', label: 'City', category: 'location', type: 'text', isBuiltin: false, description: 'For invitations to events nearby.' },
  {
    key: 'notes',
    label: 'Notes',
    category: 'professional',
    type: 'free_text',
    isBuiltin: false,
    description: 'Notes about the business relationship. Screened for special categories (Art. 9).',
  },
] as const;

/** Which fields each shipped purpose may use (data minimisation, Art. 5(1)(c)). */
export const PURPOSE_FIELDS: Record<string, readonly string[]> = {
  newsletter: ['email', 'first_name', 'last_name', 'city'],
  product_updates: ['email', 'first_name', 'last_name', 'organization', 'job_title'],
  consent_confirmation: ['email'],
  data_subject_rights: ['email', 'first_name', 'last_name'],
  customer_relationship: ['email', 'first_name', 'last_name', 'phone', 'organization', 'job_title', 'city', 'notes'],
  sales_follow_up: ['email', 'first_name', 'last_name', 'phone', 'organization', 'job_title', 'city'],
  sales_calls: ['first_name', 'last_name', 'phone', 'organization'],
};

/**
 * Which staff roles work for each shipped purpose (need-to-know, Art. 5(1)(f), 32 GDPR): a role
 * other than admin and dpo sees only the fields of the purposes it works for. Marketers run the
 * mailings and the scoring, sales follows up and looks after customers, the DPO answers requests
 * and proves consent, administrators get the staff mail. Installations that held the catalogue
 * before this existed got the same roles once, from the migration `purpose_staff_roles`.
 */
export const PURPOSE_STAFF_ROLES: Record<string, readonly Role[]> = {
  newsletter: ['marketer'],
  product_updates: ['marketer'],
  email_tracking: ['marketer'],
  lead_scoring: ['marketer'],
  sales_follow_up: ['sales'],
  sales_calls: ['sales'],
  customer_relationship: ['sales'],
  consent_confirmation: ['dpo'],
  data_subject_rights: ['dpo'],
  staff_notifications: ['admin'],
};

const staffRolesOf = (purposeId: string): Role[] => [...(PURPOSE_STAFF_ROLES[purposeId] ?? [])];

/** Idempotent: the purpose and field catalogues and the wordings, as shipped. Never overwrites the DPO's edits. */
export async function seedCatalogue(db: Db): Promise<void> {
  for (const purpose of [
    CONSENT_CONFIRMATION_PURPOSE,
    DATA_SUBJECT_RIGHTS_PURPOSE,
    CUSTOMER_RELATIONSHIP_PURPOSE,
    SALES_FOLLOW_UP_PURPOSE,
    STAFF_NOTIFICATIONS_PURPOSE,
  ]) {
    await db.purpose.createMany({
      data: [{ ...purpose, channels: [...purpose.channels], staffRoles: staffRolesOf(purpose.id) }],
      skipDuplicates: true,
    });
  }
  for (const purpose of CATALOGUE) {
    const { wording, ...fields } = purpose;
    await db.purpose.createMany({
      data: [{ ...fields, channels: [...fields.channels], staffRoles: staffRolesOf(purpose.id) }],
      skipDuplicates: true,
    });
    // Wordings are immutable in the database: insert what is missing, touch nothing else.
    await db.consentWording.createMany({
      data: (['en', 'de'] as const).map((language) => ({
        purposeId: purpose.id,
        version: wording.version,
        language,
        text: wording[language],
        textHash: sha256(wording[language]),
      })),
      skipDuplicates: true,
    });
  }
  await db.fieldDefinition.createMany({ data: [...FIELD_CATALOGUE], skipDuplicates: true });
  await db.purposeField.createMany({
    data: Object.entries(PURPOSE_FIELDS).flatMap(([purposeId, keys]) => keys.map((fieldKey) => ({ purposeId, fieldKey }))),
    skipDuplicates: true,
  });
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

/**
 * The TOTP secrets (RFC 6238, base32) of the demo admin and DPO, whose roles require a second
 * factor. Published like the demo passwords, for development machines only:
 * `pnpm demo:code admin` prints the current code. Never use them for a real account.
 */
export const DEMO_TOTP_SECRETS: Readonly<Record<string, string>> = {
  'admin@zweck.test': 'ZWECKDEMOADMINSECONDFACTORSECRET',
  'dpo@zweck.test': 'ZWECKDEMODPOSECONDFACTORSECRETAA',
};

export interface SeedUsersOptions {
  /**
   * The field key ring (FIELD_ENCRYPTION_KEYS): with it, the demo users of DEMO_TOTP_SECRETS are
   * enrolled with their published secret, sealed as the API seals any (`user:<id>:totp`). Without
   * it they enrol at their first sign-in, as their role requires.
   */
  fieldKeys?: FieldKeyRing;
  users?: readonly DemoUser[];
}

export async function seedUsers(
  db: Db,
  hashPassword: (password: string) => Promise<string>,
  options: SeedUsersOptions = {},
): Promise<void> {
  const cipher = options.fieldKeys ? createFieldCipher(options.fieldKeys) : null;
  for (const user of options.users ?? DEMO_USERS) {
    const existing = await db.user.findUnique({ where: { email: user.email }, select: { id: true } });
    const { id } =
      existing ??
      (await db.user.create({
        data: { email: user.email, displayName: user.displayName, role: user.role, passwordHash: await hashPassword(user.password) },
        select: { id: true },
      }));
    const secret = DEMO_TOTP_SECRETS[user.email];
    if (cipher && secret && !(await db.userTotp.findUnique({ where: { userId: id }, select: { userId: true } }))) {
      const now = new Date();
      await db.userTotp.create({ data: { userId: id, secretSealed: cipher.seal(secret, `user:${id}:totp`), confirmedAt: now } });
    }
  }
}

/** Free-text notes of the demo contacts (by address): sealed like any, so they need the field key ring. */
const DEMO_NOTES: Readonly<Record<string, string>> = {
  'lena.schulz@example.org': 'Met at the Hannover fair; prefers a call after 3 pm about the pilot.',
};

/**
 * A few contacts with their consent history and provenance, so that the demo has something to show.
 * With the field key ring (FIELD_ENCRYPTION_KEYS) the demo notes are written too, sealed.
 */
export async function seedDemoContacts(db: Db, options: { fieldKeys?: FieldKeyRing } = {}): Promise<void> {
  if ((await db.contact.count()) > 0) return;
  const cipher = options.fieldKeys ? createFieldCipher(options.fieldKeys) : null;
  const newsletter = CATALOGUE[0];
  const wordingHash = sha256(newsletter.wording.en);
  const demo = [
    {
      email: 'lena.schulz@example.org',
      firstName: 'Lena',
      lastName: 'Schulz',
      organization: 'Nordlicht GmbH',
      phone: '+49 30 901820',
      phoneE164: '+4930901820',
      history: ['granted'] as const,
    },
    {
      email: 'jonas.becker@example.org',
      firstName: 'Jonas',
      lastName: 'Becker',
      organization: 'Becker & Söhne KG',
      phone: null,
      phoneE164: null,
      history: ['granted', 'withdrawn'] as const,
    },
    {
      email: 'mia.wagner@example.org',
      firstName: 'Mia',
      lastName: 'Wagner',
      organization: null,
      phone: null,
      phoneE164: null,
      history: [] as const,
    },
  ];
  const start = Date.parse('2026-10-01T09:00:00.000Z');
  for (const [i, person] of demo.entries()) {
    const id = randomUUID();
    const notes = DEMO_NOTES[person.email];
    await db.$transaction(async (tx) => {
      await tx.contact.create({
        data: {
          id,
          email: person.email,
          emailNormalized: person.email.toLowerCase(),
          firstName: person.firstName,
          lastName: person.lastName,
          organization: person.organization,
          phone: person.phone,
          phoneE164: person.phoneE164,
          attributes: cipher && notes !== undefined ? sealContactAttributes(cipher, id, { notes }, ['notes']) : {},
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
        // A web form sign-up counts once the person clicks the confirmation link (double opt-in);
        // the demo's people did, twenty minutes later, so that their newsletter consent is in force.
        if (kind === 'granted') {
          await tx.consentEvent.create({
            data: {
              contactId: id,
              purposeId: newsletter.id,
              channel: 'email',
              kind: 'confirmed',
              occurredAt: new Date(start + i * 86_400_000 + j * 3_600_000 + 20 * 60_000),
              method: 'double_opt_in',
              source: 'confirmation-link',
              actor: 'contact',
            },
          });
        }
      }
    });
  }
}

/** The demo journey's names; the seed creates each once and leaves later edits alone. */
export const DEMO_JOURNEY = {
  name: 'Welcome nurture (demo)',
  templateName: 'Welcome to our newsletter (demo)',
  segmentName: 'Newsletter subscribers (demo)',
} as const;

/**
 * A nurture journey to open in the designer: new newsletter subscribers get a welcome mail; who
 * clicks within three days scores points (interest scoring, on its own consent) and leaves as
 * engaged, the others leave quietly. Left as a draft: publishing runs the lawfulness check.
 */
export async function seedDemoJourney(db: Db): Promise<void> {
  if (await db.journey.findUnique({ where: { name: DEMO_JOURNEY.name }, select: { id: true } })) return;
  const template =
    (await db.template.findUnique({ where: { name: DEMO_JOURNEY.templateName }, select: { id: true } })) ??
    (await db.template.create({
      data: {
        id: randomUUID(),
        name: DEMO_JOURNEY.templateName,
        kind: 'marketing',
        subject: 'Welcome to our newsletter',
        html:
          '<p>Hello{{#first_name}} {{first_name}}{{/first_name}},</p><p>thank you for subscribing. <a href="https://example.org/news">Read this month’s news</a>.</p>' +
          '<p>{{imprint}} · <a href="{{privacy_notice_url}}">Privacy</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
        text:
          'Hello{{#first_name}} {{first_name}}{{/first_name}},\nthank you for subscribing. Read this month’s news: https://example.org/news\n\n' +
          '{{imprint}}\nPrivacy: {{privacy_notice_url}}\nPreferences: {{preferences_url}}\nUnsubscribe: {{unsubscribe_url}}',
        createdBy: 'system:seed',
      },
      select: { id: true },
    }));
  const segment =
    (await db.segment.findUnique({ where: { name: DEMO_JOURNEY.segmentName }, select: { id: true } })) ??
    (await db.segment.create({
      data: {
        id: randomUUID(),
        name: DEMO_JOURNEY.segmentName,
        description: 'Everyone whose newsletter consent by e-mail is confirmed.',
        definition: {
          version: 1,
          match: 'all',
          conditions: [{ type: 'consent', purposeId: 'newsletter', channel: 'email', status: ['confirmed'] }],
        },
        createdBy: 'system:seed',
      },
      select: { id: true },
    }));
  // The journey definition (packages/journeys, version 1), written out: db depends on nothing internal.
  const draft = {
    version: 1,
    purposeId: 'newsletter',
    trigger: { type: 'segment_entry', segmentId: segment.id },
    entryStepId: 'welcome',
    steps: [
      {
        id: 'welcome',
        label: 'Welcome mail',
        type: 'send',
        templateId: template.id,
        purposeId: 'newsletter',
        channel: 'email',
        track: true,
        next: 'wait-click',
        position: { x: 0, y: 0 },
      },
      {
        id: 'wait-click',
        label: 'Clicked within 3 days?',
        type: 'wait_event',
        event: { type: 'interaction', kind: 'clicked' },
        timeout: { days: 3, hours: 0, minutes: 0 },
        onEvent: 'score-click',
        onTimeout: 'quiet',
        position: { x: 0, y: 170 },
      },
      {
        id: 'score-click',
        label: 'Interest shown',
        type: 'score',
        purposeId: 'lead_scoring',
        points: 10,
        reason: 'Clicked the welcome mail',
        next: 'engaged',
        position: { x: -160, y: 340 },
      },
      { id: 'engaged', label: 'Engaged', type: 'exit', position: { x: -160, y: 510 } },
      { id: 'quiet', label: 'No reaction', type: 'exit', position: { x: 160, y: 340 } },
    ],
    exitRules: { withdrawal: true, objection: true, restriction: true, erasure: true, conversion: { stages: ['customer'] } },
    allowReentry: false,
  };
  await db.journey.create({
    data: {
      id: randomUUID(),
      name: DEMO_JOURNEY.name,
      description: 'Welcome new newsletter subscribers and notice who clicks.',
      status: 'draft',
      draft,
      createdBy: 'system:seed',
    },
  });
}

/** Three processors as a register starts (Art. 28): mail delivery in the EU, CRM hosting in the EU, analytics in the US under SCCs. */
export const DEMO_PROCESSORS = [
  {
    id: '5eed0001-0000-4000-8000-000000000001',
    name: 'Postwerk Versand GmbH',
    service: 'Delivery of e-mail (SMTP relay), bounce and complaint handling',
    noticeEmail: 'datenschutz@postwerk-versand.example',
    contractSignedOn: new Date('2025-03-14T00:00:00.000Z'),
    country: 'DE',
    transferMechanism: 'eu_eea',
    dataCategories: ['identity', 'contact', 'behavioural'],
    reviewOn: new Date('2027-03-14T00:00:00.000Z'),
    purposeIds: ['newsletter', 'product_updates', 'consent_confirmation', 'data_subject_rights', 'email_tracking'],
  },
  {
    id: '5eed0001-0000-4000-8000-000000000002',
    name: 'Nordhost Cloud AB',
    service: 'Hosting of the CRM database, backups and the application servers',
    noticeEmail: 'privacy@nordhost-cloud.example',
    contractSignedOn: new Date('2024-11-02T00:00:00.000Z'),
    country: 'SE',
    transferMechanism: 'eu_eea',
    dataCategories: ['identity', 'contact', 'professional', 'location', 'preference', 'behavioural', 'transaction'],
    reviewOn: new Date('2026-12-15T00:00:00.000Z'),
    purposeIds: ['customer_relationship', 'sales_follow_up', 'newsletter', 'product_updates', 'lead_scoring', 'sales_calls'],
  },
  {
    id: '5eed0001-0000-4000-8000-000000000003',
    name: 'Clickmetric Inc.',
    service: 'Analytics of opens and clicks of marketing e-mail',
    noticeEmail: 'dpa@clickmetric.example',
    contractSignedOn: new Date('2025-09-01T00:00:00.000Z'),
    country: 'US',
    transferMechanism: 'standard_contractual_clauses',
    dataCategories: ['behavioural'],
    reviewOn: new Date('2026-09-01T00:00:00.000Z'),
    purposeIds: ['email_tracking', 'lead_scoring'],
  },
] as const;

/** Idempotent: the demo processors and the purposes they serve (only purposes that exist). */
export async function seedDemoProcessors(db: Db): Promise<void> {
  const purposes = new Set((await db.purpose.findMany({ select: { id: true } })).map((p) => p.id));
  for (const { purposeIds, dataCategories, ...processor } of DEMO_PROCESSORS) {
    await db.processor.createMany({ data: [{ ...processor, dataCategories: [...dataCategories] }], skipDuplicates: true });
    await db.processorPurpose.createMany({
      data: purposeIds.filter((id) => purposes.has(id)).map((purposeId) => ({ processorId: processor.id, purposeId })),
      skipDuplicates: true,
    });
  }
}

/** The deletion concept as a DPO starts it: two retention policies and the commercial retention duty. */
export const DEMO_RETENTION_POLICIES = [
  {
    id: '5eed0002-0000-4000-8000-000000000001',
    name: 'Newsletter: 24 months after the last interaction',
    scopeKind: 'purpose',
    purposeId: 'newsletter',
    period: 'P24M',
    anchor: 'last_interaction',
    action: 'delete',
    reminderLeadDays: 30,
    requiresApproval: true,
  },
  {
    id: '5eed0002-0000-4000-8000-000000000002',
    name: 'Sales follow-up: 36 months after the contract ends',
    scopeKind: 'purpose',
    purposeId: 'sales_follow_up',
    period: 'P36M',
    anchor: 'contract_end',
    action: 'anonymize',
    reminderLeadDays: 30,
    requiresApproval: false,
  },
] as const;

export const DEMO_LEGAL_HOLD = {
  id: '5eed0003-0000-4000-8000-000000000001',
  kind: 'commercial_hgb_257',
  scopeKind: 'data_category',
  dataCategory: 'transaction',
  reason: '§ 257 HGB: commercial letters six years, accounting records ten years from the end of the calendar year',
  startsOn: new Date('2026-01-01T00:00:00.000Z'),
  endsOn: null,
} as const;

/** Idempotent: the demo retention policies (for purposes that exist) and the commercial hold. */
export async function seedDemoRetention(db: Db): Promise<void> {
  const purposes = new Set((await db.purpose.findMany({ select: { id: true } })).map((p) => p.id));
  await db.retentionPolicy.createMany({
    data: DEMO_RETENTION_POLICIES.filter((p) => purposes.has(p.purposeId)).map((p) => ({ ...p })),
    skipDuplicates: true,
  });
  await db.legalHold.createMany({ data: [{ ...DEMO_LEGAL_HOLD }], skipDuplicates: true });
}

const DAY_MS = 86_400_000;
const dayFrom = (today: Date, days: number): Date =>
  new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) + days * DAY_MS);

/**
 * Idempotent: three dated reviews (Wiedervorlage) around `today`: the newsletter purpose's annual
 * review this week, the hosting processor's contract review (a purpose when the processor register
 * is not seeded), and an overdue review of the lead-scoring balancing test. The worker starts their
 * workflows when it starts (ensureReviewWorkflows).
 */
export async function seedDemoReviews(db: Db, today: Date = new Date()): Promise<void> {
  const processorId = '5eed0001-0000-4000-8000-000000000002';
  const hasProcessor = (await db.processor.findUnique({ where: { id: processorId }, select: { id: true } })) !== null;
  const purposes = new Set((await db.purpose.findMany({ select: { id: true } })).map((p) => p.id));
  const reviews = [
    {
      id: '5eed0004-0000-4000-8000-000000000001',
      subjectType: 'purpose',
      subjectId: 'newsletter',
      title: 'Annual review of the newsletter purpose',
      notes: 'Is the wording of the consent text still accurate? Are the fields still needed (Art. 5(1)(c))?',
      dueOn: dayFrom(today, 4),
      recurrenceMonths: 12,
      reminderLeadDays: 14,
      escalateAfterDays: 14,
    },
    {
      id: '5eed0004-0000-4000-8000-000000000002',
      subjectType: hasProcessor ? 'processor' : 'purpose',
      subjectId: hasProcessor ? processorId : 'customer_relationship',
      title: 'Review the hosting processor contract (Art. 28)',
      notes: 'Check the technical and organisational measures annex and the list of sub-processors.',
      dueOn: dayFrom(today, 16),
      recurrenceMonths: 24,
      reminderLeadDays: 21,
      escalateAfterDays: 14,
    },
    {
      id: '5eed0004-0000-4000-8000-000000000003',
      subjectType: 'purpose',
      subjectId: purposes.has('lead_scoring') ? 'lead_scoring' : 'newsletter',
      title: 'Re-check the balancing test of lead scoring',
      notes: '',
      dueOn: dayFrom(today, -9),
      recurrenceMonths: null,
      reminderLeadDays: 7,
      escalateAfterDays: 14,
    },
  ].filter((r) => r.subjectType !== 'purpose' || purposes.has(r.subjectId));
  for (const review of reviews) {
    const created = await db.review.createMany({ data: [{ ...review, createdBy: 'system:seed' }], skipDuplicates: true });
    if (created.count > 0) {
      await db.reviewEvent.create({
        data: { reviewId: review.id, kind: 'created', actor: 'system:seed', details: { dueOn: review.dueOn.toISOString().slice(0, 10) } },
      });
    }
  }
}
