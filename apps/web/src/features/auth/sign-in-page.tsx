import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { TextField } from '../../components/form-fields.tsx';
import { appCodeOf, describeError } from '../../lib/errors.ts';
import { resetSession, trpc, type SessionUser } from '../../lib/trpc.ts';
import { CodeField, RecoveryCodeField, RecoveryCodesPanel, TotpEnrollment } from './second-factor.tsx';

const ZSignInForm = z.object({
  email: z.string().trim().min(1, 'Enter your e-mail address').pipe(z.email('Enter a valid e-mail address')),
  password: z.string().min(1, 'Enter your password'),
});
type SignInForm = z.infer<typeof ZSignInForm>;

const sessionUserOf = ({ id, email, displayName, role }: SessionUser): SessionUser => ({ id, email, displayName, role });

/**
 * Where the sign-in stands: the password first; then, for an account with a second factor, its
 * code (or a recovery code); for an admin or DPO without one, setting it up, which ends with the
 * recovery codes shown once. Until the last step the server's session signs nobody in.
 */
type Step =
  | { kind: 'password' }
  | { kind: 'verify'; user: SessionUser; useRecovery: boolean }
  | { kind: 'enroll'; user: SessionUser }
  | { kind: 'codes'; user: SessionUser; codes: string[] };

export function SignInPage() {
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [expired, setExpired] = useState(false);
  const signOut = useMutation(trpc.auth.signOut.mutationOptions());
  /** Back to the password: the password-only session is ended on the server, not left to expire. */
  const backToPassword = () => {
    signOut.mutate();
    setExpired(false);
    setStep({ kind: 'password' });
  };
  /** The password-only session lasts minutes: once it is gone, the password comes first again. */
  const guard = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      if (appCodeOf(error) === 'NOT_SIGNED_IN') {
        setStep({ kind: 'password' });
        setExpired(true);
        return;
      }
      throw error;
    }
  };
  const verify = useMutation(trpc.auth.verifySecondFactor.mutationOptions());
  const recover = useMutation(trpc.auth.useRecoveryCode.mutationOptions());

  if (step.kind === 'verify') {
    return (
      <SignInCard title="Enter your code" intro={`Signing in as ${step.user.email}.`} onBack={backToPassword}>
        {step.useRecovery ? (
          <>
            <RecoveryCodeField onCode={(code) => guard(async () => resetSession(sessionUserOf(await recover.mutateAsync({ code }))))} />
            <button type="button" className="button button-secondary button-block" onClick={() => setStep({ ...step, useRecovery: false })}>
              Use the code from the app instead
            </button>
          </>
        ) : (
          <>
            <p>Type the 6-digit code your authenticator app shows for Zweck.</p>
            <CodeField
              id="sign-in-code"
              label="Code"
              submitLabel="Verify"
              busyLabel="Verifying…"
              errorTitle="Not signed in"
              onCode={(code) => guard(async () => resetSession(await verify.mutateAsync({ code })))}
            />
            <button type="button" className="button button-secondary button-block" onClick={() => setStep({ ...step, useRecovery: true })}>
              Use a recovery code
            </button>
          </>
        )}
      </SignInCard>
    );
  }
  if (step.kind === 'enroll') {
    return (
      <SignInCard
        title="Set up your second factor"
        intro="Your role (administrator or data protection officer) sees or controls personal data of many people, so signing in needs a second factor: a code from an app on your phone. Set it up now; nothing else is possible before."
        onBack={backToPassword}
      >
        <TotpEnrollment onEnrolled={({ recoveryCodes, user }) => setStep({ kind: 'codes', user, codes: recoveryCodes })} />
      </SignInCard>
    );
  }
  if (step.kind === 'codes') {
    return (
      <SignInCard title="Second factor set up" intro="From now on you sign in with your password and a code from the app.">
        <RecoveryCodesPanel codes={step.codes} continueLabel="Continue to Zweck" onDone={() => resetSession(step.user)} />
      </SignInCard>
    );
  }
  return (
    <PasswordStep
      expired={expired}
      onSignedIn={(user, secondFactor) => {
        setExpired(false);
        if (secondFactor === 'none') resetSession(user);
        else if (secondFactor === 'verify') setStep({ kind: 'verify', user, useRecovery: false });
        else setStep({ kind: 'enroll', user });
      }}
    />
  );
}

function SignInCard({ title, intro, onBack, children }: { title: string; intro: string; onBack?: () => void; children: ReactNode }) {
  return (
    <main className="sign-in" id="main">
      <title>{`${title} · Zweck`}</title>
      <div className="sign-in-card sign-in-card-wide">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">Z</span>
          <span className="brand-name">Zweck</span>
        </div>
        <h1>{title}</h1>
        <p className="muted">{intro}</p>
        {children}
        {onBack ? (
          <button type="button" className="button button-secondary button-small sign-in-back" onClick={onBack}>
            Sign in as someone else
          </button>
        ) : null}
      </div>
    </main>
  );
}

function PasswordStep({
  expired,
  onSignedIn,
}: {
  expired: boolean;
  onSignedIn: (user: SessionUser, secondFactor: 'none' | 'verify' | 'enroll') => void;
}) {
  const form = useForm<SignInForm>({ resolver: zodResolver(ZSignInForm), defaultValues: { email: '', password: '' } });
  const { errors, isSubmitting } = form.formState;
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: ({ secondFactor, ...user }) => onSignedIn(sessionUserOf(user), secondFactor),
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
        ) : expired ? (
          <div className="notice notice-warning" role="alert">
            <p>The time for the second step ran out. Sign in again.</p>
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
