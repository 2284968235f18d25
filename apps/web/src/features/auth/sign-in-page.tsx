import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { TextField } from '../../components/form-fields.tsx';
import { appCodeOf, describeError } from '../../lib/errors.ts';
import { resetSession, trpc } from '../../lib/trpc.ts';

const ZSignInForm = z.object({
  email: z.string().trim().min(1, 'Enter your e-mail address').pipe(z.email('Enter a valid e-mail address')),
  password: z.string().min(1, 'Enter your password'),
});
type SignInForm = z.infer<typeof ZSignInForm>;

export function SignInPage() {
  const form = useForm<SignInForm>({ resolver: zodResolver(ZSignInForm), defaultValues: { email: '', password: '' } });
  const { errors, isSubmitting } = form.formState;
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: (user) => resetSession(user),
    }),
  );

  const onSubmit = form.handleSubmit(async (values) => {
    if (signIn.isPending) return;
    try {
      await signIn.mutateAsync(values);
    } catch (error) {
      // A wrong password empties the password field; the answer never says which of the two was wrong.
      if (appCodeOf(error) === 'INVALID_CREDENTIALS') form.resetField('password');
    }
  });

  const busy = isSubmitting || signIn.isPending;
  return (
    <main className="sign-in" id="main">
      <title>Sign in · Zweck</title>
      <div className="sign-in-card">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">Z</span>
          <span className="brand-name">Zweck</span>
        </div>
        <h1>Sign in</h1>
        <p className="muted">Consent-aware marketing automation. Sign in with your work account.</p>

        {signIn.isError ? (
          <div className="notice notice-error" role="alert">
            <p>{describeError(signIn.error)}</p>
          </div>
        ) : null}

        <form onSubmit={(e) => void onSubmit(e)} noValidate className="form">
          <TextField
            id="sign-in-email"
            label="E-mail"
            type="email"
            autoComplete="username"
            autoFocus
            registration={form.register('email')}
            error={errors.email}
          />
          <TextField
            id="sign-in-password"
            label="Password"
            type="password"
            autoComplete="current-password"
            registration={form.register('password')}
            error={errors.password}
          />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
