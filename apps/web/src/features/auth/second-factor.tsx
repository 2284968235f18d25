import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { CheckboxField, FormServerError, showServerError, TextField } from '../../components/form-fields.tsx';
import { trpc, type SessionUser } from '../../lib/trpc.ts';

/*
 * The second factor's building blocks (issue 6): the code form of the sign-in's second step, the
 * recovery-code form, setting up an authenticator app, and the recovery codes shown once. Used by
 * the sign-in page (forced enrolment for admin and DPO) and by the account's security page.
 */

const ZCodeForm = z.object({
  code: z
    .string()
    .transform((v) => v.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6 digits your authenticator app shows')),
});
type CodeForm = z.input<typeof ZCodeForm>;
const isCodeField = (path: string): path is 'code' => path === 'code';

/** Six digits from the authenticator app; `onCode` sends them and throws the server's refusal. */
export function CodeField({
  id,
  label,
  submitLabel,
  busyLabel,
  errorTitle,
  onCode,
}: {
  id: string;
  label: string;
  submitLabel: string;
  busyLabel: string;
  errorTitle: string;
  onCode: (code: string) => Promise<void>;
}) {
  const form = useForm<CodeForm, unknown, z.output<typeof ZCodeForm>>({ resolver: zodResolver(ZCodeForm), defaultValues: { code: '' } });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async ({ code }) => {
    try {
      await onCode(code);
      form.reset();
    } catch (error) {
      // A wrong or used code empties the field: the next one is typed fresh.
      form.resetField('code');
      showServerError(form.setError, error, isCodeField);
    }
  });
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="form">
      <FormServerError title={errorTitle} error={errors.root?.server} />
      <TextField
        id={id}
        label={label}
        autoComplete="one-time-code"
        autoFocus
        hint="6 digits, new every 30 seconds"
        registration={form.register('code')}
        error={errors.code}
      />
      <button type="submit" className="button button-primary button-block" disabled={isSubmitting}>
        {isSubmitting ? busyLabel : submitLabel}
      </button>
    </form>
  );
}

const ZRecoveryCodeForm = z.object({ code: z.string().trim().min(1, 'Enter one of your recovery codes') });
type RecoveryCodeForm = z.infer<typeof ZRecoveryCodeForm>;

/** The way in when the phone is lost: one of the ten recovery codes, each good once. */
export function RecoveryCodeField({ onCode }: { onCode: (code: string) => Promise<void> }) {
  const form = useForm<RecoveryCodeForm>({ resolver: zodResolver(ZRecoveryCodeForm), defaultValues: { code: '' } });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async ({ code }) => {
    try {
      await onCode(code);
    } catch (error) {
      form.resetField('code');
      showServerError(form.setError, error, isCodeField);
    }
  });
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="form">
      <FormServerError title="Not signed in" error={errors.root?.server} />
      <TextField
        id="recovery-code"
        label="Recovery code"
        autoComplete="off"
        autoFocus
        hint="One of the ten codes you saved when you set up the app, like 7k2mq-x9c4d. Each works once."
        registration={form.register('code')}
        error={errors.code}
      />
      <button type="submit" className="button button-primary button-block" disabled={isSubmitting}>
        {isSubmitting ? 'Signing in…' : 'Sign in with recovery code'}
      </button>
    </form>
  );
}

/** The base32 secret in groups of four, easier to type into an app by hand. */
const groupsOfFour = (secret: string): string => secret.replace(/(.{4})/g, '$1 ').trim();

/**
 * Setting up an authenticator app: start (a new secret from the server), scan the QR code or type
 * the key, confirm with the first code. `onEnrolled` receives the recovery codes to show once.
 */
export function TotpEnrollment({ onEnrolled }: { onEnrolled: (result: { recoveryCodes: string[]; user: SessionUser }) => void }) {
  const begin = useMutation(trpc.auth.beginTotpEnrollment.mutationOptions());
  const confirm = useMutation(trpc.auth.confirmTotpEnrollment.mutationOptions());

  if (!begin.data) {
    return (
      <div className="form">
        {begin.isError ? <FormServerError title="The set-up did not start" error={{ message: begin.error.message }} /> : null}
        <p>
          You need an authenticator app on your phone (for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator). It
          shows a new 6-digit code every 30 seconds, which you type after your password.
        </p>
        <button type="button" className="button button-primary" disabled={begin.isPending} onClick={() => begin.mutate()}>
          {begin.isPending ? 'Starting…' : 'Set up authenticator app'}
        </button>
      </div>
    );
  }

  const { qrSvg, secret } = begin.data;
  return (
    <div className="totp-enrollment">
      <ol className="totp-steps">
        <li>
          <p>Scan this QR code with your authenticator app:</p>
          <img
            className="totp-qr"
            src={`data:image/svg+xml;utf8,${encodeURIComponent(qrSvg)}`}
            alt="QR code for your authenticator app"
            width={200}
            height={200}
          />
          <p>
            Or type this key into the app (time-based):{' '}
            <code className="totp-secret" aria-label="Secret key">
              {groupsOfFour(secret)}
            </code>
          </p>
        </li>
        <li>
          <p>Type the code the app shows now, to confirm it works:</p>
          <CodeField
            id="enroll-code"
            label="Code from the app"
            submitLabel="Confirm"
            busyLabel="Confirming…"
            errorTitle="The app is not set up yet"
            onCode={async (code) => onEnrolled(await confirm.mutateAsync({ code }))}
          />
        </li>
      </ol>
    </div>
  );
}

const ZSavedForm = z.object({ saved: z.boolean().refine((v) => v, 'Confirm that you saved the codes: they are not shown again') });
type SavedForm = z.infer<typeof ZSavedForm>;

/** The ten recovery codes, shown this once; the user confirms they saved them before going on. */
export function RecoveryCodesPanel({ codes, continueLabel, onDone }: { codes: string[]; continueLabel: string; onDone: () => void }) {
  const form = useForm<SavedForm>({ resolver: zodResolver(ZSavedForm), defaultValues: { saved: false } });
  const onSubmit = form.handleSubmit(() => onDone());
  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-heading">
      <h2 id="recovery-codes-heading">Your recovery codes</h2>
      <p>
        If you lose your phone, each of these codes lets you sign in once instead of a code from the app. Print them or keep them in your
        password manager. They are shown only now: Zweck keeps only a hash of each.
      </p>
      <ol className="recovery-code-list" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="form">
        <CheckboxField
          id="recovery-codes-saved"
          label="I have saved my recovery codes"
          registration={form.register('saved')}
          error={form.formState.errors.saved}
        />
        <button type="submit" className="button button-primary">
          {continueLabel}
        </button>
      </form>
    </section>
  );
}
