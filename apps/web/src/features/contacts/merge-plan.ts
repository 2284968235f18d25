import type { RouterOutputs } from '../../lib/trpc.ts';
import { inSentence } from './contact-fields.ts';

export type MergePlan = RouterOutputs['contacts']['mergePreview'];

/** "A", "A and B", "A, B and C". */
export const listInWords = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * Which record the user is on: `survivor` merges the other record into this one ("Merge into this
 * record"); `duplicate` merges this one into the other, named `otherName`.
 */
export type MergeSide = { here: 'survivor' } | { here: 'duplicate'; otherName: string };

/**
 * The merge preview in words, one sentence each: what is taken over, what is discarded, what
 * history moves, and which record goes away. Labels come from the field catalogue.
 */
export function describeMergePlan(plan: MergePlan, labelFor: (key: string) => string, side: MergeSide): string[] {
  const into = side.here === 'survivor';
  const from = into ? 'the other record' : 'this record';
  const fromOwner = into ? 'Its' : 'This record’s';
  const keeper = into ? 'the values here' : `the values of ${side.otherName}`;
  const to = into ? 'here' : `to ${side.otherName}`;

  const sentences: string[] = [];
  const filled = plan.filled.map(labelFor);
  sentences.push(filled.length > 0 ? `${listInWords(filled)} will be taken from ${from}.` : `No values will be taken from ${from}.`);
  const discarded = plan.discarded.map((key) => inSentence(labelFor(key)));
  if (discarded.length > 0) sentences.push(`${fromOwner} ${listInWords(discarded)} will be discarded; ${keeper} stay.`);
  const { consentEvents, provenance, decisions, messages } = plan.moved;
  const moved = [
    consentEvents > 0 ? count(consentEvents, 'consent event', 'consent events') : null,
    provenance > 0 ? count(provenance, 'provenance entry', 'provenance entries') : null,
    decisions > 0 ? count(decisions, 'policy decision', 'policy decisions') : null,
    messages > 0 ? count(messages, 'message of the mail log', 'messages of the mail log') : null,
  ].filter((part): part is string => part !== null);
  sentences.push(moved.length > 0 ? `${listInWords(moved)} will move ${to}.` : `There is no history to move ${to}.`);
  sentences.push(into ? 'The other record is then removed.' : 'This record is then removed.');
  return sentences;
}
