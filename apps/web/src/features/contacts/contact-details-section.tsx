import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { get, useForm, type FieldError } from 'react-hook-form';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, Notice } from '../../components/feedback.tsx';
import { FormServerError } from '../../components/form-fields.tsx';
import { Section } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { label } from '../../lib/labels.ts';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { Actor } from './actor.tsx';
import { detailRows } from './contact-details.ts';
import { attributeFields, BUILTIN_FORM_NAMES, inFieldOrder, labelOf, uncataloguedKeys, type CatalogueField } from './contact-fields.ts';
import { ContactValueFields } from './contact-value-fields.tsx';
import { HiddenFieldsNote } from './hidden-fields-note.tsx';
import {
  contactValuesFromStored,
  toContactValuesInput,
  ZContactValuesForm,
  type ContactValuesFormInput,
  type ContactValuesFormValues,
} from './contact-values.schema.ts';
import { listInWords } from './merge-plan.ts';
import { showServerError } from './server-errors.ts';

type ContactDetail = RouterOutputs['contacts']['get'];

/** The contact's values, each with where it came from; and the form that changes them. */
export function DetailsSection({
  contact,
  catalogue,
  canEdit,
}: {
  contact: ContactDetail;
  catalogue: readonly CatalogueField[] | undefined;
  canEdit: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [changed, setChanged] = useState<string[] | null>(null);
  const rows = detailRows(contact, catalogue);

  return (
    <Section
      id="details"
      title="Details"
      description="Every value Zweck holds about this person, and where each came from: the newest provenance entry of the field (Art. 14, 15 GDPR)."
      actions={
        canEdit && !editing ? (
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => {
              setChanged(null);
              setEditing(true);
            }}
          >
            Edit details
          </button>
        ) : null
      }
    >
      <HiddenFieldsNote hiddenFields={contact.hiddenFields} catalogue={catalogue} />
      {changed !== null ? (
        <Notice tone="success" title={changed.length > 0 ? 'Details saved' : 'Nothing changed'}>
          <p>
            {changed.length > 0
              ? `Changed: ${listInWords(inFieldOrder(changed, catalogue).map((key) => labelOf(catalogue, key)))}. Each change is recorded with its provenance.`
              : 'The values were the same as before, so nothing was recorded.'}
          </p>
        </Notice>
      ) : null}
      {editing ? (
        <EditDetailsForm
          contact={contact}
          catalogue={catalogue ?? []}
          onCancel={() => setEditing(false)}
          onSaved={(keys) => {
            setChanged(keys);
            setEditing(false);
          }}
        />
      ) : (
        <DataTable
          columns={['Field', 'Value', 'Source', 'Legal basis', 'Recorded']}
          rows={rows}
          empty={<EmptyState title="No values recorded." />}
          className="table-compact details-table"
          framed={false}
        >
          {(row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              <td className={row.type === 'free_text' ? 'prewrap' : 'break'}>
                {row.value}
                {row.key === 'phone' && contact.phoneE164 && contact.phoneE164 !== row.value ? (
                  <span className="mono small muted block" title="The number in international form (E.164)">
                    {contact.phoneE164}
                  </span>
                ) : null}
              </td>
              {row.provenance ? (
                <>
                  <td>
                    {label(row.provenance.source)}
                    {row.provenance.reference ? (
                      <span className="small muted block break" title="Reference">
                        {row.provenance.reference}
                      </span>
                    ) : null}
                  </td>
                  <td>{label(row.provenance.legalBasis)}</td>
                  <td>
                    <span className="nowrap">
                      <Time value={row.provenance.recordedAt} />
                    </span>
                    <span className="small muted block">
                      by <Actor actor={row.provenance.actor} />
                    </span>
                  </td>
                </>
              ) : (
                <td colSpan={3} className="muted small">
                  No provenance recorded for this field; see the record’s provenance below.
                </td>
              )}
            </tr>
          )}
        </DataTable>
      )}
    </Section>
  );
}

const BUILTIN_PATHS: readonly string[] = Object.values(BUILTIN_FORM_NAMES);

/** Changes the contact's values (React Hook Form + zod; the field catalogue checks them again on the server). */
function EditDetailsForm({
  contact,
  catalogue,
  onCancel,
  onSaved,
}: {
  contact: ContactDetail;
  catalogue: readonly CatalogueField[];
  onCancel: () => void;
  onSaved: (changed: string[]) => void;
}) {
  const heldKeys = Object.keys(contact.values).filter((key) => contact.values[key]);
  // Fields withheld from the role get no input: the API keeps their stored values (and refuses a value for them).
  const hiddenKeys = contact.hiddenFields;
  // Fixed while the form is open, so that a refetch never adds or drops inputs under the user's hands.
  const [shownFields] = useState(() => attributeFields(catalogue, heldKeys).filter((f) => !hiddenKeys.includes(f.key)));
  const [extraKeys] = useState(() => uncataloguedKeys(catalogue, contact.values));
  const attributeKeys = [...shownFields.map((f) => f.key), ...extraKeys];
  const hasPath = (path: string): boolean => BUILTIN_PATHS.includes(path) || attributeKeys.some((key) => path === `attributes.${key}`);

  const form = useForm<ContactValuesFormInput, unknown, ContactValuesFormValues>({
    resolver: zodResolver(ZContactValuesForm),
    defaultValues: contactValuesFromStored(contact.values, attributeKeys),
  });
  const { errors, isSubmitting } = form.formState;
  const update = useMutation(trpc.contacts.update.mutationOptions());

  const onSubmit = form.handleSubmit(async (values) => {
    if (update.isPending) return;
    try {
      const result = await update.mutateAsync({ id: contact.id, values: toContactValuesInput(values) });
      // The contact, its duplicates and the list all show these values.
      await queryClient.invalidateQueries(trpc.contacts.pathFilter());
      onSaved(result.changed);
    } catch (error) {
      showServerError(form, error, hasPath);
    }
  });
  const busy = isSubmitting || update.isPending;

  return (
    <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="Edit details">
      <FormServerError title="The details were not saved" error={errors.root?.server} />
      <ContactValueFields
        idPrefix="edit"
        catalogue={catalogue}
        attributeFields={shownFields}
        extraKeys={extraKeys}
        hiddenKeys={hiddenKeys}
        register={(path) => form.register(path)}
        errorAt={(path) => get<typeof errors, FieldError | undefined>(errors, path)}
      />
      <p className="field-hint">
        Saving records each changed value with its provenance: entered by staff, by you, now. An emptied field is removed.
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save details'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
