import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useParams } from 'react-router';
import { z } from 'zod';
import { Badge } from '../../../components/badge.tsx';
import { DataTable } from '../../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../../components/feedback.tsx';
import { FormServerError, SelectField, showServerError, TextField } from '../../../components/form-fields.tsx';
import { PageHeader, Section } from '../../../components/page-header.tsx';
import { RecordLoadError } from '../../../components/record-load-error.tsx';
import { Time } from '../../../components/time.tsx';
import { trpc, type RouterOutputs } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { PrivacyNav } from '../privacy-nav.tsx';
import { invalidateRetention } from './retention-policy-page.tsx';
import { ACTION_LABELS, OUTCOME_LABELS, RUN_STATUS } from './retention-labels.ts';

type RunDetail = RouterOutputs['retention']['getRun'];

/** One retention run: its contacts (IDs only), what was done with each, and the DPO's decision. */
export function RetentionRunPage() {
  const { id = '' } = useParams();
  const detail = useQuery({
    ...trpc.retention.getRun.queryOptions({ id }),
    // While it runs, its outcomes come in.
    refetchInterval: (query) => (query.state.data?.run.status === 'approved' ? 2_000 : false),
  });
  if (detail.isPending) return <Loading label="Loading the run…" />;
  if (detail.isError) {
    return (
      <RecordLoadError
        noun="Retention run"
        error={detail.error}
        notFoundCode="RETENTION_RUN_NOT_FOUND"
        back={<Link to="/privacy/retention">Back to retention</Link>}
        onRetry={() => void detail.refetch()}
      />
    );
  }
  return <RunView detail={detail.data} />;
}

function RunView({ detail }: { detail: RunDetail }) {
  const { run, items } = detail;
  const user = useSessionUser();
  const canDecide = can(user.role, 'privacy.manage') && run.status === 'pending_approval';
  const status = RUN_STATUS[run.status];
  return (
    <>
      <title>{`Run of ${run.policyName} · Retention · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/privacy/retention">Retention</Link> <span aria-hidden="true">/</span> <span aria-current="page">Run</span>
      </nav>
      <PageHeader
        title={`Run of “${run.policyName}”`}
        subtitle={
          <>
            <Link to={`/privacy/retention/${run.policyId}`}>The policy</Link> · {ACTION_LABELS[run.action]} · {run.contactsTotal} contacts
          </>
        }
        meta={
          <dl className="inline-facts">
            <div>
              <dt>Status</dt>
              <dd>
                <Badge tone={status.tone}>{status.label}</Badge>
              </dd>
            </div>
            <div>
              <dt>Due</dt>
              <dd>
                <Time value={run.dueAt} />
              </dd>
            </div>
            {run.approvedAt ? (
              <div>
                <dt>Decided</dt>
                <dd>
                  <Time value={run.approvedAt} />
                </dd>
              </div>
            ) : null}
            {run.finishedAt ? (
              <div>
                <dt>Finished</dt>
                <dd>
                  <Time value={run.finishedAt} />
                </dd>
              </div>
            ) : null}
          </dl>
        }
      />
      <PrivacyNav />
      {canDecide ? <Decision runId={run.id} isReview={run.action === 'review'} /> : null}
      {run.decisionNote ? (
        <p>
          <strong>Reason for the rejection:</strong> {run.decisionNote}
        </p>
      ) : null}
      <Section id="items" title="Contacts" description="IDs only: after the erasure nothing else remains to show.">
        <DataTable
          columns={['Contact', 'Deadline', 'Planned', 'Outcome']}
          rows={items}
          caption="Contacts of the run"
          empty={<EmptyState title="No contacts in this run." />}
        >
          {(i) => (
            <tr key={i.contactId}>
              <td className="mono small">
                {i.outcome === 'deleted' || i.outcome === 'anonymized' ? (
                  i.contactId
                ) : (
                  <Link to={`/contacts/${i.contactId}`}>{i.contactId}</Link>
                )}
              </td>
              <td className="nowrap">
                <Time value={i.deadline} />
              </td>
              <td>{ACTION_LABELS[i.plannedAction]}</td>
              <td>
                {i.outcome ? OUTCOME_LABELS[i.outcome] : <span className="muted">Open</span>}
                {i.reason && i.outcome === 'skipped' ? <span className="muted"> ({i.reason.replaceAll('_', ' ')})</span> : null}
              </td>
            </tr>
          )}
        </DataTable>
        {detail.nextCursor ? <p className="muted">The first {items.length} contacts are shown.</p> : null}
      </Section>
    </>
  );
}

const ZReject = z.object({ note: z.string().trim().min(3, 'Say why').max(500, 'At most 500 characters') });
const ZApprove = z.object({ action: z.enum(['', 'delete', 'anonymize']) });

function Decision({ runId, isReview }: { runId: string; isReview: boolean }) {
  const approve = useMutation(trpc.retention.approveRun.mutationOptions({ onSuccess: () => invalidateRetention() }));
  const reject = useMutation(trpc.retention.rejectRun.mutationOptions({ onSuccess: () => invalidateRetention() }));
  const approveForm = useForm<z.infer<typeof ZApprove>>({ resolver: zodResolver(ZApprove), defaultValues: { action: '' } });
  const rejectForm = useForm<z.infer<typeof ZReject>>({ resolver: zodResolver(ZReject), defaultValues: { note: '' } });

  const onApprove = approveForm.handleSubmit(async ({ action }) => {
    try {
      await approve.mutateAsync({ id: runId, ...(action === '' ? {} : { action }) });
    } catch (error) {
      showServerError(approveForm.setError, error, (p): p is 'action' => p === 'action');
    }
  });
  const onReject = rejectForm.handleSubmit(async ({ note }) => {
    try {
      await reject.mutateAsync({ id: runId, note });
    } catch (error) {
      showServerError(rejectForm.setError, error, (p): p is 'note' => p === 'note');
    }
  });

  return (
    <Section
      id="decision"
      title="Your decision"
      description="Approved, the run restricts the contacts under a legal hold and erases the others in every store. Rejected, nothing changes."
    >
      {approve.isError || reject.isError ? (
        <ErrorNotice title="The decision was not recorded" error={approve.error ?? reject.error} />
      ) : null}
      <form className="form" onSubmit={(e) => void onApprove(e)} noValidate aria-label="Approve the run">
        <FormServerError title="Not approved" error={approveForm.formState.errors.root?.server} />
        {isReview ? (
          <SelectField
            id="run-action"
            label="What to do"
            registration={approveForm.register('action')}
            error={approveForm.formState.errors.action}
          >
            <option value="">Choose</option>
            <option value="delete">Delete</option>
            <option value="anonymize">Anonymize (statistics stay)</option>
          </SelectField>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={approve.isPending}>
            Approve run
          </button>
        </div>
      </form>
      <form className="form" onSubmit={(e) => void onReject(e)} noValidate aria-label="Reject the run">
        <FormServerError title="Not rejected" error={rejectForm.formState.errors.root?.server} />
        <TextField
          id="run-reject-note"
          label="Reason for a rejection"
          registration={rejectForm.register('note')}
          error={rejectForm.formState.errors.note}
        />
        <div className="form-actions">
          <button type="submit" className="button button-secondary" disabled={reject.isPending}>
            Reject run
          </button>
        </div>
      </form>
    </Section>
  );
}
