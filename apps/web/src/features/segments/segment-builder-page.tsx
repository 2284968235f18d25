import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { MAX_CONDITIONS } from '@zweck/segments/definition';
import { useState } from 'react';
import { useFieldArray, useForm, useWatch } from 'react-hook-form';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { FormServerError, TextAreaField, TextField } from '../../components/form-fields.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import { Time } from '../../components/time.tsx';
import { appCodeOf, describeError, fieldErrorsOf, fieldOf } from '../../lib/errors.ts';
import { trpc } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { usePurposes } from '../purposes/use-purposes.ts';
import { rolesSeeingField } from '../catalogue/catalogue.schema.ts';
import { useFields } from '../catalogue/use-catalogue.ts';
import { ConditionRow } from './condition-row.tsx';
import { formatCount } from './preview-summary.ts';
import {
  definitionOf,
  emptyCondition,
  formPathOf,
  NEW_SEGMENT,
  toSegmentForm,
  ZSegmentForm,
  type SegmentFormInput,
  type SegmentFormValues,
} from './segment-form.schema.ts';
import { SegmentPreviewPanel } from './segment-preview-panel.tsx';
import { invalidateSegments, type Segment } from './use-segments.ts';

/** `/segments/new` and `/segments/:id`: the builder, with the preview beside it. */
export function SegmentBuilderPage() {
  const { id } = useParams();
  const segment = useQuery({ ...trpc.segments.get.queryOptions({ id: id ?? '' }), enabled: id !== undefined });
  if (id === undefined) return <SegmentBuilder segment={null} />;
  if (segment.isPending) return <Loading label="Loading the segment…" />;
  if (segment.isError) {
    return (
      <RecordLoadError
        noun="Segment"
        error={segment.error}
        notFoundCode="SEGMENT_NOT_FOUND"
        back={<Link to="/segments">Back to the segments</Link>}
        onRetry={() => void segment.refetch()}
      />
    );
  }
  return <SegmentBuilder key={segment.data.id} segment={segment.data} />;
}

function SegmentBuilder({ segment }: { segment: Segment | null }) {
  const user = useSessionUser();
  const canEdit = can(user.role, 'segments.edit');
  const navigate = useNavigate();
  const location = useLocation();
  const justSaved = (location.state as { saved?: boolean } | null)?.saved === true;
  const fields = useFields();
  const purposes = usePurposes();
  // Only the fields the role sees (need-to-know): a count over another field would reveal its values, and the API refuses it (FIELD_NOT_VISIBLE).
  const pickable = (fields.data ?? []).filter((f) => rolesSeeingField(f.key, purposes.data ?? []).includes(user.role));

  const form = useForm<SegmentFormInput, unknown, SegmentFormValues>({
    resolver: zodResolver(ZSegmentForm),
    defaultValues: segment ? toSegmentForm(segment) : NEW_SEGMENT,
  });
  const conditions = useFieldArray({ control: form.control, name: 'conditions' });
  const { errors, isSubmitting } = form.formState;
  const create = useMutation(trpc.segments.create.mutationOptions());
  const update = useMutation(trpc.segments.update.mutationOptions());
  const busy = isSubmitting || create.isPending || update.isPending;
  // Every input has a default value, so the watched form is complete (useWatch types it as partial).
  const values = useWatch({ control: form.control }) as SegmentFormInput;
  const definition = definitionOf(values);

  const onSubmit = form.handleSubmit(async (input) => {
    if (busy) return;
    try {
      const saved = segment === null ? await create.mutateAsync(input) : await update.mutateAsync({ id: segment.id, ...input });
      await invalidateSegments();
      form.reset(toSegmentForm(saved));
      void navigate(`/segments/${saved.id}`, { replace: segment !== null, state: { saved: true } });
    } catch (error) {
      const path = formPathOf(fieldOf(error));
      if (path) form.setError(path, { type: appCodeOf(error) ?? 'server', message: describeError(error) }, { shouldFocus: true });
      else {
        const zodFields = Object.keys(fieldErrorsOf(error) ?? {});
        const detail = zodFields.length > 0 ? ` (${zodFields.join(', ')})` : '';
        form.setError('root.server', { type: 'server', message: `${describeError(error)}${detail}` });
      }
    }
  });

  const title = segment === null ? 'New segment' : segment.name;
  return (
    <>
      <title>{`${title} · Segments · Zweck`}</title>
      <PageHeader
        title={title}
        subtitle={
          segment === null
            ? 'Choose who belongs to the audience. The preview shows how many of them a purpose may reach, and why the others may not.'
            : segment.description || undefined
        }
        meta={
          segment ? (
            <span className="muted small">
              {formatCount(segment.memberCount)} members now · updated <Time value={segment.updatedAt} />
              {segment.campaignCount > 0 ? ` · used by ${segment.campaignCount} campaign${segment.campaignCount === 1 ? '' : 's'}` : ''}
            </span>
          ) : null
        }
        actions={
          <Link className="button button-secondary" to="/segments">
            All segments
          </Link>
        }
      />
      {justSaved && !form.formState.isDirty ? (
        <Notice tone="success" title="Segment saved">
          <p>The segment is saved as shown. The change is in the audit log.</p>
        </Notice>
      ) : null}
      {!canEdit ? <p className="muted small catalogue-readonly">Read only: marketers and administrators build segments.</p> : null}

      <div className="segment-layout">
        <form className="form form-card segment-form" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="Segment">
          <FormServerError title="The segment was not saved" error={errors.root?.server} />
          <fieldset className="fieldset" disabled={!canEdit}>
            <TextField
              id="segment-name"
              label="Name"
              required
              autoComplete="off"
              registration={form.register('name')}
              error={errors.name}
            />
            <TextAreaField
              id="segment-description"
              label="Description"
              rows={2}
              registration={form.register('description')}
              error={errors.description}
              hint="Who this audience is for; shown in the list and when a campaign picks it."
            />
            <fieldset className="field match-choice">
              <legend className="field-label">Contacts who match</legend>
              <div className="radio-options">
                <label className="radio-field">
                  <input type="radio" value="all" {...form.register('match')} /> all conditions
                </label>
                <label className="radio-field">
                  <input type="radio" value="any" {...form.register('match')} /> any condition
                </label>
              </div>
            </fieldset>

            {fields.isError ? <ErrorNotice title="The field catalogue could not be loaded" error={fields.error} /> : null}
            {conditions.fields.length === 0 ? (
              <p className="muted condition-empty">No conditions: every contact (except erased ones) is a member.</p>
            ) : (
              <ol className="condition-list" aria-label="Conditions">
                {conditions.fields.map((row, index) => (
                  <ConditionRow
                    key={row.id}
                    form={form}
                    index={index}
                    fields={pickable}
                    purposes={purposes.data ?? []}
                    onReplace={(next) => conditions.update(index, next)}
                    onRemove={() => conditions.remove(index)}
                  />
                ))}
              </ol>
            )}
            {canEdit ? (
              <div>
                <button
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() => conditions.append(emptyCondition())}
                  disabled={conditions.fields.length >= MAX_CONDITIONS}
                >
                  Add condition
                </button>
              </div>
            ) : null}
          </fieldset>
          {canEdit ? (
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? 'Saving…' : segment === null ? 'Create segment' : 'Save segment'}
              </button>
              {segment !== null ? <DeleteSegment segment={segment} /> : null}
            </div>
          ) : null}
        </form>
        <SegmentPreviewPanel definition={definition} />
      </div>
    </>
  );
}

function DeleteSegment({ segment }: { segment: Segment }) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(trpc.segments.delete.mutationOptions());
  if (segment.campaignCount > 0) {
    return <p className="muted small form-actions-note">Campaigns use this segment, so it cannot be deleted.</p>;
  }
  if (!confirming) {
    return (
      <button type="button" className="button button-secondary form-actions-end" onClick={() => setConfirming(true)}>
        Delete…
      </button>
    );
  }
  return (
    <span className="form-actions-end confirm-inline" role="group" aria-label="Confirm deletion">
      {remove.isError ? <span className="field-error">{describeError(remove.error)}</span> : <span>Delete this segment?</span>}
      <button
        type="button"
        className="button button-danger button-small"
        disabled={remove.isPending}
        onClick={() =>
          void remove.mutateAsync({ id: segment.id }).then(
            async () => {
              await invalidateSegments();
              void navigate('/segments', { replace: true });
            },
            () => undefined,
          )
        }
      >
        Yes, delete
      </button>
      <button type="button" className="button button-secondary button-small" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}
