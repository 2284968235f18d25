import { createContext, useContext, type ReactNode } from 'react';
import type { SessionUser } from '../../lib/trpc.ts';

const SessionContext = createContext<SessionUser | null>(null);

export function SessionProvider({ user, children }: { user: SessionUser; children: ReactNode }) {
  return <SessionContext value={user}>{children}</SessionContext>;
}

/** The signed-in user; only pages behind the session gate call this. */
export function useSessionUser(): SessionUser {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useSessionUser() outside the session gate');
  return user;
}
