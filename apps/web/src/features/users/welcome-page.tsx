import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useParams } from 'react-router';
import { z } from 'zod';
import { FormServerError, showServerError, TextField } from '../../components/form-fields.tsx';
import { appCodeOf, describeError } from '../../lib/errors.ts';
import { trpc } from '../../lib/trpc.ts';

// The length rule is repeated here for a quick answer; the server checks it again, with the list
// of common passwords and the e-mail rule, which stay on the server.
const ZWelcomeForm = z
  .object({
    password: z.string().min(12, 'Use at least 12 characters').max(128, 'Use at most 128 characters'),
    repeatPassword: z.string(),
  })
  .refine((v) => v.password === v.repeatPassword, { path: ['repeatPassword'], message: 'The two passwords differ' });
type WelcomeForm = z.infer<typeof ZWelcomeForm>;

const isField = (path: string): path is 'password' => path === 'password';

/**
 * Public: the invited person sets their first password with the one-time link, then signs in
 * through the ordinary sign-in page (throttle and second factor apply there as for everyone).
 */
export function WelcomePage() {
  const { token = '' } = useParams();
  const form = useForm<WelcomeForm>({ resolver: zodResolver(ZWelcomeForm), defaultValues: { password: '', repeatPassword: '' } });
  const { errors, isSubmitting } = form.formState;
  const accept = useMutation(trpc.users.acceptInvitation.mutationOptions());

  const onSubmit = form.handleSubmit(async ({ password }) => {
    if (accept.isPending) return;
    try {
      await accept.mutateAsync({ token, password });
    } catch (error) {
      // A used, expired or replaced link is not about the password: it is said above the form.
      if (appCodeOf(error) !== 'INVITATION_INVALID') showServerError(form.setError, error, isField);
    }
  });

  const invalidLink = appCodeOf(accept.error) === 'INVITATION_INVALID';
  const busy = isSubmitting || accept.isPending;
  return (
    <main className="sign-in" id="main">
      <title>Welcome · Zweck</title>
      <div className="sign-in-card">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">Z</span>
          <span className="brand-name">Zweck</span>
        </div>
        <h1>Welcome to Zweck</h1>
        {accept.isSuccess ? (
          <>
            <div className="notice notice-success" role="status">
              <p>Your password is set. Sign in with {accept.data.email} and your new password.</p>
            </div>
            {/* Replace: the used link leaves the browser history. */}
            <Link to="/" replace className="button button-primary button-block">
              Sign in
            </Link>
          </>
        ) : invalidLink ? (
          <div className="notice notice-error" role="alert">
            <p>{describeError(accept.error)}</p>
          </div>
        ) : (
          <>
            <p className="muted">
              Choose your password: at least 12 characters; a few unrelated words are long and easy to remember. Common passwords and your
              e-mail address are refused. Nobody else, not even your administrator, will know it.
            </p>
            <FormServerError title="The password was not set" error={errors.root?.server} />
            <form onSubmit={(e) => void onSubmit(e)} noValidate className="form">
              <TextField
                id="welcome-password"
                label="Password"
                type="password"
                autoComplete="new-password"
                autoFocus
                registration={form.register('password')}
                error={errors.password}
              />
              <TextField
                id="welcome-repeat-password"
                label="Password again"
                type="password"
                autoComplete="new-password"
                registration={form.register('repeatPassword')}
                error={errors.repeatPassword}
              />
              <button type="submit" className="button button-primary button-block" disabled={busy}>
                {busy ? 'Saving…' : 'Set password'}
              </button>
            </form>
          </>
        )}
      </div>
    </main>
  );
}
