import { useQuery } from '@tanstack/react-query';
import { queryClient, trpc } from '../../lib/trpc.ts';
import { isActive, type CampaignStatus } from './campaign-labels.ts';

/** How often a page asks again while a campaign runs, so that its progress moves by itself. */
export const LIVE_REFRESH_MS = 1_500;

const liveWhile = (status: CampaignStatus | undefined): number | false =>
  status !== undefined && isActive(status) ? LIVE_REFRESH_MS : false;

/** Every campaign with its results; refreshed while any of them runs. */
export const useCampaigns = () =>
  useQuery({
    ...trpc.campaigns.list.queryOptions({}),
    refetchInterval: (query) => (query.state.data?.some((c) => isActive(c.status)) ? LIVE_REFRESH_MS * 2 : false),
  });

/**
 * One campaign; followed live while its workflow is scheduled, running or paused. `justStarted`
 * keeps asking for the moment between the start and the workflow's first step, while the row still
 * says draft.
 */
export const useCampaign = (id: string, justStarted: boolean) =>
  useQuery({
    ...trpc.campaigns.get.queryOptions({ id }),
    staleTime: 0,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return liveWhile(status) || (justStarted && status === 'draft' ? LIVE_REFRESH_MS : false);
    },
  });

/** The composer's choices. */
export const useSegmentOptions = () => useQuery(trpc.segments.list.queryOptions());
export const useTemplateOptions = () => useQuery(trpc.templates.list.queryOptions());

/** After a change to a campaign: the list, its page and its recipients. */
export async function invalidateCampaigns(): Promise<void> {
  await queryClient.invalidateQueries(trpc.campaigns.pathFilter());
}
