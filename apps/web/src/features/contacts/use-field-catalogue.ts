import { useQuery } from '@tanstack/react-query';
import { trpc } from '../../lib/trpc.ts';

/** The field catalogue (labels, types, purposes); it changes rarely, so it is fetched every few minutes at most. */
export const useFieldCatalogue = () => useQuery({ ...trpc.fields.list.queryOptions(), staleTime: 5 * 60_000 });
