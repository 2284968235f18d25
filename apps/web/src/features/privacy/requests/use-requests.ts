import { useQuery } from '@tanstack/react-query';
import { queryClient, trpc, type RouterInputs, type RouterOutputs } from '../../../lib/trpc.ts';

export type RequestListItem = RouterOutputs['requests']['list'][number];
export type RequestDetail = RouterOutputs['requests']['get'];
export type RequestListInput = RouterInputs['requests']['list'];

export const useRequestList = (input: RequestListInput) => useQuery({ ...trpc.requests.list.queryOptions(input), refetchInterval: 60_000 });

/** One request; asked again now and then, since its workflow writes notices and answers into the timeline. */
export const useRequest = (id: string) => useQuery({ ...trpc.requests.get.queryOptions({ id }), refetchInterval: 15_000 });

/** After a change: the requests, the inbox and the overview (counts and countdowns). */
export async function invalidateRequests(): Promise<void> {
  await Promise.all([queryClient.invalidateQueries(trpc.requests.pathFilter()), queryClient.invalidateQueries(trpc.dpoInbox.pathFilter())]);
}
