import { ZInteractionKind } from '@zweck/segments/definition';
import { z } from 'zod';

/** An event name as the API receives it (`webinar.registered`). */
export const ZEventName = z.string().regex(/^[a-z][a-z0-9_.]{1,62}$/, 'Lower-case letters, digits, "_" and "." (2 to 63)');

export const ZRuleValues = z
  .object({
    name: z.string().trim().min(1, 'Give the rule a name').max(120, 'At most 120 characters'),
    sourceType: z.enum(['interaction', 'event']),
    /** The interaction kind, or the event name. */
    match: z.string().trim().min(1, 'Choose what the rule counts'),
    points: z.number().int('Whole points').min(-1000, 'At least -1000').max(1000, 'At most 1000'),
    /** Null: the points never decay. */
    halfLifeDays: z.number().int('Whole days').min(1, 'At least 1 day').max(3650, 'At most 3650 days').nullable(),
    isActive: z.boolean(),
  })
  .superRefine((values, ctx) => {
    const ok =
      values.sourceType === 'interaction' ? ZInteractionKind.safeParse(values.match).success : ZEventName.safeParse(values.match).success;
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['match'],
        message: values.sourceType === 'interaction' ? 'Choose an interaction kind' : 'Lower-case letters, digits, "_" and "." (2 to 63)',
      });
    }
  });
export type RuleValues = z.infer<typeof ZRuleValues>;

export const ZRuleIdInput = z.object({ id: z.uuid('Not a rule ID') });
export const ZUpdateRuleInput = z.object({ id: z.uuid('Not a rule ID'), values: ZRuleValues });

export const ZRuleOut = z.object({
  id: z.uuid(),
  name: z.string(),
  sourceType: z.enum(['interaction', 'event']),
  match: z.string(),
  points: z.number().int(),
  halfLifeDays: z.number().int().nullable(),
  isActive: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const ZSettingsValues = z.object({
  threshold: z.number().int('Whole points').min(1, 'At least 1 point').max(100_000, 'At most 100000 points'),
  dueHours: z
    .number()
    .int('Whole hours')
    .min(1, 'At least 1 hour')
    .max(24 * 30, 'At most 30 days'),
  assignmentMode: z.enum(['round_robin', 'territory']),
  territoryFieldKey: z.string().trim().min(1).max(63).nullable(),
});

export const ZSettingsOut = ZSettingsValues.extend({ updatedBy: z.string(), updatedAt: z.date() });

export const ZRepOut = z.object({
  userId: z.uuid(),
  displayName: z.string(),
  territories: z.string().array(),
  isActive: z.boolean(),
  managerName: z.string().nullable(),
  openLeads: z.number().int(),
  lastAssignedAt: z.date().nullable(),
});

export const ZHandOffInput = z.object({ contactId: z.uuid('Not a contact ID') });
export const ZHandOffOut = z.object({ started: z.literal(true) });

export const ZSaveRepInput = z.object({
  userId: z.uuid('Choose a sales user'),
  /** Values of the territory field (a city, a region), compared without case. */
  territories: z.array(z.string().trim().min(1).max(80)).max(50),
  isActive: z.boolean(),
  managerId: z.uuid('Choose a sales user').nullable(),
});

export const ZSalesUserOut = z.object({ id: z.uuid(), displayName: z.string(), isRep: z.boolean() });
