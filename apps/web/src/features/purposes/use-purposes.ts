import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { trpc, type RouterOutputs } from '../../lib/trpc.ts';

export type Purpose = RouterOutputs['purposes']['list'][number];

/** The purpose catalogue; it changes rarely, so it is fetched once every few minutes at most. */
export function usePurposes() {
  const query = useQuery({ ...trpc.purposes.list.queryOptions(), staleTime: 5 * 60_000 });
  const byId = useMemo(() => new Map((query.data ?? []).map((p) => [p.id, p])), [query.data]);
  return { ...query, byId };
}

export const purposeName = (byId: Map<string, Purpose>, id: string): string => byId.get(id)?.name ?? id;
