import { useQuery } from '@tanstack/react-query';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';
import type { LeadTab } from './lead-labels.ts';

export type LeadDetail = RouterOutputs['leads']['get'];
export type InboxItem = RouterOutputs['leads']['inbox']['items'][number];

/** How often the page asks again while an answer is on its way through the handoff workflow. */
const ANSWER_REFRESH_MS = 1_000;

export const useInbox = (tab: LeadTab) => useQuery({ ...trpc.leads.inbox.queryOptions({ tab }), refetchInterval: 30_000 });

/** One lead; asked again every second while the rep's answer travels to the workflow and back. */
export const useLead = (id: string, awaitingAnswer: boolean) =>
  useQuery({
    ...trpc.leads.get.queryOptions({ id }),
    refetchInterval: (query) => (awaitingAnswer && query.state.data?.status === 'open' ? ANSWER_REFRESH_MS : false),
  });

export async function invalidateLeads(): Promise<void> {
  await queryClient.invalidateQueries(trpc.leads.pathFilter());
}
