import { describe, expect, it } from 'vitest';
import { isMonthKey, monthGrid, monthTitle, shiftMonth, WEEKDAYS } from './calendar.ts';

describe('the review calendar grid', () => {
  it('shows whole weeks, Monday first, with the days of the neighbouring months outside the month', () => {
    // February 2027 starts on a Monday and has 28 days: exactly four weeks.
    const feb = monthGrid('2027-02', new Date(2027, 1, 10));
    expect(feb).toHaveLength(4);
    expect(feb[0]![0]).toEqual({ day: '2027-02-01', dayOfMonth: 1, isInMonth: true, isToday: false });
    expect(
      feb
        .flat()
        .filter((d) => d.isToday)
        .map((d) => d.day),
    ).toEqual(['2027-02-10']);
    // December 2026 starts on a Tuesday: the grid opens with Monday 30 November.
    const dec = monthGrid('2026-12', new Date(2026, 10, 29));
    expect(dec[0]![0]).toMatchObject({ day: '2026-11-30', isInMonth: false });
    expect(dec.flat().filter((d) => d.isInMonth)).toHaveLength(31);
    expect(dec.every((week) => week.length === 7)).toBe(true);
    expect(WEEKDAYS).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  });

  it('moves between months across the year and names them', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2027-01', -1)).toBe('2026-12');
    expect(monthTitle('2026-11')).toBe('November 2026');
    expect(isMonthKey('2026-13')).toBe(false);
    expect(isMonthKey('2026-07')).toBe(true);
  });
});
