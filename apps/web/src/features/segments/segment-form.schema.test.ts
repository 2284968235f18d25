import { describe, expect, it } from 'vitest';
import { definitionOf, emptyCondition, formPathOf, toSegmentForm, ZSegmentForm } from './segment-form.schema.ts';

describe('the segment form', () => {
  it('turns rows into a definition, taking only the inputs of each type', () => {
    const parsed = ZSegmentForm.parse({
      name: ' Berlin leads ',
      description: '',
      match: 'any',
      conditions: [
        { ...emptyCondition('field'), field: 'city', op: 'equals', value: 'Berlin', stages: ['lead'] },
        { ...emptyCondition('interaction'), count: '2', withinDays: '30' },
        { ...emptyCondition('consent'), purposeId: 'newsletter', status: ['confirmed'] },
      ],
    });
    expect(parsed).toEqual({
      name: 'Berlin leads',
      description: '',
      definition: {
        version: 1,
        match: 'any',
        conditions: [
          { type: 'field', field: 'city', op: 'equals', value: 'Berlin' },
          { type: 'interaction', kind: 'opened', op: 'at_least', count: 2, withinDays: 30 },
          { type: 'consent', purposeId: 'newsletter', channel: 'email', status: ['confirmed'] },
        ],
      },
    });
    expect(toSegmentForm(parsed).conditions[1]).toMatchObject({ type: 'interaction', count: '2', withinDays: '30' });
  });

  it('names the input of the row that is wrong', () => {
    const result = ZSegmentForm.safeParse({
      name: 'x',
      description: '',
      match: 'all',
      conditions: [
        { ...emptyCondition('field'), field: 'city', op: 'equals' },
        { ...emptyCondition('lifecycle') },
        { ...emptyCondition('created'), withinDays: 'abc' },
      ],
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(['conditions.0.value', 'conditions.1.stages', 'conditions.2.withinDays']);
  });

  it('gives no definition for the preview while a row is incomplete', () => {
    expect(definitionOf({ name: '', description: '', match: 'all', conditions: [emptyCondition('field')] })).toBeNull();
    expect(definitionOf({ name: '', description: '', match: 'all', conditions: [] })).toEqual({ version: 1, match: 'all', conditions: [] });
  });

  it("maps the API's field names onto the form", () => {
    expect(formPathOf('definition.conditions.3.field')).toBe('conditions.3.field');
    expect(formPathOf('name')).toBe('name');
    expect(formPathOf('definition')).toBeNull();
  });
});
