import { z } from 'zod';

export const INTERACTION_KINDS = ['clicked', 'opened', 'attended', 'form_submitted', 'bought', 'complained', 'bounced'] as const;

const wholeNumber = (what: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, `Whole ${what}`)
    .transform(Number)
    .pipe(z.number().min(min, `At least ${min}`).max(max, `At most ${max}`));

/**
 * The rule form as typed (numbers as text, an empty half-life for "never decays"); the API checks
 * the same rules again and names the field of any problem.
 */
export const ZRuleForm = z
  .object({
    name: z.string().trim().min(1, 'Give the rule a name').max(120, 'At most 120 characters'),
    sourceType: z.enum(['interaction', 'event']),
    match: z.string().trim().min(1, 'Choose what the rule counts'),
    points: wholeNumber('points', -1000, 1000),
    halfLifeDays: z.union([z.literal('').transform(() => null), wholeNumber('days', 1, 3650)]),
    isActive: z.boolean(),
  })
  .superRefine((v, ctx) => {
    const ok =
      v.sourceType === 'interaction' ? (INTERACTION_KINDS as readonly string[]).includes(v.match) : /^[a-z][a-z0-9_.]{1,62}$/.test(v.match);
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['match'],
        message: v.sourceType === 'interaction' ? 'Choose an interaction kind' : 'Lower-case letters, digits, "_" and "." (2 to 63)',
      });
    }
  });
export type RuleFormInput = z.input<typeof ZRuleForm>;
export type RuleFormOutput = z.output<typeof ZRuleForm>;

export const ZSettingsForm = z
  .object({
    threshold: wholeNumber('points', 1, 100_000),
    dueHours: wholeNumber('hours', 1, 720),
    assignmentMode: z.enum(['round_robin', 'territory']),
    territoryFieldKey: z.string().transform((v) => (v === '' ? null : v)),
  })
  .superRefine((v, ctx) => {
    if (v.assignmentMode === 'territory' && v.territoryFieldKey === null) {
      ctx.addIssue({ code: 'custom', path: ['territoryFieldKey'], message: 'Choose the field whose value names the territory' });
    }
  });
export type SettingsFormInput = z.input<typeof ZSettingsForm>;
export type SettingsFormOutput = z.output<typeof ZSettingsForm>;
