import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { get, useForm, useWatch, type Control, type FieldError, type UseFormRegister } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { FormServerError, SelectField, TextField } from '../../components/form-fields.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { toDateTimeLocalValue } from '../../lib/datetime.ts';
import { appCodeOf } from '../../lib/errors.ts';
import { shorten } from '../../lib/labels.ts';
import { queryClient, trpc } from '../../lib/trpc.ts';
import { useDebouncedValue } from '../../lib/use-debounced-value.ts';
import { useSessionUser } from '../auth/session.tsx';
import { usePurposes, type Purpose } from '../purposes/use-purposes.ts';
import { attributeFields, type CatalogueField } from './contact-fields.ts';
import { ContactValueFields } from './contact-value-fields.tsx';
import { emptyContactValues, toDuplicateProbe, type DuplicateProbe } from './contact-values.schema.ts';
import { HiddenFieldsNote } from './hidden-fields-note.tsx';
import { fieldsHiddenFrom } from './hidden-fields.ts';
import { DuplicateCandidateList, possibleDuplicateSentence, type DuplicateCandidate } from './duplicate-candidates.tsx';
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
import { showServerError } from './server-errors.ts';
import { useFieldCatalogue } from './use-field-catalogue.ts';

/** How long typing has to pause before the duplicate check asks the server. */
const DUPLICATE_CHECK_DELAY_MS = 400;

export function NewContactPage() {
  const user = useSessionUser();
  const purposes = usePurposes();
  const fields = useFieldCatalogue();
  return (
    <>
      <title>New contact · Zweck</title>
      <PageHeader
        title="New contact"
        subtitle="Add a person you met or spoke to. If they agreed to hear from you, record the consent with its proof."
      />
      {purposes.isPending || fields.isPending ? (
        <Loading label="Loading the purpose and field catalogues…" />
      ) : purposes.isError ? (
        <ErrorNotice title="The purpose catalogue could not be loaded" error={purposes.error} onRetry={() => void purposes.refetch()} />
      ) : (
        <>
          {fields.isError ? (
            <Notice tone="warning" title="The field catalogue could not be loaded">
              <p>Only the built-in fields are shown. Reload the page to get the others.</p>
            </Notice>
          ) : null}
          <NewContactForm
            newsletter={purposes.byId.get(NEWSLETTER.purposeId) ?? null}
            catalogue={fields.data ?? []}
            hiddenKeys={fieldsHiddenFrom(user.role, fields.data ?? [], purposes.data ?? [])}
          />
        </>
      )}
    </>
  );
}

type Wording = Purpose['wordings'][number];

/** The probe as a string: a stable value to debounce and to compare (objects are new on every render). */
const probeKey = (probe: DuplicateProbe | null): string => JSON.stringify(probe);

function NewContactForm({
  newsletter,
  catalogue,
  hiddenKeys,
}: {
  newsletter: Purpose | null;
  catalogue: readonly CatalogueField[];
  /** Fields the user's role does not see (need-to-know): not offered, since the API refuses them. */
  hiddenKeys: readonly string[];
}) {
  const navigate = useNavigate();
  // Versions newest first (the API orders them so); the newest is what people see today.
  const versions = useMemo(() => [...new Set((newsletter?.wordings ?? []).map((w) => w.version))], [newsletter]);
  const [initialGrantedAt] = useState(() => toDateTimeLocalValue(new Date()));
  const [maxGrantedAt] = useState(() => toDateTimeLocalValue(new Date(Date.now() + 60_000)));
  // Fixed once the form shows, so that a catalogue refetch never adds or drops inputs under the user's hands.
  const [shownFields] = useState(() => attributeFields(catalogue).filter((f) => !hiddenKeys.includes(f.key)));

  const form = useForm<NewContactFormInput, unknown, NewContactFormValues>({
    resolver: zodResolver(ZNewContactForm),
    defaultValues: {
      ...emptyContactValues(shownFields.map((f) => f.key)),
      hasConsent: false,
      consent: {
        method: '',
        wordingVersion: newsletter?.wordings.find((w) => w.language === 'en')?.version ?? '',
        wordingLanguage: 'en',
        grantedAt: initialGrantedAt,
        source: '',
      },
    },
  });
  const { errors, isSubmitting } = form.formState;
  const { setValue } = form;
  const selectVersion = useCallback((version: string) => setValue('consent.wordingVersion', version), [setValue]);
  const hasConsent = useWatch({ control: form.control, name: 'hasConsent' });
  const hasPath = (path: string): boolean => isFormPath(path) || shownFields.some((f) => path === `attributes.${f.key}`);

  // The live duplicate check: what has been typed so far, once typing pauses.
  const [email, firstName, lastName, phone, organization] = useWatch({
    control: form.control,
    name: ['email', 'firstName', 'lastName', 'phone', 'organization'],
  });
  const currentKey = probeKey(toDuplicateProbe({ email, firstName, lastName, phone, organization }));
  const debouncedKey = useDebouncedValue(currentKey, DUPLICATE_CHECK_DELAY_MS);
  const probe = JSON.parse(debouncedKey) as DuplicateProbe | null;
  const liveCheck = useQuery({
    ...trpc.contacts.checkDuplicates.queryOptions(probe ?? {}),
    enabled: probe !== null,
    staleTime: 10_000,
  });
  const liveCandidates = probe !== null && debouncedKey === currentKey ? (liveCheck.data ?? []) : [];

  // The server found possible duplicates on saving: shown with "Save anyway" until the values they were found for change.
  const [confirm, setConfirm] = useState<{ key: string; candidates: DuplicateCandidate[] } | null>(null);
  const needsConfirmation = confirm !== null && confirm.key === currentKey;
  const confirmRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (needsConfirmation) confirmRef.current?.focus();
  }, [needsConfirmation]);

  const create = useMutation(trpc.contacts.create.mutationOptions());

  const save = async (values: NewContactFormValues, allowPossibleDuplicate: boolean): Promise<void> => {
    if (create.isPending) return; // a second click while the first is on its way does nothing
    try {
      const created = await create.mutateAsync(toCreateContactInput(values, { allowPossibleDuplicate }));
      await queryClient.invalidateQueries(trpc.contacts.pathFilter());
      await navigate(`/contacts/${created.id}`, { state: { created: true, automation: created.automation } });
    } catch (error) {
      if (appCodeOf(error) === 'POSSIBLE_DUPLICATE') {
        const submitted = toDuplicateProbe(values);
        const candidates = await queryClient
          .fetchQuery({ ...trpc.contacts.checkDuplicates.queryOptions(submitted ?? {}), staleTime: 0 })
          .catch(() => []);
        setConfirm({ key: probeKey(submitted), candidates });
        return;
      }
      showServerError(form, error, hasPath);
    }
  };
  const onSubmit = form.handleSubmit((values) => save(values, false));
  const onSaveAnyway = form.handleSubmit((values) => save(values, true));

  const busy = isSubmitting || create.isPending;
  const emailTaken = errors.email?.type === 'conflict';

  return (
    <form className="form form-card" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy}>
      <FormServerError title="The contact was not saved" error={errors.root?.server} />

      <fieldset className="fieldset">
        <legend>Person</legend>
        <ContactValueFields
          idPrefix="contact"
          catalogue={catalogue}
          attributeFields={shownFields}
          hiddenKeys={hiddenKeys}
          register={(path) => form.register(path)}
          errorAt={(path) => get<typeof errors, FieldError | undefined>(errors, path)}
          emailAddon={
            emailTaken ? (
              <Link to={`/contacts?q=${encodeURIComponent(form.getValues('email'))}`} className="field-error-link">
                Find the existing contact
              </Link>
            ) : null
          }
        />
        <HiddenFieldsNote hiddenFields={hiddenKeys} catalogue={catalogue} />
        <div aria-live="polite">
          {liveCandidates.length > 0 && !needsConfirmation ? (
            <section className="duplicate-hint" aria-labelledby="live-duplicates-heading">
              <h3 id="live-duplicates-heading">Possible duplicates</h3>
              <p className="small">
                Zweck may know this person already. Open a record to check; if it is the same person, add what you know there instead.
              </p>
              <DuplicateCandidateList candidates={liveCandidates} newTab />
            </section>
          ) : null}
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
            {hasConsent ? (
              <ConsentProofFields
                control={form.control}
                newsletter={newsletter}
                versions={versions}
                onVersionUnavailable={selectVersion}
                maxGrantedAt={maxGrantedAt}
                register={form.register}
                errors={errors.consent}
              />
            ) : null}
          </>
        )}
      </fieldset>

      {needsConfirmation ? (
        <div className="notice notice-warning duplicate-confirm" role="alert" tabIndex={-1} ref={confirmRef}>
          <p className="notice-title">Is this one of these people?</p>
          <p>{possibleDuplicateSentence(confirm.candidates)}</p>
          <DuplicateCandidateList candidates={confirm.candidates} newTab />
          <button type="button" className="button button-primary" onClick={() => void onSaveAnyway()} disabled={busy}>
            {busy ? 'Saving…' : 'Save anyway, this is another person'}
          </button>
        </div>
      ) : null}

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy || needsConfirmation}>
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
  onVersionUnavailable,
}: {
  control: Control<NewContactFormInput, unknown, NewContactFormValues>;
  newsletter: Purpose;
  versions: string[];
  onVersionUnavailable: (version: string) => void;
  maxGrantedAt: string;
  register: UseFormRegister<NewContactFormInput>;
  errors: ConsentErrors;
}) {
  const [version, language] = useWatch({ control, name: ['consent.wordingVersion', 'consent.wordingLanguage'] });
  const wording: Wording | undefined = newsletter.wordings.find((w) => w.version === version && w.language === language);
  // A new version may exist in one language only: offer the versions of the chosen language,
  // newest first (the API orders wordings by creation), and move to its newest when switching.
  const inLanguage = useMemo(
    () => versions.filter((v) => newsletter.wordings.some((w) => w.version === v && w.language === language)),
    [versions, newsletter, language],
  );
  useEffect(() => {
    const newest = inLanguage[0];
    if (newest !== undefined && !inLanguage.includes(version)) onVersionUnavailable(newest);
  }, [inLanguage, version, onVersionUnavailable]);

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
          {inLanguage.map((v) => (
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
