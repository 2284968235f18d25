import { describe, expect, it } from 'vitest';
import { localValueToIsoWithOffset, toDateTimeLocalValue } from './datetime.ts';

describe('datetime-local conversion', () => {
  it('writes ISO 8601 with the local offset for the same instant', () => {
    const iso = localValueToIsoWithOffset('2026-11-29T10:15');
    expect(iso).toMatch(/^2026-11-29T10:15:00[+-]\d{2}:\d{2}$/);
    expect(Date.parse(iso!)).toBe(new Date(2026, 10, 29, 10, 15).getTime());
  });

  it('keeps seconds when the input has them', () => {
    expect(localValueToIsoWithOffset('2026-06-01T08:00:42')).toMatch(/^2026-06-01T08:00:42[+-]\d{2}:\d{2}$/);
  });

  it('refuses what is not a datetime-local value', () => {
    expect(localValueToIsoWithOffset('')).toBeNull();
    expect(localValueToIsoWithOffset('yesterday')).toBeNull();
    expect(localValueToIsoWithOffset('2026-11-29')).toBeNull();
  });

  it('round-trips with the value an input shows', () => {
    const now = new Date(2026, 2, 5, 7, 9, 0);
    const value = toDateTimeLocalValue(now);
    expect(value).toBe('2026-03-05T07:09');
    expect(Date.parse(localValueToIsoWithOffset(value)!)).toBe(now.getTime());
  });
});
