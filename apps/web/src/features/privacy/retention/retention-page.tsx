import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { describeRetentionPeriod, ZDataCategory } from '@zweck/policy';
import { useForm, useWatch } from 'react-hook-form';
import { Link } from 'react-router';
import { z } from 'zod';
import { Badge } from '../../../components/badge.tsx';
import { DataTable } from '../../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../../components/feedback.tsx';
import { FormServerError, SelectField, showServerError, TextField } from '../../../components/form-fields.tsx';
import { PageHeader, Section } from '../../../components/page-header.tsx';
import { Time } from '../../../components/time.tsx';
import { trpc } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { CATEGORY_LABELS } from '../../catalogue/catalogue.schema.ts';
import { purposeName, usePurposes } from '../../purposes/use-purposes.ts';
import { PrivacyNav } from '../privacy-nav.tsx';
import { invalidateRetention } from './retention-policy-page.tsx';
import { ACTION_LABELS, ANCHOR_LABELS, HOLD_KIND_LABELS, RUN_STATUS, type LegalHold } from './retention-labels.ts';

/** The deletion concept: policies, the legal holds that outrank them, and the runs that carried them out. */
export function RetentionPage() {
  const user = useSessionUser();
  const canManage = can(user.role, 'privacy.manage');
  const policies = useQuery(trpc.retention.listPolicies.queryOptions());
  const runs = useQuery({ ...trpc.retention.listRuns.queryOptions({}), refetchInterval: 5_000 });
  const purposes = usePurposes();

  return (
    <>
      <title>Retention · Privacy · Zweck</title>
      <PageHeader
        title="Retention"
        subtitle="How long personal data is kept, counted from when, and what happens at the end (Art. 5(1)(e), 17 GDPR). A daily run reminds you ahead of each deadline and carries it out; legal holds turn a deletion into a restriction."
        actions={
          canManage ? (
            <Link className="button button-primary" to="/privacy/retention/new">
              New policy
            </Link>
          ) : null
        }
      />
      <PrivacyNav />
      <Section id="policies" title="Policies">
        {policies.isPending ? (
          <Loading label="Loading the policies…" />
        ) : policies.isError ? (
          <ErrorNotice title="The policies could not be loaded" error={policies.error} onRetry={() => void policies.refetch()} />
        ) : (
          <DataTable
            columns={['Policy', 'Covers', 'Period', 'At the deadline', 'Reminder', 'Runs']}
            rows={policies.data}
            caption="Retention policies"
            empty={<EmptyState title="No retention policies yet." />}
          >
            {(p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/privacy/retention/${p.id}`} className="row-link">
                    {p.name}
                  </Link>{' '}
                  {p.active ? null : <Badge tone="muted">Inactive</Badge>}
                </td>
                <td>{p.purposeName ?? (p.dataCategory ? CATEGORY_LABELS[p.dataCategory].label : '')}</td>
                <td>
                  {describeRetentionPeriod(p.period)} after {ANCHOR_LABELS[p.anchor]}
                </td>
                <td>
                  {ACTION_LABELS[p.action]}
                  {p.requiresApproval ? <span className="muted"> · with approval</span> : null}
                </td>
                <td className="nowrap">{p.reminderLeadDays} days before</td>
                <td className="nowrap">
                  {p.runCount}
                  {p.pendingRuns > 0 ? (
                    <>
                      {' '}
                      <Badge tone="warning">{p.pendingRuns} waiting</Badge>
                    </>
                  ) : null}
                </td>
              </tr>
            )}
          </DataTable>
        )}
      </Section>

      <Section id="runs" title="Runs" description="Contacts that reached a deadline, per policy and day, and what was done with each.">
        {runs.isPending ? (
          <Loading label="Loading the runs…" />
        ) : runs.isError ? (
          <ErrorNotice title="The runs could not be loaded" error={runs.error} onRetry={() => void runs.refetch()} />
        ) : (
          <DataTable
            columns={['Run', 'Policy', 'Status', 'Contacts', 'Deleted', 'Anonymized', 'Restricted', 'Skipped']}
            rows={runs.data}
            caption="Retention runs"
            empty={<EmptyState title="No runs yet." />}
          >
            {(r) => (
              <tr key={r.id}>
                <td className="nowrap">
                  <Link to={`/privacy/retention/runs/${r.id}`} className="row-link">
                    <Time value={r.createdAt} />
                  </Link>
                </td>
                <td>{r.policyName}</td>
                <td>
                  <Badge tone={RUN_STATUS[r.status].tone}>{RUN_STATUS[r.status].label}</Badge>
                </td>
                <td className="numeric">{r.contactsTotal}</td>
                <td className="numeric">{r.deletedCount}</td>
                <td className="numeric">{r.anonymizedCount}</td>
                <td className="numeric">{r.restrictedCount}</td>
                <td className="numeric">{r.skippedCount}</td>
              </tr>
            )}
          </DataTable>
        )}
      </Section>

      <Holds canManage={canManage} purposeLabel={(id) => purposeName(purposes.byId, id)} />
    </>
  );
}

function holdScope(h: LegalHold, purposeLabel: (id: string) => string): string {
  if (h.scopeKind === 'purpose' && h.purposeId) return `Purpose: ${purposeLabel(h.purposeId)}`;
  if (h.scopeKind === 'data_category' && h.dataCategory) return `Data category: ${CATEGORY_LABELS[h.dataCategory].label}`;
  return `Contact ${h.contactId ?? ''}`;
}

const ZHoldForm = z
  .object({
    kind: z.enum(['commercial_hgb_257', 'tax_ao_147', 'litigation', 'other']),
    scopeKind: z.enum(['purpose', 'data_category', 'contact']),
    purposeId: z.string(),
    dataCategory: z.union([z.literal(''), ZDataCategory]),
    contactId: z.union([z.literal(''), z.uuid('A contact ID')]),
    reason: z.string().trim().min(3, 'Say why: the statute or the case reference').max(500, 'At most 500 characters'),
    startsOn: z.iso.date('A date'),
    endsOn: z.union([z.literal(''), z.iso.date('A date')]),
  })
  .superRefine((v, ctx) => {
    if (v.scopeKind === 'purpose' && v.purposeId === '') ctx.addIssue({ code: 'custom', path: ['purposeId'], message: 'Choose a purpose' });
    if (v.scopeKind === 'data_category' && v.dataCategory === '')
      ctx.addIssue({ code: 'custom', path: ['dataCategory'], message: 'Choose a data category' });
    if (v.scopeKind === 'contact' && v.contactId === '') ctx.addIssue({ code: 'custom', path: ['contactId'], message: 'The contact ID' });
    if (v.endsOn !== '' && v.endsOn < v.startsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'Ends before it starts' });
  });
type HoldFormValues = z.infer<typeof ZHoldForm>;
const HOLD_PATHS = ['kind', 'scopeKind', 'purposeId', 'dataCategory', 'contactId', 'reason', 'startsOn', 'endsOn'] as const;
const isHoldPath = (p: string): p is (typeof HOLD_PATHS)[number] => (HOLD_PATHS as readonly string[]).includes(p);
const today = (): string => new Date().toISOString().slice(0, 10);

function Holds({ canManage, purposeLabel }: { canManage: boolean; purposeLabel: (id: string) => string }) {
  const holds = useQuery(trpc.retention.listHolds.queryOptions());
  const purposes = usePurposes();
  const create = useMutation(trpc.retention.createHold.mutationOptions());
  const update = useMutation(trpc.retention.updateHold.mutationOptions({ onSuccess: () => invalidateRetention() }));
  const form = useForm<HoldFormValues>({
    resolver: zodResolver(ZHoldForm),
    defaultValues: {
      kind: 'commercial_hgb_257',
      scopeKind: 'data_category',
      purposeId: '',
      dataCategory: '',
      contactId: '',
      reason: '',
      startsOn: today(),
      endsOn: '',
    },
  });
  const { errors, isSubmitting } = form.formState;
  const scopeKind = useWatch({ control: form.control, name: 'scopeKind' });

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await create.mutateAsync({
        kind: v.kind,
        scopeKind: v.scopeKind,
        purposeId: v.scopeKind === 'purpose' ? v.purposeId : null,
        dataCategory: v.scopeKind === 'data_category' && v.dataCategory !== '' ? v.dataCategory : null,
        contactId: v.scopeKind === 'contact' && v.contactId !== '' ? v.contactId : null,
        reason: v.reason,
        startsOn: v.startsOn,
        endsOn: v.endsOn === '' ? null : v.endsOn,
      });
      await invalidateRetention();
      form.reset();
    } catch (error) {
      showServerError(form.setError, error, isHoldPath);
    }
  });

  const endToday = (h: LegalHold) =>
    update.mutate({
      id: h.id,
      values: {
        kind: h.kind,
        scopeKind: h.scopeKind,
        purposeId: h.purposeId,
        dataCategory: h.dataCategory,
        contactId: h.contactId,
        reason: h.reason,
        startsOn: h.startsOn,
        endsOn: today(),
      },
    });

  return (
    <Section
      id="holds"
      title="Legal holds"
      description="Duties to keep (§ 257 HGB, § 147 AO, a litigation hold): while one is in force, a deletion becomes a restriction."
    >
      {holds.isPending ? (
        <Loading label="Loading the legal holds…" />
      ) : holds.isError ? (
        <ErrorNotice title="The legal holds could not be loaded" error={holds.error} onRetry={() => void holds.refetch()} />
      ) : (
        <DataTable
          columns={['Kind', 'Covers', 'Reason', 'From', 'Until', '']}
          rows={holds.data}
          caption="Legal holds"
          empty={<EmptyState title="No legal holds." />}
        >
          {(h) => (
            <tr key={h.id}>
              <td>
                {HOLD_KIND_LABELS[h.kind]} {h.inForce ? <Badge tone="warning">In force</Badge> : <Badge tone="muted">Not in force</Badge>}
              </td>
              <td>{holdScope(h, purposeLabel)}</td>
              <td>{h.reason}</td>
              <td className="nowrap">{h.startsOn}</td>
              <td className="nowrap">{h.endsOn ?? 'Until lifted'}</td>
              <td>
                {canManage && h.inForce ? (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    disabled={update.isPending}
                    onClick={() => endToday(h)}
                  >
                    End today
                  </button>
                ) : null}
              </td>
            </tr>
          )}
        </DataTable>
      )}
      {canManage ? (
        <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="New legal hold">
          <h3>New legal hold</h3>
          <FormServerError title="The hold was not saved" error={errors.root?.server} />
          <SelectField id="hold-kind" label="Kind" registration={form.register('kind')} error={errors.kind}>
            {Object.entries(HOLD_KIND_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
          <SelectField id="hold-scope" label="Covers" registration={form.register('scopeKind')} error={errors.scopeKind}>
            <option value="data_category">A data category</option>
            <option value="purpose">Data kept for a purpose</option>
            <option value="contact">One contact</option>
          </SelectField>
          {scopeKind === 'purpose' ? (
            <SelectField id="hold-purpose" label="Purpose" registration={form.register('purposeId')} error={errors.purposeId}>
              <option value="">Choose a purpose</option>
              {(purposes.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </SelectField>
          ) : scopeKind === 'data_category' ? (
            <SelectField id="hold-category" label="Data category" registration={form.register('dataCategory')} error={errors.dataCategory}>
              <option value="">Choose a data category</option>
              {ZDataCategory.options.map((c) => (
                <option key={c} value={c}>
                  {CATEGORY_LABELS[c].label}
                </option>
              ))}
            </SelectField>
          ) : (
            <TextField id="hold-contact" label="Contact ID" registration={form.register('contactId')} error={errors.contactId} />
          )}
          <TextField
            id="hold-reason"
            label="Reason"
            required
            registration={form.register('reason')}
            error={errors.reason}
            hint="The statute or the case reference; no personal data."
          />
          <TextField id="hold-starts" label="From" type="date" required registration={form.register('startsOn')} error={errors.startsOn} />
          <TextField
            id="hold-ends"
            label="Until"
            type="date"
            registration={form.register('endsOn')}
            error={errors.endsOn}
            hint="Empty: until lifted."
          />
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={isSubmitting || create.isPending}>
              Add legal hold
            </button>
          </div>
        </form>
      ) : null}
    </Section>
  );
}
