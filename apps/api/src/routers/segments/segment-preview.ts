import type { Db } from '@zweck/db';
import {
  countSubjectFacts,
  PURPOSE_RULE_SELECT,
  readSubjects,
  refreshAddressHashes,
  subjectOfFacts,
  toPurposeRule,
} from '@zweck/decision-facts';
import { evaluate, type Channel, type PurposeRuleInput } from '@zweck/policy';
import { compileSegment, listSegmentMembers, type SegmentDefinition } from '@zweck/segments';
import { AppError } from '../../trpc/errors.ts';
import type { PreviewOut } from './segments.schema.ts';

/** Members read and decided per round trip: one query for the IDs, then the batched reader's three. */
export const PREVIEW_PAGE_SIZE = 5_000;

/** The send gate skips a hard-bounced address after the policy said yes (accuracy, Art. 5(1)(d); not a consent matter). */
export const ADDRESS_UNDELIVERABLE = 'ADDRESS_UNDELIVERABLE';

const bump = (counts: Map<string, number>, code: string, by = 1): void => {
  counts.set(code, (counts.get(code) ?? 0) + by);
};
const sorted = (counts: Map<string, number>) =>
  [...counts].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));

type PreviewInput = { definition: SegmentDefinition; purposeId: string; channel: Channel };

/** The purpose as the policy reads it; an unknown purpose or a channel it does not use is the caller's mistake. */
async function purposeFor(db: Db, purposeId: string, channel: Channel): Promise<PurposeRuleInput> {
  const row = await db.purpose.findUnique({ where: { id: purposeId }, select: PURPOSE_RULE_SELECT });
  if (!row) throw new AppError('PURPOSE_NOT_FOUND', `There is no purpose "${purposeId}" in the catalogue.`, 'purposeId');
  const purpose = toPurposeRule(row);
  if (!purpose.channels.includes(channel)) {
    throw new AppError('CHANNEL_NOT_IN_PURPOSE', `The purpose "${row.name}" does not use the channel ${channel}.`, 'channel');
  }
  return purpose;
}

/**
 * How many members of a segment the policy lets `purposeId` reach on `channel` now, and why the
 * others are excluded. One pass over the members counts them by the facts the policy reads (state,
 * suppression, the folded consent of the purpose and channel at `now` as the consent-state
 * projection keeps it, objection, a hard bounce: `countSubjectFacts`); `evaluate`, the send gate's
 * rules, then decides each distinct tuple once and its count carries the decision. The same
 * answer, member for member, as deciding everyone from their folded ledger (`previewSegmentExact`,
 * which the tests compare it with).
 */
export async function previewSegment(db: Db, suppressionKey: string, input: PreviewInput, now: Date = new Date()): Promise<PreviewOut> {
  const { definition, purposeId, channel } = input;
  const purpose = await purposeFor(db, purposeId, channel);
  // Suppression is matched by the keyed hash of each address: new and changed addresses are hashed first.
  if ((await db.suppressionEntry.findFirst({ select: { addressHash: true } })) !== null) await refreshAddressHashes(db, suppressionKey);
  const tuples = await countSubjectFacts(db, compileSegment(definition, { now }), { purposeId, channel, now });

  const nowIso = now.toISOString();
  const primary = new Map<string, number>();
  const every = new Map<string, number>();
  let count = 0;
  let reachable = 0;
  for (const facts of tuples) {
    count += facts.count;
    const subject = subjectOfFacts(facts, purposeId, channel, now);
    const verdict = evaluate({ subject, purpose, channel, action: 'send', now: nowIso });
    if (!verdict.allowed) {
      bump(primary, verdict.reasons[0].code, facts.count);
      for (const r of verdict.reasons) bump(every, r.code, facts.count);
    } else if (channel === 'email' && facts.emailUndeliverable) {
      bump(primary, ADDRESS_UNDELIVERABLE, facts.count);
      bump(every, ADDRESS_UNDELIVERABLE, facts.count);
    } else reachable += facts.count;
  }
  return { count, reachable, excluded: sorted(primary), reasons: sorted(every), decidedAt: now };
}

/**
 * The same preview decided member by member: every member's ledger folded by packages/policy
 * (`readSubjects`, the send gate's reader) and decided by `evaluate`, page by page. Kept as the
 * oracle the grouped preview is tested against, and for the benchmark's comparison.
 */
export async function previewSegmentExact(
  db: Db,
  suppressionKey: string,
  input: PreviewInput,
  now: Date = new Date(),
): Promise<PreviewOut> {
  const { definition, purposeId, channel } = input;
  const purpose = await purposeFor(db, purposeId, channel);

  const nowIso = now.toISOString();
  const primary = new Map<string, number>();
  const every = new Map<string, number>();
  let count = 0;
  let reachable = 0;
  const page = (after?: string) => listSegmentMembers(db, definition, { afterContactId: after, limit: PREVIEW_PAGE_SIZE, now });
  // Pipelined: the next page's IDs and people are read while this page is decided, so that the
  // database and this process work at the same time.
  const read = (contactIds: string[]) => {
    const people = readSubjects(db, suppressionKey, contactIds);
    // Awaited below; marked handled here so that a failure while the next page is listed is not also an unhandled rejection.
    people.catch(() => undefined);
    return people;
  };
  let ids = await page();
  let people = read(ids);
  while (ids.length > 0) {
    const nextIds = ids.length < PREVIEW_PAGE_SIZE ? [] : await page(ids.at(-1));
    const [current, currentIds] = [await people, ids];
    ids = nextIds;
    people = read(nextIds);
    for (const id of currentIds) {
      const person = current.get(id);
      if (!person) continue; // contacts are tombstoned, never deleted; a vanished row is no member
      count++;
      const verdict = evaluate({ subject: person.subject, purpose, channel, action: 'send', now: nowIso });
      if (!verdict.allowed) {
        bump(primary, verdict.reasons[0].code);
        for (const r of verdict.reasons) bump(every, r.code);
      } else if (channel === 'email' && person.emailUndeliverableAt !== null) {
        bump(primary, ADDRESS_UNDELIVERABLE);
        bump(every, ADDRESS_UNDELIVERABLE);
      } else reachable++;
    }
  }
  await people;
  return { count, reachable, excluded: sorted(primary), reasons: sorted(every), decidedAt: now };
}
