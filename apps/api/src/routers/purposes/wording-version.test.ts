import { describe, expect, it } from 'vitest';
import { nextWordingVersion } from './wording-version.ts';

describe('nextWordingVersion', () => {
  const now = new Date('2026-11-29T10:00:00.000Z');

  it('names a version by the month it was added', () => {
    expect(nextWordingVersion([], now)).toBe('2026-11');
    expect(nextWordingVersion(['2026-10', '2026-10-2'], now)).toBe('2026-11');
  });

  it('counts on within a month that already has one', () => {
    expect(nextWordingVersion(['2026-11'], now)).toBe('2026-11-2');
    expect(nextWordingVersion(['2026-11', '2026-11-2'], now)).toBe('2026-11-3');
    const many = ['2026-11', ...Array.from({ length: 9 }, (_, i) => `2026-11-${i + 2}`)];
    expect(nextWordingVersion(many, now)).toBe('2026-11-11');
  });

  it('uses the UTC month', () => {
    expect(nextWordingVersion([], new Date('2026-11-30T23:30:00.000-02:00'))).toBe('2026-12');
  });
});
