import { createHash } from 'node:crypto';
import { isUniqueViolation, type Db, type Prisma, type Role } from '@zweck/db';
import { SYSTEM_PURPOSE_IDS } from '@zweck/db/seed';
import { audit } from '../../audit.ts';
import { auditDiff } from '../../audit-diff.ts';
import { AppError } from '../../trpc/errors.ts';
import { ALL_ROLES, procedureFor, router } from '../../trpc/init.ts';
import {
  BALANCING_TEST_MIN_LENGTH,
  ZAddWordingInput,
  ZCreatePurposeInput,
  ZPurposeIdInput,
  ZPurposeOut,
  ZUpdatePurposeInput,
  ZWordingOut,
  type PurposeOut,
  type PurposeValues,
} from './purposes.schema.ts';
import { LATEST_WORDING_FIRST, nextWordingVersion } from './wording-version.ts';

/** Who may change the catalogues: the data protection officer, and administrators. */
const CATALOGUE_EDITORS = ['dpo', 'admin'] as const;

/** The same hash the seed gives the shipped wordings: what a consent event's proof names. */
const textHash = (text: string): string => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

/**
 * Purposes the product itself sends under: the double opt-in confirmation and the answers to
 * data-subject requests. Their basis and their e-mail channel are what makes that mail lawful.
 */

const purposeSelect = {
  id: true,
  name: true,
  description: true,
  legalBasis: true,
  channels: true,
  isDirectMarketing: true,
  balancingTest: true,
  requiresDoubleOptIn: true,
  doubleOptInDeadlineHours: true,
  allowsExistingCustomerException: true,
  retentionMonths: true,
  staffRoles: true,
  updatedAt: true,
  fields: { select: { fieldKey: true }, orderBy: { fieldKey: 'asc' } },
  wordings: {
    select: { version: true, language: true, text: true, textHash: true, createdAt: true },
    orderBy: [...LATEST_WORDING_FIRST, { language: 'asc' }],
  },
} satisfies Prisma.PurposeSelect;

/** The catalogue as the DPO sees it: each wording with the number of consent events given under it. */
async function readPurposes(db: Db, where: Prisma.PurposeWhereInput = {}): Promise<PurposeOut[]> {
  const rows = await db.purpose.findMany({ where, select: purposeSelect, orderBy: { name: 'asc' } });
  if (rows.length === 0) return [];
  const purposeIds = rows.map((r) => r.id);
  const [byWording, byPurpose] = await Promise.all([
    db.consentEvent.groupBy({
      by: ['purposeId', 'wordingVersion', 'wordingHash'],
      where: { purposeId: { in: purposeIds }, wordingVersion: { not: null } },
      _count: { _all: true },
    }),
    db.consentEvent.groupBy({ by: ['purposeId'], where: { purposeId: { in: purposeIds } }, _count: { _all: true } }),
  ]);
  // Version and hash together name one text: the language follows from the hash.
  const wordingKey = (purposeId: string, version: string | null, hash: string | null) => `${purposeId}\u0000${version}\u0000${hash}`;
  const wordingCounts = new Map(byWording.map((g) => [wordingKey(g.purposeId, g.wordingVersion, g.wordingHash), g._count._all]));
  const purposeCounts = new Map(byPurpose.map((g) => [g.purposeId, g._count._all]));
  return rows.map(({ fields, wordings, staffRoles, ...purpose }) => ({
    ...purpose,
    fields: fields.map((f) => f.fieldKey),
    staffRoles: sortRoles(staffRoles ?? []),
    wordings: wordings.map((w) => ({ ...w, consentCount: wordingCounts.get(wordingKey(purpose.id, w.version, w.textHash)) ?? 0 })),
    consentEventCount: purposeCounts.get(purpose.id) ?? 0,
  }));
}

async function readPurpose(db: Db, id: string): Promise<PurposeOut> {
  const [purpose] = await readPurposes(db, { id });
  if (!purpose) throw new AppError('PURPOSE_NOT_FOUND', `There is no purpose "${id}" in the catalogue.`, 'id');
  return purpose;
}

/** The rules between a purpose's values, each refusal naming its field and the law behind it. */
function checkPurposeRules(values: PurposeValues): void {
  const basis = values.legalBasis;
  const balancingTest = values.balancingTest ?? '';
  if (basis === 'legitimate_interest' && balancingTest.length < BALANCING_TEST_MIN_LENGTH) {
    throw new AppError(
      'BALANCING_TEST_REQUIRED',
      `Legitimate interest (Art. 6(1)(f) GDPR) needs a written balancing test of at least ${BALANCING_TEST_MIN_LENGTH} characters: the interest, the impact on the people, and why the interest prevails.`,
      'balancingTest',
    );
  }
  if (basis !== 'legitimate_interest' && balancingTest !== '') {
    throw new AppError(
      'BALANCING_TEST_NOT_APPLICABLE',
      'A balancing test belongs to the legal basis legitimate interest (Art. 6(1)(f) GDPR); remove it or choose that basis.',
      'balancingTest',
    );
  }
  const isEmailConsent = basis === 'consent' && values.channels.includes('email');
  if (values.requiresDoubleOptIn && !isEmailConsent) {
    throw new AppError(
      'DOUBLE_OPT_IN_NOT_APPLICABLE',
      'Double opt-in confirms a consent to e-mail (UWG § 7(2) Nr. 2): it needs the legal basis consent and the e-mail channel.',
      'requiresDoubleOptIn',
    );
  }
  if (values.allowsExistingCustomerException && !(isEmailConsent && values.isDirectMarketing)) {
    throw new AppError(
      'EXISTING_CUSTOMER_EXCEPTION_NOT_APPLICABLE',
      'The existing-customer exception (UWG § 7(3)) covers direct marketing by e-mail only: it needs the legal basis consent, the e-mail channel and direct marketing.',
      'allowsExistingCustomerException',
    );
  }
}

function checkSystemPurpose(id: string, current: { legalBasis: string }, values: PurposeValues): void {
  if (!SYSTEM_PURPOSE_IDS.has(id)) return;
  if (values.legalBasis !== current.legalBasis) {
    throw new AppError(
      'SYSTEM_PURPOSE_LOCKED',
      `Zweck itself sends mail under "${id}"; its legal basis stays ${current.legalBasis}.`,
      'legalBasis',
    );
  }
  if (!values.channels.includes('email')) {
    throw new AppError('SYSTEM_PURPOSE_LOCKED', `Zweck itself sends mail under "${id}"; it keeps the e-mail channel.`, 'channels');
  }
}

type Tx = Prisma.TransactionClient;

async function checkFieldsExist(db: Db | Tx, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const found = await db.fieldDefinition.findMany({ where: { key: { in: [...keys] } }, select: { key: true } });
  const missing = keys.filter((k) => !found.some((f) => f.key === k));
  if (missing.length > 0) {
    throw new AppError('FIELD_NOT_FOUND', `Not in the field catalogue: ${missing.join(', ')}.`, 'fields');
  }
}

/** Makes the purpose's field list exactly `keys`. */
async function setPurposeFields(tx: Tx, purposeId: string, keys: readonly string[]): Promise<void> {
  await tx.purposeField.deleteMany({ where: { purposeId, fieldKey: { notIn: [...keys] } } });
  await tx.purposeField.createMany({ data: keys.map((fieldKey) => ({ purposeId, fieldKey })), skipDuplicates: true });
}

/**
 * Locks the purpose row for the rest of the transaction. FOR UPDATE conflicts with the key-share
 * lock that recording a consent event takes on its purpose: a check of the ledger made under this
 * lock stays true until the transaction ends.
 */
async function lockPurpose(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM purpose WHERE id = ${id} FOR UPDATE`;
  return rows.length > 0;
}

/** Roles in a fixed order, so that an unchanged set never shows up as a change in the audit log. */
const ROLE_ORDER: readonly Role[] = ['admin', 'marketer', 'sales', 'dpo'];
const sortRoles = (roles: readonly Role[]): Role[] => ROLE_ORDER.filter((r) => roles.includes(r));

const auditable = (p: Omit<PurposeValues, 'channels'> & { channels: readonly string[] }) => ({
  name: p.name,
  description: p.description,
  legalBasis: p.legalBasis,
  channels: [...p.channels],
  isDirectMarketing: p.isDirectMarketing,
  balancingTest: p.balancingTest,
  requiresDoubleOptIn: p.requiresDoubleOptIn,
  doubleOptInDeadlineHours: p.doubleOptInDeadlineHours,
  allowsExistingCustomerException: p.allowsExistingCustomerException,
  retentionMonths: p.retentionMonths,
  fields: [...p.fields].sort(),
  staffRoles: sortRoles(p.staffRoles ?? []),
});

const columns = ({ fields: _fields, balancingTest, ...values }: PurposeValues) => ({
  ...values,
  balancingTest: balancingTest === '' ? null : balancingTest,
});

export const purposesRouter = router({
  list: procedureFor(...ALL_ROLES)
    .output(ZPurposeOut.array())
    .query(({ ctx }) => readPurposes(ctx.db)),

  get: procedureFor(...ALL_ROLES)
    .input(ZPurposeIdInput)
    .output(ZPurposeOut)
    .query(({ ctx, input }) => readPurpose(ctx.db, input.id)),

  create: procedureFor(...CATALOGUE_EDITORS)
    .input(ZCreatePurposeInput)
    .output(ZPurposeOut)
    .mutation(async ({ ctx, input }) => {
      const { id, ...values } = input;
      checkPurposeRules(values);
      const taken = () => new AppError('PURPOSE_ID_TAKEN', `There is already a purpose "${id}".`, 'id');
      if (await ctx.db.purpose.findUnique({ where: { id }, select: { id: true } })) throw taken();
      await checkFieldsExist(ctx.db, values.fields);
      try {
        await ctx.db.$transaction(async (tx) => {
          await tx.purpose.create({ data: { id, ...columns(values) } });
          await setPurposeFields(tx, id, values.fields);
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'purpose.create',
            entityType: 'purpose',
            entityId: id,
            details: auditable(values),
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw taken();
        throw error;
      }
      return readPurpose(ctx.db, id);
    }),

  update: procedureFor(...CATALOGUE_EDITORS)
    .input(ZUpdatePurposeInput)
    .output(ZPurposeOut)
    .mutation(async ({ ctx, input }) => {
      const { id, ...values } = input;
      checkPurposeRules(values);
      await ctx.db.$transaction(async (tx) => {
        if (!(await lockPurpose(tx, id))) throw new AppError('PURPOSE_NOT_FOUND', `There is no purpose "${id}" in the catalogue.`, 'id');
        const current = await tx.purpose.findUniqueOrThrow({ where: { id }, select: { ...purposeSelect, wordings: false } });
        checkSystemPurpose(id, current, values);
        await checkFieldsExist(tx, values.fields);
        if (values.legalBasis !== current.legalBasis) {
          // Art. 6(1), 7 GDPR: the basis is set before processing starts and cannot be swapped
          // afterwards; consents given for this purpose were given on this basis.
          const consents = await tx.consentEvent.count({ where: { purposeId: id } });
          if (consents > 0) {
            throw new AppError(
              'LEGAL_BASIS_LOCKED',
              `${consents} consent event${consents === 1 ? ' is' : 's are'} recorded for "${id}" on the basis ${current.legalBasis}; the legal basis cannot be changed afterwards. Create a new purpose instead.`,
              'legalBasis',
            );
          }
        }
        const before = auditable({ ...current, fields: current.fields.map((f) => f.fieldKey) });
        // Staff roles left out of the input stay as they are.
        const { changed, details } = auditDiff(before, auditable({ ...values, staffRoles: values.staffRoles ?? current.staffRoles }));
        if (changed.length === 0) return;
        await tx.purpose.update({ where: { id }, data: columns(values) });
        if (changed.includes('fields')) await setPurposeFields(tx, id, values.fields);
        await audit(tx, { actor: `user:${ctx.user.id}`, action: 'purpose.update', entityType: 'purpose', entityId: id, details });
      });
      return readPurpose(ctx.db, id);
    }),

  /**
   * A new text is a new version: rows of earlier versions are never changed (the database refuses
   * it), so every consent event keeps pointing to the exact text the person agreed to (Art. 7(1)).
   */
  addWording: procedureFor(...CATALOGUE_EDITORS)
    .input(ZAddWordingInput)
    .output(ZWordingOut)
    .mutation(async ({ ctx, input }) => {
      const { purposeId, language, text } = input;
      const hash = textHash(text);
      const created = await ctx.db.$transaction(async (tx) => {
        // One writer per purpose at a time, so that two editors cannot take the same version.
        if (!(await lockPurpose(tx, purposeId))) {
          throw new AppError('PURPOSE_NOT_FOUND', `There is no purpose "${purposeId}" in the catalogue.`, 'purposeId');
        }
        const purpose = await tx.purpose.findUniqueOrThrow({ where: { id: purposeId }, select: { legalBasis: true } });
        if (purpose.legalBasis !== 'consent') {
          throw new AppError(
            'WORDING_NEEDS_CONSENT_BASIS',
            `"${purposeId}" rests on ${purpose.legalBasis}, not on consent: there is nothing for people to agree to.`,
            'text',
          );
        }
        const existing = await tx.consentWording.findMany({
          where: { purposeId, language },
          select: { version: true, textHash: true },
          orderBy: [...LATEST_WORDING_FIRST],
        });
        const current = existing[0];
        if (current && current.textHash === hash) {
          throw new AppError(
            'WORDING_UNCHANGED',
            `This is the text of the current version ${current.version} (${language}); a new version needs a changed text.`,
            'text',
          );
        }
        const version = nextWordingVersion(
          existing.map((w) => w.version),
          new Date(),
        );
        const wording = await tx.consentWording.create({
          data: { purposeId, language, version, text, textHash: hash },
          select: { version: true, language: true, text: true, textHash: true, createdAt: true },
        });
        await audit(tx, {
          actor: `user:${ctx.user.id}`,
          action: 'purpose.wording_add',
          entityType: 'purpose',
          entityId: purposeId,
          details: { language, version, textHash: hash, previousVersion: current?.version ?? null },
        });
        return wording;
      });
      return { ...created, consentCount: 0 };
    }),
});
