import type { Channel, Instant } from './vocabulary.ts';

/**
 * The installation's contact policy: how often and when marketing may reach a person. Set by the
 * DPO and marketing together; passed to every decision, so that a decision names what it used.
 */
export interface ContactRules {
  /** At most `max` marketing messages per channel within the last `periodDays`. */
  frequencyCaps?: Partial<Record<Channel, { max: number; periodDays: number }>>;
  /** No marketing between `start` and `end` (24-hour "HH:MM", may wrap midnight) in the person's time zone. */
  quietHours?: { start: string; end: string; channels: Channel[] };
  /** The time zone assumed where a person's own is not known. */
  defaultTimeZone?: string;
}

const minutesOf = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** Minutes since local midnight at `now` in `timeZone`, from the engine's own time-zone data (Intl). */
function localMinutes(now: Instant, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(now),
  );
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

/**
 * If `now` falls in the quiet hours in `timeZone`, the instant they end; otherwise null.
 * (Across a daylight-saving switch inside the window the end may be off by that hour.)
 */
export function quietHoursEnd(now: Instant, timeZone: string, quiet: { start: string; end: string }): Instant | null {
  const local = localMinutes(now, timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inside = start <= end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return null;
  const untilEnd = (end - local + 1440) % 1440;
  const at = new Date(Date.parse(now) + untilEnd * 60_000);
  at.setUTCSeconds(0, 0);
  return at.toISOString();
}

/** How many of the given sends on `channel` fall within the `periodDays` before `now`. */
export function sendsWithin(
  sends: readonly { channel: Channel; sentAt: Instant }[],
  channel: Channel,
  now: Instant,
  periodDays: number,
): number {
  const from = Date.parse(now) - periodDays * 86_400_000;
  const to = Date.parse(now);
  let count = 0;
  for (const send of sends) {
    if (send.channel !== channel) continue;
    const at = Date.parse(send.sentAt);
    if (at > from && at <= to) count++;
  }
  return count;
}
