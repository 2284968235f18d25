import { describe, expect, it } from 'vitest';
import { ZRuleForm, ZSettingsForm } from './scoring-form.schema.ts';

describe('scoring forms', () => {
  it('reads a rule with an empty half-life as one that never decays', () => {
    const parsed = ZRuleForm.parse({
      name: 'Clicked',
      sourceType: 'interaction',
      match: 'clicked',
      points: '10',
      halfLifeDays: '',
      isActive: true,
    });
    expect(parsed).toMatchObject({ points: 10, halfLifeDays: null });
  });

  it('names the field of a bad event name and of bad points', () => {
    const result = ZRuleForm.safeParse({
      name: 'X',
      sourceType: 'event',
      match: 'Demo Requested',
      points: '1.5',
      halfLifeDays: '30',
      isActive: true,
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('points');
  });

  it('needs a territory field when assigning by territory', () => {
    const result = ZSettingsForm.safeParse({ threshold: '50', dueHours: '24', assignmentMode: 'territory', territoryFieldKey: '' });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['territoryFieldKey']);
  });
});
