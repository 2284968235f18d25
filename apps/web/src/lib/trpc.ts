import { hashKey, MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@zweck/api';
import { isFinalError, isSessionLost } from './errors.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type SessionUser = NonNullable<RouterOutputs['auth']['me']>;

/**
 * A request anywhere that finds the session gone shows the sign-in page: `auth.me` becomes null
 * and the gate in the layout renders sign-in instead of the page.
 */
function onAnyError(error: unknown): void {
  if (isSessionLost(error)) queryClient.setQueryData(trpc.auth.me.queryKey(), null);
}

/** The one QueryClient of the app. */
export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onAnyError }),
  mutationCache: new MutationCache({ onError: onAnyError }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // Asking again only helps when the server or the network stumbled.
      retry: (failureCount, error) => !isFinalError(error) && failureCount < 2,
    },
    mutations: { retry: false },
  },
});

// Same origin: the API serves this UI, so fetch sends the HttpOnly session cookie by default
// (credentials: 'same-origin'); neither CORS nor `credentials: 'include'` is needed. The header
// is the API's CSRF check (apps/api/src/http/csrf.ts): a form on another site cannot send it.
export const trpcClient = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: '/trpc', headers: { 'x-zweck-csrf': '1' } })],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

/** After signing in or out nothing fetched for the previous session may stay on screen. */
export function resetSession(user: SessionUser | null): void {
  const meHash = hashKey(trpc.auth.me.queryKey());
  queryClient.removeQueries({ predicate: (query) => query.queryHash !== meHash });
  queryClient.setQueryData(trpc.auth.me.queryKey(), user);
}
