import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Db, type Prisma, type Role } from '@zweck/db';
import { countSegment, fieldKeysOf, purposeIdsOf, ZSegmentDefinition, type SegmentDefinition } from '@zweck/segments';
import { audit } from '../../audit.ts';
import { isFieldVisible, visibleFieldKeys } from '../../contacts/field-visibility.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import { previewSegment } from './segment-preview.ts';
import {
  ZCreateSegmentInput,
  ZPreviewInput,
  ZPreviewOut,
  ZSegmentIdInput,
  ZSegmentListItem,
  ZSegmentOut,
  ZUpdateSegmentInput,
  type SegmentOut,
  type SegmentValues,
} from './segments.schema.ts';

/** Marketers build the audiences; administrators too. */
const SEGMENT_EDITORS = ['admin', 'marketer'] as const;
/** The DPO reads them, and previews who a purpose may reach (accountability, Art. 5(2)). */
const SEGMENT_READERS = ['admin', 'marketer', 'dpo'] as const;

const segmentSelect = {
  id: true,
  name: true,
  description: true,
  definition: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
  campaigns: { select: { id: true, name: true, status: true }, orderBy: { createdAt: 'desc' } },
} satisfies Prisma.SegmentSelect;

async function readSegment(db: Db, id: string): Promise<SegmentOut> {
  const row = await db.segment.findUnique({ where: { id }, select: segmentSelect });
  if (!row) throw new AppError('SEGMENT_NOT_FOUND', 'There is no such segment.', 'id');
  const definition = ZSegmentDefinition.parse(row.definition);
  return { ...row, definition, memberCount: await countSegment(db, definition), campaignCount: row.campaigns.length };
}

/**
 * Every field and purpose a definition names is in the catalogues, and every field is one the
 * caller's role sees (a count over a withheld field would reveal its values); the error points at the condition.
 */
async function checkCatalogueReferences(db: Db, definition: SegmentDefinition, role: Role): Promise<void> {
  const visible = await visibleFieldKeys(db, role);
  const keys = fieldKeysOf(definition);
  const purposeIds = purposeIdsOf(definition);
  const [fields, purposes] = await Promise.all([
    db.fieldDefinition.findMany({ where: { key: { in: keys } }, select: { key: true, type: true } }),
    db.purpose.findMany({ where: { id: { in: purposeIds } }, select: { id: true, channels: true } }),
  ]);
  const knownFields = new Map(fields.map((f) => [f.key, f.type]));
  const knownPurposes = new Map(purposes.map((p) => [p.id, p.channels]));
  definition.conditions.forEach((cond, i) => {
    const at = `definition.conditions.${i}`;
    if (cond.type === 'field' && !knownFields.has(cond.field)) {
      throw new AppError('FIELD_NOT_FOUND', `Condition ${i + 1}: there is no field "${cond.field}" in the catalogue.`, `${at}.field`);
    }
    // Free text is sealed in the database (Art. 32): no condition can compare it, and notes are no audience criterion.
    if (cond.type === 'field' && knownFields.get(cond.field) === 'free_text') {
      throw new AppError(
        'FIELD_NOT_SEGMENTABLE',
        `Condition ${i + 1}: "${cond.field}" is a free-text field, stored encrypted; conditions cannot use it.`,
        `${at}.field`,
      );
    }
    if (cond.type === 'field' && !isFieldVisible(visible, cond.field)) {
      throw new AppError(
        'FIELD_NOT_VISIBLE',
        `Condition ${i + 1}: your role does not work for a purpose that uses "${cond.field}", so it cannot filter on it (need-to-know, Art. 32 GDPR).`,
        `${at}.field`,
      );
    }
    if (cond.type === 'consent') {
      const channels = knownPurposes.get(cond.purposeId);
      if (!channels) {
        throw new AppError('PURPOSE_NOT_FOUND', `Condition ${i + 1}: there is no purpose "${cond.purposeId}".`, `${at}.purposeId`);
      }
      if (!channels.includes(cond.channel)) {
        throw new AppError(
          'CHANNEL_NOT_IN_PURPOSE',
          `Condition ${i + 1}: the purpose does not use the channel ${cond.channel}.`,
          `${at}.channel`,
        );
      }
    }
  });
}

/** What the audit log keeps about a definition: its shape, never the values compared with (they may be personal data). */
const auditShape = (values: SegmentValues) => ({
  match: values.definition.match,
  conditionTypes: values.definition.conditions.map((c) => c.type),
  fieldKeys: fieldKeysOf(values.definition),
});

const nameTaken = (name: string) => new AppError('SEGMENT_NAME_TAKEN', `There is already a segment named "${name}".`, 'name');

export const segmentsRouter = router({
  list: procedureFor(...SEGMENT_READERS)
    .output(ZSegmentListItem.array())
    .query(async ({ ctx }) => {
      const rows = await ctx.db.segment.findMany({
        select: { ...segmentSelect, campaigns: { select: { id: true } } },
        orderBy: { name: 'asc' },
      });
      const items = [];
      // One count at a time: each is a pass over the contacts, and the pool serves other requests too.
      for (const { campaigns, definition, createdBy: _createdBy, ...row } of rows) {
        const parsed = ZSegmentDefinition.safeParse(definition);
        items.push({ ...row, campaignCount: campaigns.length, memberCount: parsed.success ? await countSegment(ctx.db, parsed.data) : 0 });
      }
      return items;
    }),

  get: procedureFor(...SEGMENT_READERS)
    .input(ZSegmentIdInput)
    .output(ZSegmentOut)
    .query(({ ctx, input }) => readSegment(ctx.db, input.id)),

  create: procedureFor(...SEGMENT_EDITORS)
    .input(ZCreateSegmentInput)
    .output(ZSegmentOut)
    .mutation(async ({ ctx, input }) => {
      await checkCatalogueReferences(ctx.db, input.definition, ctx.user.role);
      if (await ctx.db.segment.findUnique({ where: { name: input.name }, select: { id: true } })) throw nameTaken(input.name);
      const id = randomUUID();
      try {
        await ctx.db.$transaction(async (tx) => {
          await tx.segment.create({
            data: { id, name: input.name, description: input.description, definition: input.definition, createdBy: `user:${ctx.user.id}` },
          });
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'segment.create',
            entityType: 'segment',
            entityId: id,
            details: auditShape(input),
          });
        });
      } catch (error) {
        if (isUniqueViolation(error, 'name')) throw nameTaken(input.name);
        throw error;
      }
      return readSegment(ctx.db, id);
    }),

  update: procedureFor(...SEGMENT_EDITORS)
    .input(ZUpdateSegmentInput)
    .output(ZSegmentOut)
    .mutation(async ({ ctx, input }) => {
      const { id, ...values } = input;
      if (!(await ctx.db.segment.findUnique({ where: { id }, select: { id: true } }))) {
        throw new AppError('SEGMENT_NOT_FOUND', 'There is no such segment.', 'id');
      }
      await checkCatalogueReferences(ctx.db, values.definition, ctx.user.role);
      const other = await ctx.db.segment.findUnique({ where: { name: values.name }, select: { id: true } });
      if (other && other.id !== id) throw nameTaken(values.name);
      try {
        await ctx.db.$transaction(async (tx) => {
          await tx.segment.update({ where: { id }, data: values });
          await audit(tx, {
            actor: `user:${ctx.user.id}`,
            action: 'segment.update',
            entityType: 'segment',
            entityId: id,
            details: auditShape(values),
          });
        });
      } catch (error) {
        if (isUniqueViolation(error, 'name')) throw nameTaken(values.name);
        throw error;
      }
      return readSegment(ctx.db, id);
    }),

  delete: procedureFor(...SEGMENT_EDITORS)
    .input(ZSegmentIdInput)
    .output(ZSegmentIdInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.db.$transaction(async (tx) => {
        // Locked, so that a campaign created meanwhile cannot end up pointing at nothing.
        const [row] = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM segment WHERE id = ${input.id}::uuid FOR UPDATE`;
        if (!row) throw new AppError('SEGMENT_NOT_FOUND', 'There is no such segment.', 'id');
        const campaigns = await tx.campaign.count({ where: { segmentId: input.id } });
        if (campaigns > 0) {
          throw new AppError(
            'SEGMENT_IN_USE',
            `${campaigns} campaign(s) use this segment; it stays so that their audience remains explainable.`,
            'id',
          );
        }
        await tx.segment.delete({ where: { id: input.id } });
        await audit(tx, { actor: `user:${ctx.user.id}`, action: 'segment.delete', entityType: 'segment', entityId: input.id });
      });
      return { id: input.id };
    }),

  /**
   * How many members the segment has, how many of them the policy lets the purpose reach on the
   * channel now, and why the others are excluded, grouped by reason code.
   */
  preview: procedureFor(...SEGMENT_READERS)
    .input(ZPreviewInput)
    .output(ZPreviewOut)
    .query(async ({ ctx, input }) => {
      await checkCatalogueReferences(ctx.db, input.definition, ctx.user.role);
      return previewSegment(ctx.db, ctx.env.SUPPRESSION_KEY, input);
    }),
});
