import { useMutation } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { resetSession, trpc } from '../../lib/trpc.ts';

export function SignOutButton() {
  const navigate = useNavigate();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      // Signed out on the server or not (an expired session is signed out already): the UI forgets the session.
      onSettled: () => {
        resetSession(null);
        void navigate('/', { replace: true });
      },
    }),
  );
  return (
    <button type="button" className="button button-ghost button-small" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
      {signOut.isPending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
