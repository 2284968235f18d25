import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { Badge } from '../../components/badge.tsx';
import { ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { FormServerError, showServerError, TextField } from '../../components/form-fields.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { trpc } from '../../lib/trpc.ts';
import { CodeField, RecoveryCodesPanel, TotpEnrollment } from './second-factor.tsx';

const ZDisableForm = z.object({ password: z.string().min(1, 'Enter your password') });
type DisableForm = z.infer<typeof ZDisableForm>;
const isPasswordField = (path: string): path is 'password' => path === 'password';

/**
 * The signed-in user's own second factor: whether it is set up, how many recovery codes are left,
 * new codes (with a current code as proof), and switching it off where the role allows.
 */
export function SecurityPage() {
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.secondFactor.queryOptions());
  const [shownCodes, setShownCodes] = useState<string[] | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.auth.secondFactor.pathFilter());
  const regenerate = useMutation(trpc.auth.regenerateRecoveryCodes.mutationOptions({ onSuccess: () => void refresh() }));

  return (
    <>
      <title>Security · Zweck</title>
      <PageHeader title="Security" subtitle="Your second factor: a code from an authenticator app after your password." />
      {status.isPending ? <Loading /> : null}
      {status.isError ? <ErrorNotice error={status.error} onRetry={() => void status.refetch()} /> : null}
      {shownCodes ? (
        <Section id="new-codes" title="New recovery codes">
          <RecoveryCodesPanel codes={shownCodes} continueLabel="Done" onDone={() => setShownCodes(null)} />
        </Section>
      ) : status.data ? (
        <>
          <Section id="second-factor" title="Second factor">
            <dl className="facts">
              <dt>Authenticator app</dt>
              <dd>{status.data.status === 'enrolled' ? <Badge tone="success">Set up</Badge> : <Badge tone="warning">Not set up</Badge>}</dd>
              <dt>Required for your role</dt>
              <dd>{status.data.required ? 'Yes: administrators and data protection officers always need it.' : 'No, but recommended.'}</dd>
              {status.data.status === 'enrolled' ? (
                <>
                  <dt>Recovery codes left</dt>
                  <dd>{status.data.recoveryCodesLeft} of 10</dd>
                </>
              ) : null}
            </dl>
            {status.data.status === 'enrolled' && status.data.recoveryCodesLeft <= 3 ? (
              <Notice tone="warning" title="Few recovery codes left">
                Make new ones below, so that a lost phone does not lock you out.
              </Notice>
            ) : null}
          </Section>

          {status.data.status === 'not_enrolled' ? (
            <Section id="enroll" title="Set up an authenticator app">
              <TotpEnrollment
                onEnrolled={({ recoveryCodes }) => {
                  setShownCodes(recoveryCodes);
                  void refresh();
                }}
              />
            </Section>
          ) : (
            <Section
              id="regenerate"
              title="New recovery codes"
              description="Makes ten new codes; the old ones stop working. Confirm with a current code from the app."
            >
              <CodeField
                id="regenerate-code"
                label="Code from the app"
                submitLabel="Make new recovery codes"
                busyLabel="Making codes…"
                errorTitle="No new codes were made"
                onCode={async (code) => setShownCodes((await regenerate.mutateAsync({ code })).recoveryCodes)}
              />
            </Section>
          )}

          {status.data.status === 'enrolled' && !status.data.required ? <DisableSecondFactor onDisabled={() => void refresh()} /> : null}
        </>
      ) : null}
    </>
  );
}

function DisableSecondFactor({ onDisabled }: { onDisabled: () => void }) {
  const form = useForm<DisableForm>({ resolver: zodResolver(ZDisableForm), defaultValues: { password: '' } });
  const { errors, isSubmitting } = form.formState;
  const disable = useMutation(trpc.auth.disableTotp.mutationOptions({ onSuccess: onDisabled }));
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await disable.mutateAsync(values);
    } catch (error) {
      form.resetField('password');
      showServerError(form.setError, error, isPasswordField);
    }
  });
  return (
    <Section id="disable" title="Switch off" description="Your password proves it is you. Signing in then needs the password only.">
      <FormServerError title="The second factor is still on" error={errors.root?.server} />
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="form">
        <TextField
          id="disable-password"
          label="Your password"
          type="password"
          autoComplete="current-password"
          registration={form.register('password')}
          error={errors.password}
        />
        <div className="form-actions">
          <button type="submit" className="button button-danger" disabled={isSubmitting}>
            {isSubmitting ? 'Switching off…' : 'Switch off second factor'}
          </button>
        </div>
      </form>
    </Section>
  );
}
