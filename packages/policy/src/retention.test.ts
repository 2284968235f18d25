import { describe, expect, it } from 'vitest';
import {
  addRetentionPeriod,
  describeRetentionPeriod,
  holdInForce,
  parseRetentionPeriod,
  retentionAnchorDate,
  retentionState,
  ZRetentionPeriod,
  type RetentionAnchorFacts,
} from './retention.ts';

const facts: RetentionAnchorFacts = {
  createdAt: '2024-01-10T08:00:00.000Z',
  lastInteractionAt: '2024-03-31T12:00:00.000Z',
  contractEndedAt: null,
  consentWithdrawnAt: null,
};

describe('retention periods', () => {
  it('reads ISO 8601 date durations and refuses time parts, zero, and more than a century', () => {
    expect(parseRetentionPeriod('P24M')).toEqual({ years: 0, months: 24, weeks: 0, days: 0 });
    expect(parseRetentionPeriod('P3Y6M2W1D')).toEqual({ years: 3, months: 6, weeks: 2, days: 1 });
    for (const bad of ['P', 'P0D', '24M', 'PT24H', 'P1.5Y', 'P101Y', 'p24m ', 'P-1M', '']) expect(parseRetentionPeriod(bad)).toBeNull();
    expect(ZRetentionPeriod.parse(' p24m ')).toBe('P24M');
    expect(ZRetentionPeriod.safeParse('24 months').success).toBe(false);
    expect(describeRetentionPeriod('P1Y2M')).toBe('1 year 2 months');
  });

  it('adds calendar months in UTC, clamping at month ends', () => {
    expect(addRetentionPeriod('2024-01-31T10:00:00.000Z', 'P1M')).toBe('2024-02-29T10:00:00.000Z');
    expect(addRetentionPeriod('2023-01-31T10:00:00.000Z', 'P1M')).toBe('2023-02-28T10:00:00.000Z');
    expect(addRetentionPeriod('2024-03-31T23:30:00.000Z', 'P24M')).toBe('2026-03-31T23:30:00.000Z');
    expect(addRetentionPeriod('2024-01-01T00:00:00.000Z', 'P2W3D')).toBe('2024-01-18T00:00:00.000Z');
  });
});

describe('which anchor applies', () => {
  it('counts from the last interaction, never earlier than the creation', () => {
    expect(retentionAnchorDate('last_interaction', facts)).toBe(facts.lastInteractionAt);
    expect(retentionAnchorDate('last_interaction', { ...facts, lastInteractionAt: null })).toBe(facts.createdAt);
    expect(retentionAnchorDate('last_interaction', { ...facts, lastInteractionAt: '2023-12-01T00:00:00.000Z' })).toBe(facts.createdAt);
    expect(retentionAnchorDate('created', facts)).toBe(facts.createdAt);
  });

  it('has no anchor while a contract runs or a consent is in force', () => {
    expect(retentionAnchorDate('contract_end', facts)).toBeNull();
    expect(retentionAnchorDate('consent_withdrawn', facts)).toBeNull();
    expect(
      retentionState({ period: 'P1D', anchor: 'contract_end', reminderLeadDays: 0, facts, holds: [], now: '2030-01-01T00:00:00.000Z' }),
    ).toEqual({
      state: 'no_anchor',
    });
    expect(retentionAnchorDate('contract_end', { ...facts, contractEndedAt: '2024-06-30T00:00:00.000Z' })).toBe('2024-06-30T00:00:00.000Z');
  });
});

describe('the deadline, the reminder and the hold', () => {
  const check = { period: 'P24M', anchor: 'last_interaction' as const, reminderLeadDays: 14, facts, holds: [] };
  const deadline = '2026-03-31T12:00:00.000Z';

  it('runs, then reminds the lead days before, then is due at the deadline', () => {
    expect(retentionState({ ...check, now: '2026-03-17T11:59:59.999Z' })).toEqual({
      state: 'running',
      deadline,
      remindAt: '2026-03-17T12:00:00.000Z',
    });
    expect(retentionState({ ...check, now: '2026-03-17T12:00:00.000Z' })).toMatchObject({ state: 'remind', deadline });
    expect(retentionState({ ...check, now: '2026-03-31T11:59:59.999Z' })).toMatchObject({ state: 'remind' });
    expect(retentionState({ ...check, now: deadline })).toEqual({ state: 'due', deadline });
  });

  it('lets a hold in force win over the deadline, and only while it is in force', () => {
    const holds = [
      { id: 'b', startsOn: '2025-01-01', endsOn: '2026-04-30' },
      { id: 'a', startsOn: '2026-05-01', endsOn: null },
    ];
    expect(retentionState({ ...check, holds, now: '2026-04-30T23:00:00.000Z' })).toEqual({ state: 'held', deadline, holdId: 'b' });
    expect(retentionState({ ...check, holds, now: '2026-05-02T00:00:00.000Z' })).toEqual({ state: 'held', deadline, holdId: 'a' });
    expect(retentionState({ ...check, holds: [holds[0]!], now: '2026-05-01T00:00:00.000Z' })).toEqual({ state: 'due', deadline });
    expect(holdInForce([{ id: 'x', startsOn: '2026-06-01', endsOn: null }], '2026-05-31T23:59:59.000Z')).toBeNull();
  });
});
