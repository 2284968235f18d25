import {
  addDays,
  addMonths,
  eachDayOfInterval,
  endOfMonth,
  endOfWeek,
  format,
  isSameMonth,
  parse,
  startOfMonth,
  startOfWeek,
} from 'date-fns';

/** A month as YYYY-MM. */
export type MonthKey = string;

export interface CalendarDay {
  /** YYYY-MM-DD */
  day: string;
  dayOfMonth: number;
  isInMonth: boolean;
  isToday: boolean;
}

const WEEK = { weekStartsOn: 1 } as const; // Monday, as in Germany (ISO 8601).

export const isMonthKey = (value: string | null): value is MonthKey => value !== null && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
export const monthOf = (date: Date): MonthKey => format(date, 'yyyy-MM');
const firstOf = (month: MonthKey): Date => parse(`${month}-01`, 'yyyy-MM-dd', new Date());
export const shiftMonth = (month: MonthKey, by: number): MonthKey => monthOf(addMonths(firstOf(month), by));
export const monthTitle = (month: MonthKey): string => format(firstOf(month), 'MMMM yyyy');

/** The weeks (Monday to Sunday) that show a month, with the neighbouring months' days greyed. */
export function monthGrid(month: MonthKey, today: Date): CalendarDay[][] {
  const first = firstOf(month);
  const days = eachDayOfInterval({ start: startOfWeek(startOfMonth(first), WEEK), end: endOfWeek(endOfMonth(first), WEEK) });
  const todayKey = format(today, 'yyyy-MM-dd');
  const weeks: CalendarDay[][] = [];
  days.forEach((date, i) => {
    const day = format(date, 'yyyy-MM-dd');
    if (i % 7 === 0) weeks.push([]);
    weeks[weeks.length - 1]!.push({ day, dayOfMonth: date.getDate(), isInMonth: isSameMonth(date, first), isToday: day === todayKey });
  });
  return weeks;
}

/** The names of the weekdays, Monday first. */
export const WEEKDAYS: readonly string[] = Array.from({ length: 7 }, (_, i) =>
  format(addDays(startOfWeek(new Date(2026, 0, 5), WEEK), i), 'EEE'),
);
