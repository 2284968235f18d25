import { useQuery } from '@tanstack/react-query';
import { queryClient, trpc, type RouterInputs, type RouterOutputs } from '../../../lib/trpc.ts';

export type ReviewListItem = RouterOutputs['reviews']['list'][number];
export type ReviewDetail = RouterOutputs['reviews']['get'];
export type ReviewListInput = RouterInputs['reviews']['list'];

export const useReviewList = (input: ReviewListInput) => useQuery({ ...trpc.reviews.list.queryOptions(input), refetchInterval: 60_000 });

/** One review; asked again now and then, since its workflow writes reminders into the history. */
export const useReview = (id: string) =>
  useQuery({
    ...trpc.reviews.get.queryOptions({ id }),
    // Every second while a recurring review's workflow creates the next one, else twice a minute.
    refetchInterval: (query) => {
      const review = query.state.data;
      return review && review.status === 'done' && review.recurrenceMonths !== null && review.nextId === null ? 1_000 : 30_000;
    },
  });

/** After a change: the reviews, the inbox (a reminder may follow) and the audit log. */
export async function invalidateReviews(): Promise<void> {
  await Promise.all([queryClient.invalidateQueries(trpc.reviews.pathFilter()), queryClient.invalidateQueries(trpc.dpoInbox.pathFilter())]);
}
