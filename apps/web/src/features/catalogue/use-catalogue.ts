import { useQuery } from '@tanstack/react-query';
import { queryClient, trpc } from '../../lib/trpc.ts';

/** The field catalogue with the purposes that use each field. */
export const useFields = () => useQuery(trpc.fields.list.queryOptions());

/**
 * After any change to either catalogue: both lists refer to each other (a purpose's fields, a
 * field's purposes), and the contact forms read the purposes (their wordings) too.
 */
export async function invalidateCatalogue(): Promise<void> {
  await Promise.all([queryClient.invalidateQueries(trpc.purposes.pathFilter()), queryClient.invalidateQueries(trpc.fields.pathFilter())]);
}
