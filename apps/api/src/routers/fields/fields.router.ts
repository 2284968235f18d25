import { isUniqueViolation, Prisma, type Db } from '@zweck/db';
import { isSpecialDataCategory, screenSpecialCategories, ZDataCategory, type DataCategory } from '@zweck/policy';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { auditDiff } from '../../audit-diff.ts';
import { AppError } from '../../trpc/errors.ts';
import { ALL_ROLES, procedureFor, router } from '../../trpc/init.ts';
import { ZCreateFieldInput, ZFieldOut, ZUpdateFieldInput, type FieldOut } from './fields.schema.ts';

/** Who may change the catalogues: the data protection officer, and administrators. */
const CATALOGUE_EDITORS = ['dpo', 'admin'] as const;

type Tx = Prisma.TransactionClient;

const fieldSelect = {
  key: true,
  label: true,
  description: true,
  category: true,
  type: true,
  isBuiltin: true,
  updatedAt: true,
  purposes: { select: { purpose: { select: { id: true, name: true } } }, orderBy: { purpose: { name: 'asc' } } },
} satisfies Prisma.FieldDefinitionSelect;

/** How many contacts hold a value, per key of `contact.attributes`: one pass over the contacts. */
async function valueCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ key: string; n: number }[]>(
    Prisma.sql`SELECT k AS key, count(*)::int AS n FROM contact CROSS JOIN LATERAL jsonb_object_keys(attributes) AS k GROUP BY k`,
  );
  return new Map(rows.map((r) => [r.key, r.n]));
}

/** Contacts holding a value for one non-built-in field. */
async function contactsWithValue(db: Db | Tx, key: string): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>(Prisma.sql`SELECT count(*)::int AS n FROM contact WHERE attributes ? ${key}`);
  return row?.n ?? 0;
}

async function readFields(db: Db, where: Prisma.FieldDefinitionWhereInput = {}): Promise<FieldOut[]> {
  const [rows, counts] = await Promise.all([
    db.fieldDefinition.findMany({ where, select: fieldSelect, orderBy: [{ isBuiltin: 'desc' }, { key: 'asc' }] }),
    valueCounts(db),
  ]);
  return rows.map(({ purposes, ...field }) => ({
    ...field,
    purposes: purposes.map((p) => p.purpose),
    contactsWithValue: field.isBuiltin ? null : (counts.get(field.key) ?? 0),
  }));
}

async function readField(db: Db, key: string): Promise<FieldOut> {
  const [field] = await readFields(db, { key });
  if (!field) throw new AppError('FIELD_NOT_FOUND', `There is no field "${key}" in the catalogue.`, 'key');
  return field;
}

/**
 * Art. 9(1) GDPR: special categories of personal data are never declared, so never stored. The
 * category itself is refused; so is a label or key that names one under an ordinary category.
 */
function refuseSpecialCategory(values: { key: string; label: string; category: string }): DataCategory {
  if (isSpecialDataCategory(values.category)) {
    throw new AppError(
      'SPECIAL_CATEGORY_FIELD',
      `"${values.category}" is a special category of personal data (Art. 9(1) GDPR); Zweck does not store such data, so no field may declare it.`,
      'category',
    );
  }
  for (const [text, field] of [
    [values.label, 'label'],
    [values.key, 'key'],
  ] as const) {
    const [match] = screenSpecialCategories(text);
    if (match) {
      throw new AppError(
        'SPECIAL_CATEGORY_FIELD',
        `The ${field} "${text}" names ${match.category.replace(/_/g, ' ')} data ("${match.term}"), a special category (Art. 9(1) GDPR) that Zweck does not store.`,
        field,
      );
    }
  }
  return ZDataCategory.parse(values.category);
}

async function checkPurposesExist(db: Db | Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db.purpose.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
  const missing = ids.filter((id) => !found.some((p) => p.id === id));
  if (missing.length > 0) throw new AppError('PURPOSE_NOT_FOUND', `Not in the purpose catalogue: ${missing.join(', ')}.`, 'purposeIds');
}

/** Makes the list of purposes that may use the field exactly `purposeIds`. */
async function setFieldPurposes(tx: Tx, fieldKey: string, purposeIds: readonly string[]): Promise<void> {
  await tx.purposeField.deleteMany({ where: { fieldKey, purposeId: { notIn: [...purposeIds] } } });
  await tx.purposeField.createMany({ data: purposeIds.map((purposeId) => ({ purposeId, fieldKey })), skipDuplicates: true });
}

export const fieldsRouter = router({
  list: procedureFor(...ALL_ROLES)
    .output(ZFieldOut.array())
    .query(({ ctx }) => readFields(ctx.db)),

  get: procedureFor(...ALL_ROLES)
    .input(z.object({ key: z.string().max(63) }))
    .output(ZFieldOut)
    .query(({ ctx, input }) => readField(ctx.db, input.key)),

  create: procedureFor(...CATALOGUE_EDITORS)
    .input(ZCreateFieldInput)
    .output(ZFieldOut)
    .mutation(async ({ ctx, input }) => {
      const { key, label, description, type, purposeIds } = input;
      const category = refuseSpecialCategory(input);
      const taken = () => new AppError('FIELD_KEY_TAKEN', `There is already a field "${key}".`, 'key');
      if (await ctx.db.fieldDefinition.findUnique({ where: { key }, select: { key: true } })) throw taken();
      await checkPurposesExist(ctx.db, purposeIds);
      try {
        await ctx.db.$transaction(async (tx) => {
          // Fields added here live in contact.attributes; the built-in ones are columns and ship with Zweck.
          await tx.fieldDefinition.create({ data: { key, label, description, category, type, isBuiltin: false } });
          await setFieldPurposes(tx, key, purposeIds);
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'field.create',
            entityType: 'field',
            entityId: key,
            details: { label, description, category, type, purposeIds: [...purposeIds].sort() },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw taken();
        throw error;
      }
      return readField(ctx.db, key);
    }),

  update: procedureFor(...CATALOGUE_EDITORS)
    .input(ZUpdateFieldInput)
    .output(ZFieldOut)
    .mutation(async ({ ctx, input }) => {
      const { key, label, description, type, purposeIds } = input;
      const category = refuseSpecialCategory(input);
      await ctx.db.$transaction(async (tx) => {
        const [locked] = await tx.$queryRaw<{ key: string }[]>`SELECT key FROM field_definition WHERE key = ${key} FOR UPDATE`;
        if (!locked) throw new AppError('FIELD_NOT_FOUND', `There is no field "${key}" in the catalogue.`, 'key');
        const current = await tx.fieldDefinition.findUniqueOrThrow({
          where: { key },
          select: {
            label: true,
            description: true,
            category: true,
            type: true,
            isBuiltin: true,
            purposes: { select: { purposeId: true } },
          },
        });
        if (type !== current.type) {
          if (current.isBuiltin) {
            throw new AppError('FIELD_TYPE_LOCKED', `"${key}" is built in: its type stays ${current.type}.`, 'type');
          }
          // Values already stored were checked against the old type; they would not be against the new one.
          const holders = await contactsWithValue(tx, key);
          if (holders > 0) {
            throw new AppError(
              'FIELD_TYPE_LOCKED',
              `${holders} contact${holders === 1 ? ' has' : 's have'} a value for "${key}": its type stays ${current.type}. Create a new field instead.`,
              'type',
            );
          }
        }
        await checkPurposesExist(tx, purposeIds);
        const { changed, details } = auditDiff(
          {
            label: current.label,
            description: current.description,
            category: current.category,
            type: current.type,
            purposeIds: current.purposes.map((p) => p.purposeId).sort(),
          },
          { label, description, category, type, purposeIds: [...purposeIds].sort() },
        );
        if (changed.length === 0) return;
        await tx.fieldDefinition.update({ where: { key }, data: { label, description, category, type } });
        if (changed.includes('purposeIds')) await setFieldPurposes(tx, key, purposeIds);
        await audit(tx, { actor: `user:${ctx.user.id}`, action: 'field.update', entityType: 'field', entityId: key, details });
      });
      return readField(ctx.db, key);
    }),
});
