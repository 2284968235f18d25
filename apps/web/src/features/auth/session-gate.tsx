import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorNotice, Loading } from '../../components/feedback.tsx';
import { trpc } from '../../lib/trpc.ts';
import { SessionProvider } from './session.tsx';
import { SignInPage } from './sign-in-page.tsx';

/**
 * Everything behind this gate has a signed-in user. Without one (or once any request finds the
 * session gone) the sign-in page takes the place of the page, at the same address, so that a
 * deep link still works after signing in.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const me = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: 60_000 });
  if (me.isPending) {
    return (
      <div className="center-screen">
        <Loading label="Checking your session…" />
      </div>
    );
  }
  if (me.isError) {
    return (
      <div className="center-screen">
        <ErrorNotice title="Zweck is not reachable" error={me.error} onRetry={() => void me.refetch()} />
      </div>
    );
  }
  if (me.data === null) return <SignInPage />;
  return <SessionProvider user={me.data}>{children}</SessionProvider>;
}
