import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { FormServerError, SelectField, showServerError, TextAreaField } from '../../components/form-fields.tsx';
import { Time } from '../../components/time.tsx';
import { trpc, type RouterOutputs } from '../../lib/trpc.ts';
import {
  ACCESS_REASON_LABELS,
  ACCESS_REASONS,
  toOpenContactInput,
  ZOpenContactForm,
  type OpenContactForm,
  type OpenContactFormInput,
} from './contact-access.schema.ts';

const isField = (path: string): path is 'reason' | 'note' => path === 'reason' || path === 'note';

/**
 * Need to know (issue 6): a marketer says why they open one contact before they see it. The API
 * logs the reason; it holds for 8 hours for this user and this contact. Closing the dialog goes
 * back to the list: the contact's data is not shown without a reason.
 */
export function OpenContactDialog({ contactId, onOpened }: { contactId: string; onOpened: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const navigate = useNavigate();
  const open = useMutation(trpc.contacts.open.mutationOptions());
  const form = useForm<OpenContactFormInput, unknown, OpenContactForm>({
    resolver: zodResolver(ZOpenContactForm),
    defaultValues: { reason: '', note: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const reason = useWatch({ control: form.control, name: 'reason' });

  useEffect(() => {
    // No cleanup: an unmounted <dialog> leaves the top layer by itself.
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await open.mutateAsync(toOpenContactInput(contactId, values));
      onOpened();
    } catch (error) {
      showServerError(form.setError, error, isField);
    }
  });
  const busy = isSubmitting || open.isPending;

  return (
    <dialog
      ref={dialog}
      className="modal"
      aria-labelledby="open-contact-title"
      aria-describedby="open-contact-text"
      onCancel={(event) => {
        event.preventDefault();
        void navigate('/contacts');
      }}
    >
      <h2 id="open-contact-title">Why do you open this contact?</h2>
      <p id="open-contact-text">
        Marketers work with lists and segments; opening one person’s record needs a reason. It is logged with your name, and lets you open
        this contact for 8 hours.
      </p>
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="form">
        <FormServerError title="The contact was not opened" error={errors.root?.server} />
        <SelectField id="open-contact-reason" label="Reason" registration={form.register('reason')} error={errors.reason}>
          <option value="">Choose a reason…</option>
          {ACCESS_REASONS.map((r) => (
            <option key={r} value={r}>
              {ACCESS_REASON_LABELS[r]}
            </option>
          ))}
        </SelectField>
        <TextAreaField
          id="open-contact-note"
          label="Note"
          rows={3}
          required={reason === 'other'}
          hint="A ticket number or a few words (needed for another reason); no personal details."
          registration={form.register('note')}
          error={errors.note}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Opening…' : 'Open the contact'}
          </button>
          <button type="button" className="button button-secondary" onClick={() => void navigate('/contacts')} disabled={busy}>
            Back to contacts
          </button>
        </div>
      </form>
    </dialog>
  );
}

type Access = RouterOutputs['contacts']['get']['access'];

/** On what ground the page is open, where it is a time-limited one: "Opened for: …, until …". */
export function AccessNote({ access }: { access: Access }) {
  if (access.reason !== null) {
    return (
      <p className="access-note small muted" role="note">
        Opened for: {ACCESS_REASON_LABELS[access.reason]}, until <Time value={access.expiresAt} />
      </p>
    );
  }
  if (access.basis === 'creator') {
    return (
      <p className="access-note small muted" role="note">
        Opened as the person who created this record, until <Time value={access.expiresAt} />
      </p>
    );
  }
  return null;
}
