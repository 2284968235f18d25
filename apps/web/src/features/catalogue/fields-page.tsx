import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { ZDataCategory, ZFieldType } from '@zweck/policy';
import { useState } from 'react';
import { useForm, type FieldError } from 'react-hook-form';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { CheckboxGroup, FormServerError, SelectField, showServerError, TextAreaField, TextField } from '../../components/form-fields.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { trpc } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { usePurposes } from '../purposes/use-purposes.ts';
import { CatalogueNav } from './catalogue-nav.tsx';
import {
  ALL_FIELD_ROLES,
  CATEGORY_LABELS,
  FIELD_TYPE_LABELS,
  isFieldFormPath,
  NEW_FIELD,
  rolesSeeingField,
  STAFF_ROLE_LABELS,
  toFieldForm,
  toFieldInput,
  ZFieldForm,
  type CatalogueField,
  type FieldFormInput,
  type FieldFormValues,
  type Purpose,
} from './catalogue.schema.ts';
import { invalidateCatalogue, useFields } from './use-catalogue.ts';

type Editing = { mode: 'new' } | { mode: 'edit'; field: CatalogueField } | null;

export function FieldsPage() {
  const user = useSessionUser();
  const canEdit = can(user.role, 'catalogue.edit');
  const fields = useFields();
  const purposes = usePurposes();
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const open = (next: Editing) => {
    setSaved(null);
    setEditing(next);
  };

  return (
    <>
      <title>Fields · Catalogue · Zweck</title>
      <PageHeader
        title="Catalogue"
        subtitle="Every kind of personal data Zweck keeps about a contact: what it is, which category of data it belongs to, and which purposes may use it (Art. 5(1)(b), (c) GDPR)."
        actions={
          canEdit ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => open({ mode: 'new' })}
              disabled={editing?.mode === 'new'}
            >
              New field
            </button>
          ) : null
        }
      />
      <CatalogueNav />
      {!canEdit ? (
        <p className="muted small catalogue-readonly">Read only: the data protection officer and administrators edit the catalogue.</p>
      ) : null}

      {saved ? (
        <Notice tone="success" title="Field saved">
          <p>
            <span className="mono">{saved}</span> is in the catalogue as shown below. The change is in the audit log.
          </p>
        </Notice>
      ) : null}

      {editing && canEdit ? (
        <Section
          id="field-editor"
          title={editing.mode === 'new' ? 'New field' : `Edit field: ${editing.field.label}`}
          description="A field holds one kind of personal data. Declare only what a purpose needs."
        >
          <FieldForm
            key={editing.mode === 'new' ? 'new' : editing.field.key}
            field={editing.mode === 'edit' ? editing.field : null}
            purposes={purposes.data ?? []}
            onSaved={(key) => {
              setEditing(null);
              setSaved(key);
            }}
            onCancel={() => setEditing(null)}
          />
        </Section>
      ) : null}

      {fields.isPending ? (
        <Loading label="Loading the field catalogue…" />
      ) : fields.isError ? (
        <ErrorNotice title="The field catalogue could not be loaded" error={fields.error} onRetry={() => void fields.refetch()} />
      ) : (
        <DataTable
          columns={[
            'Key',
            'Label',
            'Category',
            'Type',
            'Purposes',
            { label: 'Seen by', title: 'Staff roles that see this field: those working for a purpose that uses it, and admin and DPO' },
            { label: 'Contacts', className: 'numeric', title: 'Contacts holding a value for this field' },
            ...(canEdit ? ['Actions'] : []),
          ]}
          rows={fields.data}
          caption="Fields"
          empty={<EmptyState title="The field catalogue is empty." />}
        >
          {(field) => (
            <tr key={field.key} className={saved === field.key ? 'row-highlight' : undefined}>
              <td className="nowrap">
                <span className="mono">{field.key}</span>
                {field.isBuiltin ? (
                  <>
                    {' '}
                    <Badge tone="muted" title="A column of every contact; its key and type are fixed">
                      Built-in
                    </Badge>
                  </>
                ) : null}
              </td>
              <td>
                {field.label}
                {field.description ? <span className="muted small block">{field.description}</span> : null}
              </td>
              <td>{CATEGORY_LABELS[field.category].label}</td>
              <td>{FIELD_TYPE_LABELS[field.type]}</td>
              <td>
                {field.purposes.length === 0 ? (
                  <span className="muted">None</span>
                ) : (
                  <span className="badge-row">
                    {field.purposes.map((p) => (
                      <Badge key={p.id} tone="neutral">
                        {p.name}
                      </Badge>
                    ))}
                  </span>
                )}
              </td>
              <td>
                <span className="badge-row" aria-label={`Roles that see ${field.label}`}>
                  {rolesSeeingField(field.key, purposes.data ?? []).map((role) => (
                    <Badge key={role} tone={ALL_FIELD_ROLES.includes(role) ? 'muted' : 'neutral'} title={STAFF_ROLE_LABELS[role].hint}>
                      {STAFF_ROLE_LABELS[role].label}
                    </Badge>
                  ))}
                </span>
              </td>
              <td className="numeric">
                {field.contactsWithValue ?? (
                  <span className="muted" title="Built-in: a column of every contact">
                    —
                  </span>
                )}
              </td>
              {canEdit ? (
                <td className="nowrap">
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    onClick={() => open({ mode: 'edit', field })}
                    aria-label={`Edit ${field.label}`}
                  >
                    Edit
                  </button>
                </td>
              ) : null}
            </tr>
          )}
        </DataTable>
      )}
    </>
  );
}

function FieldForm({
  field,
  purposes,
  onSaved,
  onCancel,
}: {
  field: CatalogueField | null;
  purposes: readonly Purpose[];
  onSaved: (key: string) => void;
  onCancel: () => void;
}) {
  const initial: FieldFormInput = field ? toFieldForm(field) : NEW_FIELD;
  const form = useForm<FieldFormInput, unknown, FieldFormValues>({ resolver: zodResolver(ZFieldForm), defaultValues: initial });
  const { errors, isSubmitting } = form.formState;
  const create = useMutation(trpc.fields.create.mutationOptions());
  const update = useMutation(trpc.fields.update.mutationOptions());
  const busy = isSubmitting || create.isPending || update.isPending;
  // Values already stored were checked against the type; built-in fields are columns of a fixed type.
  const typeLockedBecause =
    field === null
      ? null
      : field.isBuiltin
        ? 'Built-in field: its type is fixed.'
        : (field.contactsWithValue ?? 0) > 0
          ? `${field.contactsWithValue} ${field.contactsWithValue === 1 ? 'contact holds' : 'contacts hold'} a value: the type stays as it is. Create a new field for another type.`
          : null;

  const onSubmit = form.handleSubmit(async (values) => {
    if (busy) return;
    try {
      const input = toFieldInput(values);
      const saved = field === null ? await create.mutateAsync(input) : await update.mutateAsync(input);
      await invalidateCatalogue();
      onSaved(saved.key);
    } catch (error) {
      showServerError(form.setError, error, isFieldFormPath);
    }
  });

  return (
    <form className="form catalogue-form" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="Field">
      <FormServerError title="The field was not saved" error={errors.root?.server} />
      <div className="field-row">
        {field === null ? (
          <TextField
            id="field-key"
            label="Key"
            required
            autoFocus
            autoComplete="off"
            registration={form.register('key')}
            error={errors.key}
            hint="Lower-case letters, digits and underscores, e.g. industry. It cannot change later."
          />
        ) : (
          <div className="field">
            <span className="field-label">Key</span>
            <p className="locked-value mono">{field.key}</p>
          </div>
        )}
        <TextField
          id="field-label"
          label="Label"
          required
          autoFocus={field !== null}
          autoComplete="off"
          registration={form.register('label')}
          error={errors.label}
        />
      </div>
      <TextAreaField
        id="field-description"
        label="Description"
        rows={2}
        registration={form.register('description')}
        error={errors.description}
        hint="What the field holds and why it is needed."
      />
      <div className="field-row">
        <div className="field-with-help">
          <SelectField id="field-category" label="Category" registration={form.register('category')} error={errors.category}>
            <option value="">Choose…</option>
            {ZDataCategory.options.map((c) => (
              <option key={c} value={c}>
                {CATEGORY_LABELS[c].label} ({CATEGORY_LABELS[c].hint})
              </option>
            ))}
          </SelectField>
          <p className="field-hint field-hint-after" id="field-category-help">
            Special categories of Art. 9(1) GDPR (health, religion or belief, political opinions, trade union membership, racial or ethnic
            origin, sex life or sexual orientation, genetic and biometric data) and criminal convictions (Art. 10) cannot be declared: Zweck
            does not store them.
          </p>
        </div>
        {typeLockedBecause ? (
          <div className="field">
            <span className="field-label">Type</span>
            <p className="locked-value">{FIELD_TYPE_LABELS[initial.type]}</p>
            <p className="field-hint">{typeLockedBecause}</p>
            {errors.type ? <p className="field-error">{errors.type.message}</p> : null}
          </div>
        ) : (
          <SelectField id="field-type" label="Type" registration={form.register('type')} error={errors.type}>
            {ZFieldType.options.map((t) => (
              <option key={t} value={t}>
                {FIELD_TYPE_LABELS[t]}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      <CheckboxGroup
        id="field-purposes"
        legend="Purposes that may use this field"
        hint="A purpose not ticked here may not process the field (purpose limitation, Art. 5(1)(b) GDPR)."
        options={purposes.map((p) => ({ value: p.id, label: p.name }))}
        registration={form.register('purposeIds')}
        error={errors.purposeIds as FieldError | undefined}
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : field === null ? 'Create field' : 'Save field'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
