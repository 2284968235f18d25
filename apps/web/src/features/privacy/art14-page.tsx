import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { z } from 'zod';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { FormServerError, SelectField, showServerError, SubmitCancelActions, TextAreaField } from '../../components/form-fields.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { PrivacyNav } from './privacy-nav.tsx';

type Duty = RouterOutputs['art14']['list'][number];
type StatusFilter = 'open' | 'notified' | 'exempt' | 'all';

/** The exemptions of Art. 14(5) GDPR, as the API names them. */
const EXEMPTIONS = {
  already_informed: '(a) The person already has the information',
  impossible_or_disproportionate: '(b) Impossible, or a disproportionate effort',
  required_by_law: '(c) Obtaining or disclosing it is laid down by law',
  professional_secrecy: '(d) Professional secrecy',
} as const;

const ZExemptForm = z.object({
  exemption: z.enum(Object.keys(EXEMPTIONS) as [keyof typeof EXEMPTIONS, ...(keyof typeof EXEMPTIONS)[]]),
  note: z
    .string()
    .trim()
    .min(10, 'Say in a sentence why, and what was done instead (Art. 14(5)(b) asks for appropriate measures)')
    .max(2000, 'At most 2,000 characters'),
});
type ExemptForm = z.infer<typeof ZExemptForm>;
const isExemptPath = (path: string): path is keyof ExemptForm => path === 'exemption' || path === 'note';

const STATUS_TONE = { open: 'warning', notified: 'success', exempt: 'muted' } as const;

/** Whether the deadline passed (red) or comes within a week (amber). */
function DueBadge({ duty, now }: { duty: Duty; now: number }) {
  if (duty.status !== 'open') return <Time value={duty.dueAt} />;
  const left = Date.parse(duty.dueAt) - now;
  return (
    <span>
      <Time value={duty.dueAt} />{' '}
      {left < 0 ? <Badge tone="danger">overdue</Badge> : left < 7 * 86_400_000 ? <Badge tone="warning">due this week</Badge> : null}
    </span>
  );
}

function ExemptDutyForm({ duty, onDone }: { duty: Duty; onDone: () => void }) {
  const form = useForm<ExemptForm>({
    resolver: zodResolver(ZExemptForm),
    defaultValues: { exemption: 'impossible_or_disproportionate', note: '' },
  });
  const exempt = useMutation(
    trpc.art14.markExempt.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.art14.list.pathFilter());
        onDone();
      },
      onError: (error) => showServerError(form.setError, error, isExemptPath),
    }),
  );
  const { errors } = form.formState;
  return (
    <form
      className="form-grid"
      aria-label={`Exemption for ${duty.contact.name}`}
      onSubmit={(e) => void form.handleSubmit((values) => exempt.mutate({ id: duty.id, ...values }))(e)}
      noValidate
    >
      <SelectField
        id={`exemption-${duty.id}`}
        label="Reason (Art. 14(5) GDPR)"
        registration={form.register('exemption')}
        error={errors.exemption}
      >
        {Object.entries(EXEMPTIONS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </SelectField>
      <TextAreaField
        id={`note-${duty.id}`}
        label="Why, and what was done instead"
        rows={3}
        required
        isFullWidth
        registration={form.register('note')}
        error={errors.note}
      />
      <FormServerError title="The exemption was not recorded" error={errors.root?.server} />
      <SubmitCancelActions busy={exempt.isPending} submitLabel="Record exemption" onCancel={onDone} />
    </form>
  );
}

/**
 * The Art. 14 duty clock: people whose data we did not collect from them (an import, a partner's
 * list) must be informed within a month (Art. 14(3)(a) GDPR). A daily run mails the notice; where
 * it cannot (the address bounced, the policy refuses), the DPO is reminded and either informs the
 * person another way or records an exemption here.
 */
export function Art14Page() {
  const user = useSessionUser();
  const canManage = can(user.role, 'privacy.manage');
  const [status, setStatus] = useState<StatusFilter>('open');
  const [exempting, setExempting] = useState<string | null>(null);
  const duties = useQuery(trpc.art14.list.queryOptions({ status }));
  // The list's clock: fixed when the page opens (a render must not read the clock).
  const [now] = useState(() => Date.now());

  return (
    <>
      <title>Art. 14 notices · Privacy · Zweck</title>
      <PageHeader
        title="Privacy"
        subtitle="Data not collected from the person starts a one-month clock to inform them (Art. 14 GDPR). The product mails the notice; what it cannot send waits here."
      />
      <PrivacyNav />
      <Section
        id="art14-duties"
        title="Art. 14 duties"
        actions={
          <label className="inline-field">
            Show{' '}
            <select value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)} aria-label="Show duties">
              <option value="open">Open</option>
              <option value="notified">Informed</option>
              <option value="exempt">Exempt</option>
              <option value="all">All</option>
            </select>
          </label>
        }
      >
        {duties.isPending ? (
          <Loading label="Loading duties…" />
        ) : duties.error ? (
          <ErrorNotice error={duties.error} onRetry={() => void duties.refetch()} />
        ) : (
          <DataTable
            columns={['Person', 'Source', 'Collected', 'Due', 'Status', '']}
            rows={duties.data}
            caption="Art. 14 duties"
            empty={
              <EmptyState title={status === 'open' ? 'No open duties' : 'Nothing here'}>
                {status === 'open' ? 'Everyone whose data came from elsewhere has been informed, or an exemption is recorded.' : null}
              </EmptyState>
            }
          >
            {(duty) => (
              <Fragment key={duty.id}>
                <tr data-testid={`art14-duty-${duty.id}`}>
                  <td>
                    <Link to={`/contacts/${duty.contact.id}`}>{duty.contact.name}</Link>
                    {duty.contact.email && duty.contact.email !== duty.contact.name ? (
                      <div className="muted small">{duty.contact.email}</div>
                    ) : null}
                  </td>
                  <td>
                    {duty.source}
                    <div className="muted small mono">{duty.reference}</div>
                  </td>
                  <td>
                    <Time value={duty.collectedAt} />
                  </td>
                  <td>
                    <DueBadge duty={duty} now={now} />
                  </td>
                  <td>
                    <Badge tone={STATUS_TONE[duty.status]}>{duty.status === 'notified' ? 'informed' : duty.status}</Badge>
                    {duty.status === 'notified' ? (
                      <div className="muted small">
                        by {duty.method} <Time value={duty.notifiedAt} />
                      </div>
                    ) : null}
                    {duty.status === 'exempt' ? (
                      <div className="muted small">{EXEMPTIONS[duty.exemption as keyof typeof EXEMPTIONS] ?? duty.exemption}</div>
                    ) : null}
                    {duty.status === 'open' && duty.dpoRemindedAt ? (
                      <div className="muted small" title={duty.reasonCodes.join(', ')}>
                        could not be mailed ({duty.reasonCodes.join(', ')}); you were reminded <Time value={duty.dpoRemindedAt} />
                      </div>
                    ) : null}
                  </td>
                  <td>
                    {canManage && duty.status === 'open' && exempting !== duty.id ? (
                      <button type="button" className="button button-secondary button-small" onClick={() => setExempting(duty.id)}>
                        Mark exempt
                      </button>
                    ) : null}
                  </td>
                </tr>
                {exempting === duty.id ? (
                  <tr>
                    <td colSpan={6}>
                      <ExemptDutyForm duty={duty} onDone={() => setExempting(null)} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            )}
          </DataTable>
        )}
        {!canManage ? <Notice>Only the data protection officer records exemptions.</Notice> : null}
      </Section>
    </>
  );
}
