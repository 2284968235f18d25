import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm, useWatch, type Control, type FieldError, type UseFormRegister } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { SelectField, TextField } from '../../components/form-fields.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { toDateTimeLocalValue } from '../../lib/datetime.ts';
import { appCodeOf, describeError, fieldErrorsOf, fieldOf } from '../../lib/errors.ts';
import { shorten } from '../../lib/labels.ts';
import { queryClient, trpc } from '../../lib/trpc.ts';
import { usePurposes, type Purpose } from '../purposes/use-purposes.ts';
import {
  isFormPath,
  METHOD_LABELS,
  NEWSLETTER,
  STAFF_METHODS,
  toCreateContactInput,
  ZNewContactForm,
  type NewContactFormInput,
  type NewContactFormValues,
} from './new-contact.schema.ts';

export function NewContactPage() {
  const purposes = usePurposes();
  return (
    <>
      <title>New contact · Zweck</title>
      <PageHeader
        title="New contact"
        subtitle="Add a person you met or spoke to. If they agreed to hear from you, record the consent with its proof."
      />
      {purposes.isPending ? (
        <Loading label="Loading the purpose catalogue…" />
      ) : purposes.isError ? (
        <ErrorNotice title="The purpose catalogue could not be loaded" error={purposes.error} onRetry={() => void purposes.refetch()} />
      ) : (
        <NewContactForm newsletter={purposes.byId.get(NEWSLETTER.purposeId) ?? null} />
      )}
    </>
  );
}

type Wording = Purpose['wordings'][number];

function NewContactForm({ newsletter }: { newsletter: Purpose | null }) {
  const navigate = useNavigate();
  // Versions newest first (the API orders them so); the newest is what people see today.
  const versions = useMemo(() => [...new Set((newsletter?.wordings ?? []).map((w) => w.version))], [newsletter]);
  const [initialGrantedAt] = useState(() => toDateTimeLocalValue(new Date()));
  const [maxGrantedAt] = useState(() => toDateTimeLocalValue(new Date(Date.now() + 60_000)));

  const form = useForm<NewContactFormInput, unknown, NewContactFormValues>({
    resolver: zodResolver(ZNewContactForm),
    defaultValues: {
      email: '',
      firstName: '',
      lastName: '',
      hasConsent: false,
      consent: { method: '', wordingVersion: versions[0] ?? '', wordingLanguage: 'en', grantedAt: initialGrantedAt, source: '' },
    },
  });
  const { errors, isSubmitting } = form.formState;
  const hasConsent = useWatch({ control: form.control, name: 'hasConsent' });

  const create = useMutation(trpc.contacts.create.mutationOptions());

  /** Errors the server names go beside their field; the rest above the form. */
  const showServerError = (error: unknown): void => {
    let placed = false;
    const field = fieldOf(error);
    if (field && isFormPath(field)) {
      form.setError(
        field,
        { type: appCodeOf(error) === 'CONTACT_EMAIL_TAKEN' ? 'conflict' : 'server', message: describeError(error) },
        { shouldFocus: true },
      );
      placed = true;
    }
    for (const [key, messages] of Object.entries(fieldErrorsOf(error) ?? {})) {
      const message = messages?.[0];
      if (!message) continue;
      if (isFormPath(key)) form.setError(key, { type: 'server', message }, { shouldFocus: !placed });
      else form.setError('root.consent', { type: 'server', message });
      placed = true;
    }
    if (!placed) form.setError('root.server', { type: 'server', message: describeError(error) });
  };

  const onSubmit = form.handleSubmit(async (values) => {
    if (create.isPending) return; // a second click while the first is on its way does nothing
    try {
      const created = await create.mutateAsync(toCreateContactInput(values));
      await queryClient.invalidateQueries(trpc.contacts.pathFilter());
      await navigate(`/contacts/${created.id}`, { state: { created: true, automation: created.automation } });
    } catch (error) {
      showServerError(error);
    }
  });

  const busy = isSubmitting || create.isPending;
  const emailTaken = errors.email?.type === 'conflict';

  return (
    <form className="form form-card" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy}>
      {errors.root?.server ? (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">The contact was not saved</p>
          <p>{errors.root.server.message}</p>
        </div>
      ) : null}

      <fieldset className="fieldset">
        <legend>Person</legend>
        <TextField
          id="contact-email"
          label="E-mail"
          type="email"
          autoComplete="off"
          required
          registration={form.register('email')}
          error={errors.email}
        >
          {emailTaken ? (
            <Link to={`/contacts?q=${encodeURIComponent(form.getValues('email'))}`} className="field-error-link">
              Find the existing contact
            </Link>
          ) : null}
        </TextField>
        <div className="field-row">
          <TextField
            id="contact-first-name"
            label="First name"
            autoComplete="off"
            registration={form.register('firstName')}
            error={errors.firstName}
          />
          <TextField
            id="contact-last-name"
            label="Last name"
            autoComplete="off"
            registration={form.register('lastName')}
            error={errors.lastName}
          />
        </div>
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Consent</legend>
        {newsletter === null || versions.length === 0 ? (
          <Notice tone="warning">
            <p>
              The purpose catalogue has no newsletter wording, so consent cannot be recorded here. Ask your data protection officer to add
              one.
            </p>
          </Notice>
        ) : (
          <>
            <div className="checkbox-field">
              <input
                id="contact-has-consent"
                type="checkbox"
                aria-controls="consent-proof"
                aria-expanded={hasConsent}
                {...form.register('hasConsent')}
              />
              <label htmlFor="contact-has-consent">Consent to the newsletter by e-mail</label>
            </div>
            <p className="field-hint">
              Tick this only if the person actively agreed. Without consent Zweck keeps the contact, but sends no newsletter or other direct
              marketing by e-mail.
            </p>
            {errors.root?.consent ? (
              <p className="field-error" role="alert">
                {errors.root.consent.message}
              </p>
            ) : null}
            {hasConsent ? (
              <ConsentProofFields
                control={form.control}
                newsletter={newsletter}
                versions={versions}
                maxGrantedAt={maxGrantedAt}
                register={form.register}
                errors={errors.consent}
              />
            ) : null}
          </>
        )}
      </fieldset>

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save contact'}
        </button>
        <Link to="/contacts" className="button button-secondary">
          Cancel
        </Link>
      </div>
    </form>
  );
}

type ConsentErrors = Partial<Record<keyof NewContactFormInput['consent'], FieldError>> | undefined;

function ConsentProofFields({
  control,
  newsletter,
  versions,
  maxGrantedAt,
  register,
  errors,
}: {
  control: Control<NewContactFormInput, unknown, NewContactFormValues>;
  newsletter: Purpose;
  versions: string[];
  maxGrantedAt: string;
  register: UseFormRegister<NewContactFormInput>;
  errors: ConsentErrors;
}) {
  const [version, language] = useWatch({ control, name: ['consent.wordingVersion', 'consent.wordingLanguage'] });
  const wording: Wording | undefined = newsletter.wordings.find((w) => w.version === version && w.language === language);

  return (
    <div id="consent-proof" className="proof">
      <p className="proof-intro">
        <strong>Proof of consent.</strong> Record how, when and where the person agreed, and to which wording. This is what you show if
        anyone asks (Art. 7(1) GDPR).
      </p>

      <div className="field-row">
        <SelectField id="consent-method" label="How was consent given?" registration={register('consent.method')} error={errors?.method}>
          <option value="">Choose…</option>
          {STAFF_METHODS.map((m) => (
            <option key={m} value={m}>
              {METHOD_LABELS[m]}
            </option>
          ))}
        </SelectField>
        <TextField
          id="consent-granted-at"
          label="When was consent given?"
          type="datetime-local"
          max={maxGrantedAt}
          registration={register('consent.grantedAt')}
          error={errors?.grantedAt}
          hint="Your local time."
        />
      </div>

      <div className="field-row">
        <SelectField
          id="consent-wording-version"
          label="Wording version"
          registration={register('consent.wordingVersion')}
          error={errors?.wordingVersion}
        >
          {versions.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </SelectField>
        <SelectField
          id="consent-wording-language"
          label="Wording language"
          registration={register('consent.wordingLanguage')}
          error={errors?.wordingLanguage}
        >
          <option value="en">English</option>
          <option value="de">Deutsch</option>
        </SelectField>
      </div>

      <figure className="wording" aria-live="polite">
        <figcaption>The person agreed to this text:</figcaption>
        {wording ? (
          <>
            <blockquote lang={wording.language}>{wording.text}</blockquote>
            <p className="wording-meta">
              {newsletter.name} · version {wording.version} · <span title={wording.textHash}>{shorten(wording.textHash, 16)}</span>
            </p>
          </>
        ) : (
          <p className="field-error">There is no wording for this version in this language. Choose another version or language.</p>
        )}
      </figure>

      <TextField
        id="consent-source"
        label="Where was consent given?"
        registration={register('consent.source')}
        error={errors?.source}
        hint="For example “Trade fair Berlin, stand 12”, “Phone call with customer service”, or a paper form’s reference."
      />
    </div>
  );
}
