import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { ZChannel, ZLegalBasis } from '@zweck/policy';
import { useForm, useWatch, type FieldError } from 'react-hook-form';
import { Notice } from '../../components/feedback.tsx';
import {
  CheckboxField,
  CheckboxGroup,
  FormServerError,
  SelectField,
  showServerError,
  SubmitCancelActions,
  TextAreaField,
  TextField,
} from '../../components/form-fields.tsx';
import { label } from '../../lib/labels.ts';
import { trpc } from '../../lib/trpc.ts';
import {
  BALANCING_TEST_MIN_LENGTH,
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  isPurposeFormPath,
  LEGAL_BASIS_HINTS,
  STAFF_ROLE_LABELS,
  STAFF_ROLES,
  toPurposeInput,
  ZPurposeForm,
  type CatalogueField,
  type Purpose,
  type PurposeFormInput,
  type PurposeFormValues,
} from './catalogue.schema.ts';
import { invalidateCatalogue } from './use-catalogue.ts';

/**
 * The DPO's form for one purpose, new or existing. The same rules as the API check the values
 * before they are sent; what only the server knows (consents recorded meanwhile, a taken ID)
 * comes back beside its field.
 */
export function PurposeForm({
  initial,
  fields,
  consentEventCount,
  onSaved,
  onCancel,
}: {
  initial: PurposeFormInput;
  fields: readonly CatalogueField[];
  /** Consent events recorded for this purpose: once there is one, its legal basis is fixed. */
  consentEventCount: number;
  onSaved: (purpose: Purpose) => void | Promise<void>;
  onCancel: () => void;
}) {
  const form = useForm<PurposeFormInput, unknown, PurposeFormValues>({ resolver: zodResolver(ZPurposeForm), defaultValues: initial });
  const { errors, isSubmitting, isDirty } = form.formState;
  const [legalBasis, requiresDoubleOptIn] = useWatch({ control: form.control, name: ['legalBasis', 'requiresDoubleOptIn'] });
  const create = useMutation(trpc.purposes.create.mutationOptions());
  const update = useMutation(trpc.purposes.update.mutationOptions());
  const isNew = initial.isNew;
  const basisLocked = !isNew && consentEventCount > 0;
  const busy = isSubmitting || create.isPending || update.isPending;

  const onSubmit = form.handleSubmit(async (values) => {
    if (busy) return;
    try {
      const input = toPurposeInput(values);
      const saved = isNew ? await create.mutateAsync(input) : await update.mutateAsync(input);
      await invalidateCatalogue();
      form.reset(values);
      await onSaved(saved);
    } catch (error) {
      showServerError(form.setError, error, isPurposeFormPath);
    }
  });

  return (
    <form className="form catalogue-form" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="Purpose settings">
      <FormServerError title="The purpose was not saved" error={errors.root?.server} />

      <fieldset className="fieldset">
        <legend>Purpose</legend>
        {isNew ? (
          <TextField
            id="purpose-id"
            label="ID"
            required
            autoComplete="off"
            registration={form.register('id')}
            error={errors.id}
            hint="Names the purpose in the consent ledger, in decisions and in links such as /subscribe/<ID>. It cannot change later."
          />
        ) : null}
        <TextField id="purpose-name" label="Name" required autoComplete="off" registration={form.register('name')} error={errors.name} />
        <TextAreaField
          id="purpose-description"
          label="Description"
          required
          rows={2}
          registration={form.register('description')}
          error={errors.description}
          hint="Shown to people where their consent is asked and in the preference center (Art. 13(1)(c) GDPR)."
        />
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Legal basis</legend>
        {basisLocked ? (
          <div className="field">
            <span className="field-label">Legal basis</span>
            <p className="locked-value">
              <strong>{label(initial.legalBasis)}</strong>
            </p>
            <p className="field-hint" id="purpose-legal-basis-hint">
              {consentEventCount} consent {consentEventCount === 1 ? 'event was' : 'events were'} recorded on this basis, so it cannot be
              changed afterwards (Art. 6, 7 GDPR). For processing on another basis, create a new purpose.
            </p>
            {errors.legalBasis ? <p className="field-error">{errors.legalBasis.message}</p> : null}
          </div>
        ) : (
          <>
            <SelectField id="purpose-legal-basis" label="Legal basis" registration={form.register('legalBasis')} error={errors.legalBasis}>
              {ZLegalBasis.options.map((basis) => (
                <option key={basis} value={basis}>
                  {label(basis)}
                </option>
              ))}
            </SelectField>
            <p className="field-hint field-hint-after">{LEGAL_BASIS_HINTS[legalBasis]}</p>
          </>
        )}
        {legalBasis === 'legitimate_interest' ? (
          <TextAreaField
            id="purpose-balancing-test"
            label="Balancing test"
            required
            rows={5}
            registration={form.register('balancingTest')}
            error={errors.balancingTest}
            hint={`At least ${BALANCING_TEST_MIN_LENGTH} characters. Interest: what you pursue. Impact: what it means for the people, and what they can reasonably expect. Result: why your interest prevails. This is what you show the supervisory authority (Art. 5(2) GDPR).`}
          />
        ) : null}
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Channels and rules</legend>
        <CheckboxGroup
          id="purpose-channels"
          legend="Channels"
          options={ZChannel.options.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
          registration={form.register('channels')}
          error={errors.channels as FieldError | undefined}
        />
        <CheckboxField
          id="purpose-direct-marketing"
          label="Direct marketing"
          registration={form.register('isDirectMarketing')}
          error={errors.isDirectMarketing}
          hint="An objection to direct marketing ends this purpose for good, on every channel (Art. 21(2), (3) GDPR)."
        />
        <CheckboxField
          id="purpose-double-opt-in"
          label="Requires double opt-in"
          registration={form.register('requiresDoubleOptIn')}
          error={errors.requiresDoubleOptIn}
          hint="E-mail only after the person confirms from a mail sent to the address (UWG § 7(2) Nr. 2). Needs the basis consent and the e-mail channel."
        />
        {requiresDoubleOptIn ? (
          <div className="field-row">
            <TextField
              id="purpose-double-opt-in-hours"
              label="Confirmation deadline (hours)"
              type="number"
              registration={form.register('doubleOptInDeadlineHours')}
              error={errors.doubleOptInDeadlineHours}
              hint="An unconfirmed request expires after this time."
            />
          </div>
        ) : null}
        <CheckboxField
          id="purpose-existing-customer"
          label="Allows the existing-customer exception"
          registration={form.register('allowsExistingCustomerException')}
          error={errors.allowsExistingCustomerException}
          hint="Mail about your own similar products to customers who gave their address in a sale and may opt out in every message (UWG § 7(3)). Direct marketing by e-mail only."
        />
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Need to know</legend>
        <CheckboxGroup
          id="purpose-staff-roles"
          legend="Staff who work for this purpose"
          hint="Staff see a contact's fields only where their daily work needs them (need-to-know, Art. 5(1)(f), 32 GDPR): a role sees the fields of the purposes it works for, and every role sees the e-mail address. Administrators and the data protection officer see every field."
          options={STAFF_ROLES.map((role) => ({
            value: role,
            label: (
              <>
                {STAFF_ROLE_LABELS[role].label} <span className="muted small">· {STAFF_ROLE_LABELS[role].hint}</span>
              </>
            ),
          }))}
          registration={form.register('staffRoles')}
          error={errors.staffRoles as FieldError | undefined}
        />
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Data and retention</legend>
        <CheckboxGroup
          id="purpose-fields"
          legend="Fields this purpose may use"
          hint="Only what the purpose needs (data minimisation, Art. 5(1)(c) GDPR). Processing outside this list is refused."
          options={fields.map((f) => ({
            value: f.key,
            label: (
              <>
                {f.label} <span className="muted small">· {CATEGORY_LABELS[f.category].label}</span>
              </>
            ),
          }))}
          registration={form.register('fields')}
          error={errors.fields as FieldError | undefined}
        />
        <div className="field-row">
          <TextField
            id="purpose-retention"
            label="Retention (months)"
            type="number"
            registration={form.register('retentionMonths')}
            error={errors.retentionMonths}
            hint="How long data kept for this purpose may stay once its basis ends (1 to 600). Empty: not decided yet."
          />
        </div>
      </fieldset>

      {!isNew && isDirty && legalBasis !== initial.legalBasis ? (
        <Notice tone="warning">
          <p>You are changing the legal basis. That is possible only while no consent has been recorded for this purpose.</p>
        </Notice>
      ) : null}

      <SubmitCancelActions
        busy={busy}
        submitLabel={isNew ? 'Create purpose' : 'Save purpose'}
        onCancel={() => {
          form.reset(initial);
          onCancel();
        }}
      />
    </form>
  );
}
