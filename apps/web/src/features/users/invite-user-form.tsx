import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { FormServerError, SelectField, showServerError, TextField } from '../../components/form-fields.tsx';
import { label } from '../../lib/labels.ts';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';

export const ROLES = ['marketer', 'sales', 'dpo', 'admin'] as const;
export type UserRow = RouterOutputs['users']['list'][number];

const ZInviteForm = z.object({
  email: z.string().trim().min(1, 'Enter the e-mail address').pipe(z.email('Enter a valid e-mail address')),
  displayName: z.string().trim().min(1, 'Enter a name').max(200, 'At most 200 characters'),
  role: z.enum(ROLES, 'Choose a role'),
  managerId: z.string(),
});
type InviteForm = z.infer<typeof ZInviteForm>;

const FIELDS = new Set(['email', 'displayName', 'role', 'managerId']);
const isField = (path: string): path is keyof InviteForm => FIELDS.has(path);

export const invalidateUsers = () => queryClient.invalidateQueries(trpc.users.pathFilter());

/** Active sales users who have set a password: the managers a sales user can have. */
export const salesManagers = (users: readonly UserRow[], except?: string): UserRow[] =>
  users.filter((u) => u.role === 'sales' && u.isActive && u.id !== except);

/** A new account: name, address and role; the answer is the one-time link the person sets a password with. */
export function InviteUserForm({
  users,
  onInvited,
}: {
  users: readonly UserRow[];
  onInvited: (invited: { displayName: string; url: string; expiresAt: string | Date }) => void;
}) {
  const form = useForm<InviteForm>({
    resolver: zodResolver(ZInviteForm),
    defaultValues: { email: '', displayName: '', role: 'marketer', managerId: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const create = useMutation(trpc.users.create.mutationOptions());
  const role = useWatch({ control: form.control, name: 'role' });
  const managers = salesManagers(users);

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const created = await create.mutateAsync({
        email: values.email,
        displayName: values.displayName,
        role: values.role,
        ...(values.role === 'sales' ? { managerId: values.managerId === '' ? null : values.managerId } : {}),
      });
      onInvited({ displayName: values.displayName, url: created.invitationUrl, expiresAt: created.expiresAt });
      form.reset();
      await invalidateUsers();
    } catch (error) {
      showServerError(form.setError, error, isField);
    }
  });

  const busy = isSubmitting || create.isPending;
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="form" aria-label="Invite user">
      <FormServerError title="The user was not invited" error={errors.root?.server} />
      <TextField
        id="invite-name"
        label="Name"
        required
        autoComplete="off"
        registration={form.register('displayName')}
        error={errors.displayName}
      />
      <TextField
        id="invite-email"
        label="Work e-mail"
        type="email"
        required
        autoComplete="off"
        hint="They sign in with this address."
        registration={form.register('email')}
        error={errors.email}
      />
      <SelectField id="invite-role" label="Role" registration={form.register('role')} error={errors.role}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {label(r)}
          </option>
        ))}
      </SelectField>
      {role === 'sales' ? (
        <SelectField id="invite-manager" label="Sales manager" registration={form.register('managerId')} error={errors.managerId}>
          <option value="">No manager</option>
          {managers.map((m) => (
            <option key={m.id} value={m.id}>
              {m.displayName}
            </option>
          ))}
        </SelectField>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Inviting…' : 'Invite user'}
        </button>
        <p className="form-actions-note muted small">
          The account has no password until the person sets one with the link. Sales users receive leads at once (territories are set on the
          Scoring page).
        </p>
      </div>
    </form>
  );
}
