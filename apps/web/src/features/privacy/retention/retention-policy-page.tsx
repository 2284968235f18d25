import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { describeRetentionPeriod, ZDataCategory } from '@zweck/policy';
import { useState } from 'react';
import { useForm, useWatch, type Control } from 'react-hook-form';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ErrorNotice, Loading, Notice } from '../../../components/feedback.tsx';
import {
  CheckboxField,
  FormServerError,
  SelectField,
  showServerError,
  SubmitCancelActions,
  TextField,
} from '../../../components/form-fields.tsx';
import { PageHeader, Section } from '../../../components/page-header.tsx';
import { RecordLoadError } from '../../../components/record-load-error.tsx';
import { describeError } from '../../../lib/errors.ts';
import { queryClient, trpc } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { CATEGORY_LABELS } from '../../catalogue/catalogue.schema.ts';
import { usePurposes } from '../../purposes/use-purposes.ts';
import { PrivacyNav } from '../privacy-nav.tsx';
import {
  isRetentionFormPath,
  NEW_RETENTION_POLICY,
  toRetentionForm,
  toRetentionInput,
  ZRetentionForm,
  type RetentionFormInput,
  type RetentionFormValues,
} from './retention-form.schema.ts';
import { ACTION_LABELS, ANCHOR_HINTS, ANCHOR_LABELS, type RetentionPolicy } from './retention-labels.ts';

const breadcrumb = (current: string) => (
  <nav aria-label="Breadcrumb" className="breadcrumb">
    <Link to="/privacy/retention">Retention</Link> <span aria-hidden="true">/</span> <span aria-current="page">{current}</span>
  </nav>
);

/** After a change: the policies, their runs, and the audit log. */
export async function invalidateRetention(): Promise<void> {
  await Promise.all([queryClient.invalidateQueries(trpc.retention.pathFilter()), queryClient.invalidateQueries(trpc.audit.pathFilter())]);
}

export function NewRetentionPolicyPage() {
  const navigate = useNavigate();
  return (
    <>
      <title>New retention policy · Privacy · Zweck</title>
      {breadcrumb('New policy')}
      <PageHeader
        title="New retention policy"
        subtitle="How long data is kept, counted from when, and what happens at the end (Art. 5(1)(e) GDPR)."
      />
      <PrivacyNav />
      <RetentionPolicyForm
        id={null}
        initial={NEW_RETENTION_POLICY}
        onSaved={(saved) => navigate(`/privacy/retention/${saved.id}`, { state: { saved: true } })}
        onCancel={() => void navigate('/privacy/retention')}
      />
    </>
  );
}

export function RetentionPolicyPage() {
  const { id = '' } = useParams();
  const policy = useQuery({ ...trpc.retention.getPolicy.queryOptions({ id }), staleTime: 0 });
  if (policy.isPending) return <Loading label="Loading the policy…" />;
  if (policy.isError) {
    return (
      <RecordLoadError
        noun="Retention policy"
        error={policy.error}
        notFoundCode="RETENTION_POLICY_NOT_FOUND"
        back={<Link to="/privacy/retention">Back to the retention policies</Link>}
        onRetry={() => void policy.refetch()}
      />
    );
  }
  return <RetentionPolicyView key={policy.data.id} policy={policy.data} />;
}

function RetentionPolicyView({ policy }: { policy: RetentionPolicy }) {
  const user = useSessionUser();
  const canManage = can(user.role, 'privacy.manage');
  const location = useLocation();
  const [saved, setSaved] = useState(Boolean((location.state as { saved?: boolean } | null)?.saved));
  const [formKey, setFormKey] = useState(0);
  const check = useMutation(trpc.retention.checkNow.mutationOptions({ onSuccess: () => invalidateRetention() }));

  return (
    <>
      <title>{`${policy.name} · Retention · Zweck`}</title>
      {breadcrumb(policy.name)}
      <PageHeader
        title={policy.name}
        subtitle={`${ACTION_LABELS[policy.action]} ${describeRetentionPeriod(policy.period)} after ${ANCHOR_LABELS[policy.anchor]}.`}
        actions={
          canManage && policy.active ? (
            <button
              type="button"
              className="button button-secondary"
              disabled={check.isPending}
              onClick={() => check.mutate({ id: policy.id })}
            >
              {check.isPending ? 'Checking…' : 'Check now'}
            </button>
          ) : null
        }
      />
      <PrivacyNav />
      {check.isSuccess ? (
        <Notice tone="info" title={check.data.status === 'started' ? 'Check started' : 'A check is already running'}>
          <p>
            Contacts past the deadline go into a run; see <Link to={`/privacy/retention?policy=${policy.id}#runs`}>the runs</Link>.
          </p>
        </Notice>
      ) : null}
      {check.isError ? <ErrorNotice title="The check could not start" error={check.error} /> : null}
      <Section id="policy" title="Policy" description={canManage ? 'Changes apply from the next daily run.' : 'Read only for your role.'}>
        {saved ? (
          <Notice tone="success" title="Policy saved">
            <p>The next daily run applies it; the change is in the audit log.</p>
          </Notice>
        ) : null}
        {canManage ? (
          <RetentionPolicyForm
            key={formKey}
            id={policy.id}
            initial={toRetentionForm(policy)}
            onSaved={() => setSaved(true)}
            onCancel={() => {
              setSaved(false);
              setFormKey((k) => k + 1);
            }}
          />
        ) : (
          <dl className="facts">
            <div>
              <dt>Covers</dt>
              <dd>{policy.purposeName ?? (policy.dataCategory ? CATEGORY_LABELS[policy.dataCategory].label : '')}</dd>
            </div>
            <div>
              <dt>Reminder</dt>
              <dd>{policy.reminderLeadDays} days before</dd>
            </div>
            <div>
              <dt>Approval</dt>
              <dd>{policy.requiresApproval ? 'Required' : 'Not required'}</dd>
            </div>
          </dl>
        )}
      </Section>
    </>
  );
}

/** The preview of the values in the form: who is due now and who reaches the deadline soon. */
function NextDeadlines({ control }: { control: Control<RetentionFormInput, unknown, RetentionFormValues> }) {
  const values = useWatch({ control });
  const parsed = ZRetentionForm.safeParse({ ...NEW_RETENTION_POLICY, ...values, name: values.name || 'preview' });
  const input = parsed.success
    ? {
        scopeKind: parsed.data.scopeKind,
        purposeId: parsed.data.scopeKind === 'purpose' ? parsed.data.purposeId : null,
        dataCategory: parsed.data.scopeKind === 'data_category' && parsed.data.dataCategory !== '' ? parsed.data.dataCategory : null,
        period: parsed.data.period,
        anchor: parsed.data.anchor,
        reminderLeadDays: parsed.data.reminderLeadDays,
      }
    : null;
  const preview = useQuery({
    ...trpc.retention.preview.queryOptions(input ?? NEVER_PREVIEW),
    enabled: input !== null,
    staleTime: 30_000,
  });
  return (
    <section aria-labelledby="next-deadlines-heading" className="card-inset">
      <h3 id="next-deadlines-heading">Next deadlines</h3>
      {input === null ? (
        <p className="muted">Complete the scope and the period to see who reaches the deadline when.</p>
      ) : preview.isPending ? (
        <Loading label="Counting…" />
      ) : preview.isError ? (
        <p className="field-error">{describeError(preview.error)}</p>
      ) : (
        <dl className="inline-facts" aria-label="Next deadlines">
          <div>
            <dt>Past the deadline now</dt>
            <dd>{preview.data.dueNow}</dd>
          </div>
          <div>
            <dt>Held by a legal hold</dt>
            <dd>{preview.data.heldNow}</dd>
          </div>
          <div>
            <dt>Within 30 days</dt>
            <dd>{preview.data.within30Days}</dd>
          </div>
          <div>
            <dt>Within 90 days</dt>
            <dd>
              {preview.data.within90Days}
              {preview.data.capped ? '+' : ''}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

/** A query input that is never sent (the query is disabled while the form is incomplete). */
const NEVER_PREVIEW = {
  scopeKind: 'purpose',
  purposeId: null,
  dataCategory: null,
  period: 'P1D',
  anchor: 'created',
  reminderLeadDays: 0,
} as const;

function RetentionPolicyForm({
  id,
  initial,
  onSaved,
  onCancel,
}: {
  id: string | null;
  initial: RetentionFormInput;
  onSaved: (policy: RetentionPolicy) => void | Promise<void>;
  onCancel: () => void;
}) {
  const form = useForm<RetentionFormInput, unknown, RetentionFormValues>({ resolver: zodResolver(ZRetentionForm), defaultValues: initial });
  const { errors, isSubmitting } = form.formState;
  const purposes = usePurposes();
  const create = useMutation(trpc.retention.createPolicy.mutationOptions());
  const update = useMutation(trpc.retention.updatePolicy.mutationOptions());
  const busy = isSubmitting || create.isPending || update.isPending;
  const scopeKind = useWatch({ control: form.control, name: 'scopeKind' });
  const anchor = useWatch({ control: form.control, name: 'anchor' });
  const period = useWatch({ control: form.control, name: 'period' });

  const onSubmit = form.handleSubmit(async (values) => {
    if (busy) return;
    try {
      const input = toRetentionInput(values);
      const saved = id === null ? await create.mutateAsync(input) : await update.mutateAsync({ id, values: input });
      await invalidateRetention();
      form.reset(toRetentionForm(saved));
      await onSaved(saved);
    } catch (error) {
      showServerError(form.setError, error, isRetentionFormPath);
    }
  });

  return (
    <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="Retention policy">
      <FormServerError title="The policy was not saved" error={errors.root?.server} />
      <fieldset className="fieldset">
        <legend>What it covers</legend>
        <TextField id="retention-name" label="Name" required autoComplete="off" registration={form.register('name')} error={errors.name} />
        <SelectField id="retention-scope-kind" label="Scope" registration={form.register('scopeKind')} error={errors.scopeKind}>
          <option value="purpose">Data kept for a purpose</option>
          <option value="data_category">A data category</option>
        </SelectField>
        {scopeKind === 'purpose' ? (
          <SelectField id="retention-purpose" label="Purpose" registration={form.register('purposeId')} error={errors.purposeId}>
            <option value="">Choose a purpose</option>
            {(purposes.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
        ) : (
          <SelectField
            id="retention-category"
            label="Data category"
            registration={form.register('dataCategory')}
            error={errors.dataCategory}
          >
            <option value="">Choose a data category</option>
            {ZDataCategory.options.map((c) => (
              <option key={c} value={c}>
                {CATEGORY_LABELS[c].label}
              </option>
            ))}
          </SelectField>
        )}
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>The period</legend>
        <TextField
          id="retention-period"
          label="Period"
          required
          autoComplete="off"
          registration={form.register('period')}
          error={errors.period}
          hint={
            ZRetentionForm.shape.period.safeParse(period).success
              ? `${describeRetentionPeriod(period.trim().toUpperCase())} (ISO 8601)`
              : 'An ISO 8601 duration: P24M is 24 months, P3Y three years, P90D ninety days.'
          }
        />
        <SelectField id="retention-anchor" label="Counted from" registration={form.register('anchor')} error={errors.anchor}>
          {Object.entries(ANCHOR_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
        <p className="field-hint">{ANCHOR_HINTS[anchor]}</p>
        <SelectField id="retention-action" label="At the deadline" registration={form.register('action')} error={errors.action}>
          {Object.entries(ACTION_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
        <TextField
          id="retention-reminder"
          label="Remind me this many days before"
          type="number"
          registration={form.register('reminderLeadDays', { valueAsNumber: true })}
          error={errors.reminderLeadDays}
        />
        <CheckboxField
          id="retention-approval"
          label="A run waits for my approval"
          hint="A legal hold turns a deletion into a restriction in any case."
          registration={form.register('requiresApproval')}
          error={errors.requiresApproval}
        />
        <CheckboxField id="retention-active" label="Active" registration={form.register('active')} error={errors.active} />
      </fieldset>

      <NextDeadlines control={form.control} />

      <SubmitCancelActions busy={busy} submitLabel={id === null ? 'Create policy' : 'Save policy'} onCancel={onCancel} />
    </form>
  );
}
