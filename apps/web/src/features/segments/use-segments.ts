import { useQuery } from '@tanstack/react-query';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';

export type SegmentListItem = RouterOutputs['segments']['list'][number];
export type Segment = RouterOutputs['segments']['get'];

export const useSegments = () => useQuery(trpc.segments.list.queryOptions());

/** After a segment changes: its list (member counts) and its page; previews are asked for explicitly. */
export const invalidateSegments = async (): Promise<void> => {
  await Promise.all([
    queryClient.invalidateQueries(trpc.segments.list.pathFilter()),
    queryClient.invalidateQueries(trpc.segments.get.pathFilter()),
  ]);
};
