import { useSessionUser } from '../auth/session.tsx';

/** Who recorded something: the signed-in user is "you"; others show as stored, which is what an audit needs. */
export function Actor({ actor }: { actor: string }) {
  const user = useSessionUser();
  if (actor === `user:${user.id}`) return <span title={actor}>You ({user.displayName})</span>;
  if (actor === 'contact') return <span title={actor}>The person themselves</span>;
  return <span className="mono break">{actor}</span>;
}
