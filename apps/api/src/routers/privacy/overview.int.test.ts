import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf } from '../../test/helpers.ts';

const DAY = 86_400_000;
const daysFromNow = (n: number): Date => new Date(Date.now() + n * DAY);
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

describe('privacy overview', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  async function contact(): Promise<string> {
    const id = randomUUID();
    await h.db.contact.create({ data: { id, email: `p-${id}@example.test`, emailNormalized: `p-${id}@example.test` } });
    return id;
  }

  async function consentEvent(
    contactId: string,
    kind: 'granted' | 'confirmed' | 'withdrawn' | 'objected',
    occurredAt: Date,
    purposeId = 'newsletter',
  ) {
    await h.db.consentEvent.create({
      data: { contactId, purposeId, channel: 'email', kind, occurredAt, method: 'web_form', source: 'test', actor: 'contact' },
    });
  }

  async function review(title: string, dueOn: Date, status: 'open' | 'done' = 'open'): Promise<string> {
    const id = randomUUID();
    await h.db.$executeRaw`
      INSERT INTO review (id, subject_type, subject_id, title, due_on, status, done_at, created_by)
      VALUES (${id}::uuid, 'purpose', 'newsletter', ${title}, ${isoDay(dueOn)}::date, ${status}::"ReviewStatus",
              ${status === 'done' ? new Date() : null}::timestamptz, 'test')`;
    return id;
  }

  async function request(type: string, receivedAt: Date, status = 'open', extendedDueAt: Date | null = null): Promise<string> {
    const id = randomUUID();
    const due = new Date(receivedAt.getTime() + 30 * DAY);
    await h.db.$executeRaw`
      INSERT INTO data_subject_request (id, type, intake, received_at, due_at, extended_due_at, extension_reason, status, created_by)
      VALUES (${id}::uuid, ${type}::"DsrType", 'staff', ${receivedAt}, ${due}, ${extendedDueAt}::timestamptz,
              ${extendedDueAt ? 'complex request' : null}::text, ${status}::"DsrStatus", 'test')`;
    return id;
  }

  it('counts what is due and late, and shows each open request with its countdown', async () => {
    const thisWeek = await review('Annual review of the newsletter purpose', daysFromNow(3));
    const late = await review('Processor contract review', daysFromNow(-5));
    await review('Done long ago', daysFromNow(-40), 'done');
    await review('Next quarter', daysFromNow(60));

    const dueSoon = await request('access', daysFromNow(-27)); // due in 3 days
    const overdue = await request('erasure', daysFromNow(-35)); // 5 days overdue
    const extended = await request('portability', daysFromNow(-35), 'in_progress', daysFromNow(20));
    await request('objection', daysFromNow(-40), 'completed');

    const overview = await h.callerFor('dpo').caller.privacyOverview.summary();

    expect(overview.counts).toMatchObject({ openRequests: 3, overdueRequests: 1, overdueReviews: 1 });
    expect(overview.overdueReviews.map((r) => r.id)).toEqual([late]);
    expect(overview.overdueReviews[0]?.daysOverdue).toBeGreaterThanOrEqual(4);

    const kinds = overview.deadlinesThisWeek.map((d) => `${d.kind}:${d.id}`);
    expect(kinds).toContain(`review:${thisWeek}`);
    expect(kinds).toContain(`request:${dueSoon}`);
    expect(kinds).not.toContain(`request:${overdue}`);
    expect(kinds).not.toContain(`request:${extended}`);

    const byId = new Map(overview.openRequests.map((r) => [r.id, r]));
    expect(byId.get(dueSoon)?.daysLeft).toBe(2); // 3 days minus the moments since the row was written: floor
    expect(byId.get(overdue)?.daysLeft).toBeLessThan(0);
    expect(byId.get(extended)).toMatchObject({ extended: true, status: 'in_progress' });
    // The earliest due first.
    expect(overview.openRequests.map((r) => r.id)).toEqual([overdue, dueSoon, extended]);
  });

  it('buckets the consent ledger per week, every week present, and filters by purpose', async () => {
    const a = await contact();
    const b = await contact();
    await consentEvent(a, 'granted', daysFromNow(-14));
    await consentEvent(a, 'confirmed', daysFromNow(-14));
    await consentEvent(b, 'granted', daysFromNow(-1));
    await consentEvent(b, 'withdrawn', daysFromNow(0));
    await consentEvent(a, 'objected', daysFromNow(0), 'product_updates');
    await consentEvent(b, 'granted', daysFromNow(-200)); // outside the window

    const all = await h.callerFor('dpo').caller.privacyOverview.summary({ purposeId: null, weeks: 12 });
    expect(all.consentTrend).toHaveLength(12);
    const sum = (key: 'given' | 'withdrawn' | 'objected') => all.consentTrend.reduce((n, w) => n + w[key], 0);
    expect({ given: sum('given'), withdrawn: sum('withdrawn'), objected: sum('objected') }).toEqual({
      given: 3,
      withdrawn: 1,
      objected: 1,
    });
    // Weeks are consecutive Mondays, the last one this week's.
    const mondays = all.consentTrend.map((w) => new Date(`${w.week}T00:00:00Z`));
    expect(mondays.every((d) => d.getUTCDay() === 1)).toBe(true);
    expect(mondays.at(-1)!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - mondays.at(-1)!.getTime()).toBeLessThan(7 * DAY);

    const newsletter = await h.callerFor('dpo').caller.privacyOverview.summary({ purposeId: 'newsletter', weeks: 12 });
    expect(newsletter.consentTrend.reduce((n, w) => n + w.objected, 0)).toBe(0);
  });

  it('is for the DPO and administrators only', async () => {
    expect(await codeOf(h.callerFor('marketer').caller.privacyOverview.summary())).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('sales').caller.privacyOverview.summary())).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor(null).caller.privacyOverview.summary())).toBe('UNAUTHORIZED');
    await expect(h.callerFor('admin').caller.privacyOverview.summary()).resolves.toHaveProperty('counts.openRequests', 3);
  });
});
