import { isSpecialDataCategory, ZDataCategory, ZFieldKey, ZFieldType, ZPurposeId } from '@zweck/policy';
import { z } from 'zod';

const unique = <T>(values: readonly T[]): boolean => new Set(values).size === values.length;

/**
 * A category as typed: any ordinary category, and the special categories of Art. 9(1) too, so
 * that the router refuses those with their own reason (SPECIAL_CATEGORY_FIELD) rather than with
 * "not one of the options".
 */
export const ZCategoryInput = z
  .string()
  .refine((c) => isSpecialDataCategory(c) || ZDataCategory.safeParse(c).success, `Choose one of: ${ZDataCategory.options.join(', ')}`);

export const ZFieldValues = z.object({
  label: z.string().trim().min(1, 'Give the field a label').max(100, 'At most 100 characters'),
  /** What the field holds and why it is needed (Art. 5(1)(c)). */
  description: z.string().trim().max(500, 'At most 500 characters'),
  category: ZCategoryInput,
  type: ZFieldType,
  /** The purposes that may use the field; the whole list, replacing the previous one. */
  purposeIds: z.array(ZPurposeId).max(200).refine(unique, 'Each purpose once'),
});

export const ZCreateFieldInput = ZFieldValues.extend({ key: ZFieldKey });
export const ZUpdateFieldInput = ZFieldValues.extend({ key: ZFieldKey });

export const ZFieldOut = z.object({
  key: z.string(),
  label: z.string(),
  description: z.string(),
  category: ZDataCategory,
  type: ZFieldType,
  isBuiltin: z.boolean(),
  updatedAt: z.date(),
  purposes: z.array(z.object({ id: z.string(), name: z.string() })),
  /** Contacts holding a value for this field; null for built-in fields (columns of every contact). */
  contactsWithValue: z.number().int().nullable(),
});
export type FieldOut = z.infer<typeof ZFieldOut>;
