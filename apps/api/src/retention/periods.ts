import type { Db, RetentionAction, RetentionAnchor } from '@zweck/db';

export interface RetentionPeriod {
  purposeId: string;
  policyId: string;
  /** ISO 8601 duration of whole years, months, weeks and days ("P24M"). */
  period: string;
  anchor: RetentionAnchor;
  action: RetentionAction;
}

/**
 * The active retention periods that apply to data kept for each of these purposes: policies of
 * the purpose itself, and policies of a data category that one of the purpose's catalogue fields
 * belongs to. Read by the subject archive (Art. 15(1)(d): "the envisaged period") and by the
 * records of processing (Art. 30(1)(f)). Sorted by purpose, then policy name.
 */
export async function retentionPeriodsFor(db: Db, purposeIds: readonly string[]): Promise<RetentionPeriod[]> {
  if (purposeIds.length === 0) return [];
  const wanted = [...new Set(purposeIds)];
  const [policies, purposeFields] = await Promise.all([
    db.retentionPolicy.findMany({
      where: { active: true },
      select: { id: true, name: true, scopeKind: true, purposeId: true, dataCategory: true, period: true, anchor: true, action: true },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
    }),
    db.purposeField.findMany({
      where: { purposeId: { in: wanted } },
      select: { purposeId: true, field: { select: { category: true } } },
    }),
  ]);
  const categoriesOf = new Map<string, Set<string>>();
  for (const row of purposeFields) {
    const set = categoriesOf.get(row.purposeId) ?? new Set<string>();
    set.add(row.field.category);
    categoriesOf.set(row.purposeId, set);
  }
  const result: RetentionPeriod[] = [];
  for (const purposeId of wanted.sort()) {
    for (const policy of policies) {
      const applies =
        policy.scopeKind === 'purpose'
          ? policy.purposeId === purposeId
          : policy.dataCategory !== null && (categoriesOf.get(purposeId)?.has(policy.dataCategory) ?? false);
      if (applies) result.push({ purposeId, policyId: policy.id, period: policy.period, anchor: policy.anchor, action: policy.action });
    }
  }
  return result;
}
