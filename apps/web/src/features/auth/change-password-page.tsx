import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { Notice } from '../../components/feedback.tsx';
import { FormServerError, showServerError, TextField } from '../../components/form-fields.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { trpc } from '../../lib/trpc.ts';

// The length rule is repeated here for a quick answer; the server checks it again, with the list
// of common passwords and the e-mail rule, which stay on the server.
const ZChangePasswordForm = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password'),
    newPassword: z.string().min(12, 'Use at least 12 characters').max(128, 'Use at most 128 characters'),
    repeatPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.repeatPassword, { path: ['repeatPassword'], message: 'The two new passwords differ' });
type ChangePasswordForm = z.infer<typeof ZChangePasswordForm>;

const FIELDS = new Set(['currentPassword', 'newPassword']);
const isField = (path: string): path is 'currentPassword' | 'newPassword' => FIELDS.has(path);

/** The signed-in user's own password: the current one, then a new one (twice). */
export function ChangePasswordPage() {
  const form = useForm<ChangePasswordForm>({
    resolver: zodResolver(ZChangePasswordForm),
    defaultValues: { currentPassword: '', newPassword: '', repeatPassword: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const change = useMutation(trpc.auth.changePassword.mutationOptions());

  const onSubmit = form.handleSubmit(async ({ currentPassword, newPassword }) => {
    try {
      await change.mutateAsync({ currentPassword, newPassword });
      form.reset();
    } catch (error) {
      showServerError(form.setError, error, isField);
    }
  });

  const busy = isSubmitting || change.isPending;
  return (
    <>
      <title>Change password · Zweck</title>
      <PageHeader
        title="Change password"
        subtitle="At least 12 characters; a few unrelated words are long and easy to remember. Common passwords and your e-mail address are refused."
      />
      {change.isSuccess ? (
        <Notice tone="success" title="Password changed">
          Your other sessions ({change.data.otherSessionsEnded}) were signed out.
        </Notice>
      ) : null}
      <FormServerError title="The password was not changed" error={errors.root?.server} />
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="form">
        <TextField
          id="current-password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          registration={form.register('currentPassword')}
          error={errors.currentPassword}
        />
        <TextField
          id="new-password"
          label="New password"
          type="password"
          autoComplete="new-password"
          registration={form.register('newPassword')}
          error={errors.newPassword}
        />
        <TextField
          id="repeat-password"
          label="New password again"
          type="password"
          autoComplete="new-password"
          registration={form.register('repeatPassword')}
          error={errors.repeatPassword}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Change password'}
          </button>
        </div>
      </form>
    </>
  );
}
