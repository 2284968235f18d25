import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@zweck/api';
import { appCodeOf, isSessionLost, transportCodeOf } from './errors.ts';

/** Codes where asking again gives the same answer. */
const FINAL_CODES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST', 'CONFLICT', 'PRECONDITION_FAILED']);

/**
 * A request anywhere that finds the session gone shows the sign-in page: `auth.me` becomes null
 * and the app's gate renders sign-in instead of the page.
 */
function onAnyError(error: unknown): void {
  if (isSessionLost(error)) queryClient.setQueryData(trpc.auth.me.queryKey(), null);
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onAnyError }),
  mutationCache: new MutationCache({ onError: onAnyError }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      retry: (failureCount, error) => !FINAL_CODES.has(transportCodeOf(error) ?? '') && appCodeOf(error) === null && failureCount < 2,
    },
    mutations: { retry: false },
  },
});

// Same origin: the API serves this UI, so fetch sends the HttpOnly session cookie by default
// (credentials: 'same-origin'); no CORS and no `credentials: 'include'` needed.
export const trpcClient = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: '/trpc' })],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

/** After signing in or out nothing fetched for the previous session may stay visible. */
export function resetSession(user: AppRouterOutputs['auth']['me']): void {
  queryClient.removeQueries({ predicate: (query) => query.queryHash !== JSON.stringify(trpc.auth.me.queryKey()) });
  queryClient.setQueryData(trpc.auth.me.queryKey(), user);
}

export type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { inferRouterOutputs } from '@trpc/server';
export type AppRouterOutputs = inferRouterOutputs<AppRouter>;
