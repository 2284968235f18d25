import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { JourneyDefinition } from '@zweck/journeys';
import { queryClient, trpc } from '../../lib/trpc.ts';
import { useDebouncedValue } from '../../lib/use-debounced-value.ts';

export const useJourneys = () => useQuery(trpc.journeys.list.queryOptions());

export const useJourney = (id: string) => useQuery({ ...trpc.journeys.get.queryOptions({ id }), staleTime: 0 });

export const useJourneyVersions = (id: string) => useQuery(trpc.journeys.versions.queryOptions({ id }));

/** Contacts per step and exits; refreshed every few seconds, as contacts move on their own. */
export const useJourneyStats = (journeyId: string, versionId: string | undefined, enabled: boolean) =>
  useQuery({
    ...trpc.journeys.stats.queryOptions(versionId ? { journeyId, versionId } : { journeyId }),
    enabled,
    refetchInterval: 10_000,
  });

/**
 * The issues of the definition on the canvas, as publishing would find them, asked once the
 * marketer pauses editing; the last answer stays on screen while the next one loads.
 */
export function useLiveIssues(definition: JourneyDefinition) {
  const settled = useDebouncedValue(definition, 400);
  const check = useMutation(trpc.journeys.validate.mutationOptions());
  const { mutate } = check;
  useEffect(() => {
    mutate({ definition: settled });
  }, [settled, mutate]);
  return { issues: check.data?.issues, isChecking: check.isPending || settled !== definition };
}

export const useSegmentChoices = () => useQuery(trpc.segments.list.queryOptions());
export const useTemplateChoices = () => useQuery(trpc.templates.list.queryOptions());

export async function invalidateJourneys(): Promise<void> {
  await queryClient.invalidateQueries(trpc.journeys.pathFilter());
}
