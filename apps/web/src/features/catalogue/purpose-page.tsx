import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useParams } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { FormServerError, SelectField, showServerError, TextAreaField } from '../../components/form-fields.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import { Time } from '../../components/time.tsx';
import { label, shorten } from '../../lib/labels.ts';
import { trpc } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { CatalogueNav } from './catalogue-nav.tsx';
import {
  currentWordings,
  STAFF_ROLE_LABELS,
  toPurposeForm,
  WORDING_LANGUAGES,
  ZWordingForm,
  type CatalogueField,
  type Purpose,
  type WordingFormValues,
} from './catalogue.schema.ts';
import { PurposeForm } from './purpose-form.tsx';
import { PurposeRuleBadges } from './purposes-page.tsx';
import { invalidateCatalogue, useFields } from './use-catalogue.ts';

export function PurposePage() {
  const { id = '' } = useParams();
  const purpose = useQuery({ ...trpc.purposes.get.queryOptions({ id }), staleTime: 0 });
  const fields = useFields();

  if (purpose.isPending) return <Loading label="Loading the purpose…" />;
  if (purpose.isError) {
    return (
      <RecordLoadError
        noun="Purpose"
        error={purpose.error}
        notFoundCode="PURPOSE_NOT_FOUND"
        back={<Link to="/catalogue/purposes">Back to the catalogue</Link>}
        onRetry={() => void purpose.refetch()}
      />
    );
  }
  return <PurposeView key={purpose.data.id} purpose={purpose.data} fields={fields.data ?? []} fieldsError={fields.error} />;
}

function PurposeView({ purpose, fields, fieldsError }: { purpose: Purpose; fields: CatalogueField[]; fieldsError: unknown }) {
  const user = useSessionUser();
  const canEdit = can(user.role, 'catalogue.edit');
  const [saved, setSaved] = useState(false);

  return (
    <>
      <title>{`${purpose.name} · Catalogue · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/catalogue/purposes">Catalogue</Link> <span aria-hidden="true">/</span> <span aria-current="page">{purpose.name}</span>
      </nav>
      <PageHeader
        title={purpose.name}
        subtitle={purpose.description}
        meta={
          <dl className="inline-facts">
            <div>
              <dt>ID</dt>
              <dd className="mono">{purpose.id}</dd>
            </div>
            <div>
              <dt>Legal basis</dt>
              <dd>{label(purpose.legalBasis)}</dd>
            </div>
            <div>
              <dt>Consent events</dt>
              <dd>{purpose.consentEventCount}</dd>
            </div>
            <div>
              <dt>Last changed</dt>
              <dd>
                <Time value={purpose.updatedAt} />
              </dd>
            </div>
          </dl>
        }
      />
      <CatalogueNav />

      <WordingSection purpose={purpose} canEdit={canEdit} />
      <Section
        id="settings"
        title="Settings"
        description={canEdit ? 'What the policy decides from: basis, channels, rules, fields and retention.' : 'Read only for your role.'}
      >
        {saved ? (
          <Notice tone="success" title="Purpose saved">
            <p>The policy decides from the new settings from now on. The change is in the audit log.</p>
          </Notice>
        ) : null}
        {fieldsError ? <ErrorNotice title="The field catalogue could not be loaded" error={fieldsError} /> : null}
        {canEdit ? (
          <PurposeForm
            key={purpose.updatedAt}
            initial={toPurposeForm(purpose)}
            fields={fields}
            consentEventCount={purpose.consentEventCount}
            onSaved={() => setSaved(true)}
            onCancel={() => setSaved(false)}
          />
        ) : (
          <PurposeFacts purpose={purpose} fields={fields} />
        )}
      </Section>
    </>
  );
}

function PurposeFacts({ purpose, fields }: { purpose: Purpose; fields: CatalogueField[] }) {
  const labelOf = (key: string) => fields.find((f) => f.key === key)?.label ?? key;
  return (
    <dl className="facts facts-wide">
      <div>
        <dt>Channels</dt>
        <dd>{purpose.channels.map((c) => label(c)).join(', ')}</dd>
      </div>
      <div>
        <dt>Rules</dt>
        <dd>
          <PurposeRuleBadges purpose={purpose} />
        </dd>
      </div>
      <div>
        <dt>Retention</dt>
        <dd>{purpose.retentionMonths === null ? 'Not set' : `${purpose.retentionMonths} months`}</dd>
      </div>
      <div className="facts-full">
        <dt>Fields</dt>
        <dd>{purpose.fields.length === 0 ? 'None' : purpose.fields.map(labelOf).join(', ')}</dd>
      </div>
      <div className="facts-full">
        <dt>Staff who work for this purpose</dt>
        <dd>
          {purpose.staffRoles.length === 0 ? 'None' : purpose.staffRoles.map((role) => STAFF_ROLE_LABELS[role].label).join(', ')}
          <span className="muted small block">They see the fields above; administrators and the DPO see every field.</span>
        </dd>
      </div>
      {purpose.balancingTest ? (
        <div className="facts-full">
          <dt>Balancing test</dt>
          <dd className="prewrap">{purpose.balancingTest}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** Every wording people were ever shown, newest first, with the consents given under each. */
function WordingSection({ purpose, canEdit }: { purpose: Purpose; canEdit: boolean }) {
  const current = currentWordings(purpose.wordings);
  const [added, setAdded] = useState<string | null>(null);
  return (
    <Section
      id="wordings"
      title="Wording history"
      description="The exact texts people agreed to. A text never changes once saved: a new text is a new version, and every consent stays tied to the version and hash it was given under."
    >
      {added ? (
        <Notice tone="success" title="New wording version saved">
          <p>
            Version <span className="mono">{added}</span> is what the subscription form and the contact form show from now on. Consents
            given earlier keep pointing to their own version.
          </p>
        </Notice>
      ) : null}
      <DataTable
        columns={[
          'Version',
          'Language',
          'Created',
          'Text',
          'Hash',
          { label: 'Consents', className: 'numeric', title: 'Consent events recorded under this version' },
        ]}
        rows={purpose.wordings}
        caption="Wording versions, newest first"
        className="table-compact wording-table"
        empty={
          <EmptyState title="No wording yet.">
            {purpose.legalBasis === 'consent' ? <p>Without a wording, nobody can be asked for consent to this purpose.</p> : null}
          </EmptyState>
        }
      >
        {(w) => (
          <tr key={`${w.version}:${w.language}`}>
            <td className="nowrap">
              <span className="mono">{w.version}</span>
              {current.get(w.language) === w ? (
                <>
                  {' '}
                  <Badge tone="success" title="Shown to people today">
                    Current
                  </Badge>
                </>
              ) : null}
            </td>
            <td>{WORDING_LANGUAGES[w.language as keyof typeof WORDING_LANGUAGES] ?? w.language}</td>
            <td className="nowrap">
              <Time value={w.createdAt} />
            </td>
            <td>
              <blockquote className="wording-text" lang={w.language}>
                {w.text}
              </blockquote>
            </td>
            <td>
              <span className="mono small" title={w.textHash}>
                {shorten(w.textHash, 12)}
              </span>
            </td>
            <td className="numeric">{w.consentCount}</td>
          </tr>
        )}
      </DataTable>
      {canEdit && purpose.legalBasis === 'consent' ? (
        <AddWordingForm purpose={purpose} onAdded={setAdded} />
      ) : purpose.legalBasis !== 'consent' ? (
        <p className="muted small wording-note">
          This purpose rests on {label(purpose.legalBasis).toLowerCase()}: nobody is asked to agree to a wording.
        </p>
      ) : null}
    </Section>
  );
}

function AddWordingForm({ purpose, onAdded }: { purpose: Purpose; onAdded: (version: string) => void }) {
  const current = currentWordings(purpose.wordings);
  const form = useForm<WordingFormValues>({ resolver: zodResolver(ZWordingForm), defaultValues: { language: 'en', text: '' } });
  const { errors, isSubmitting } = form.formState;
  const addWording = useMutation(trpc.purposes.addWording.mutationOptions());
  const busy = isSubmitting || addWording.isPending;
  const isPath = (path: string): path is 'language' | 'text' => path === 'language' || path === 'text';

  const onSubmit = form.handleSubmit(async (values) => {
    if (busy) return;
    try {
      const wording = await addWording.mutateAsync({ purposeId: purpose.id, ...values });
      await invalidateCatalogue();
      form.reset({ language: values.language, text: '' });
      onAdded(wording.version);
    } catch (error) {
      showServerError(form.setError, error, isPath);
    }
  });

  const copyCurrent = () => {
    const wording = current.get(form.getValues('language'));
    if (wording) form.setValue('text', wording.text, { shouldDirty: true });
  };

  return (
    <form className="form add-wording" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-labelledby="add-wording-heading">
      <h3 id="add-wording-heading">Add new wording version</h3>
      <p className="field-hint">
        The new text becomes the current version for its language: the subscription form and the contact form show it from now on. Existing
        consents stay tied to the version they were given under, and its text stays as it was (Art. 7(1) GDPR: you must be able to show what
        each person agreed to).
      </p>
      <FormServerError title="The wording was not saved" error={errors.root?.server} />
      <div className="field-row">
        <SelectField id="wording-language" label="Language" registration={form.register('language')} error={errors.language}>
          {Object.entries(WORDING_LANGUAGES).map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </SelectField>
      </div>
      <TextAreaField
        id="wording-text"
        label="Text people agree to"
        required
        rows={4}
        registration={form.register('text')}
        error={errors.text}
        hint="Say what the person agrees to, on which channel, and that they can withdraw at any time."
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save as new version'}
        </button>
        <button type="button" className="button button-secondary" onClick={copyCurrent}>
          Start from the current text
        </button>
      </div>
    </form>
  );
}
