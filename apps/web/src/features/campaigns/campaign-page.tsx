import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { PageHeader, Section } from '../../components/page-header.tsx';
import { RecordLoadError } from '../../components/record-load-error.tsx';
import { Time } from '../../components/time.tsx';
import { formatDateTime } from '../../lib/datetime.ts';
import { label, shorten } from '../../lib/labels.ts';
import { trpc } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import {
  CAMPAIGN_STATUS,
  describeReason,
  formatCount,
  isActive,
  OUTCOME,
  OUTCOMES,
  progressShare,
  type Campaign,
  type RecipientOutcome,
  type RecipientRow,
} from './campaign-labels.ts';
import { CountBar, OutcomeBar } from './outcome-bars.tsx';
import { EngagementBars } from './engagement-bars.tsx';
import { invalidateCampaigns, useCampaign } from './use-campaigns.ts';

const RECIPIENTS_PAGE = 50;

export function CampaignPage() {
  const { id = '' } = useParams();
  const [justStarted, setJustStarted] = useState(false);
  const campaign = useCampaign(id, justStarted);

  if (campaign.isPending) return <Loading label="Loading the campaign…" />;
  if (campaign.isError) {
    return (
      <RecordLoadError
        noun="Campaign"
        error={campaign.error}
        notFoundCode="CAMPAIGN_NOT_FOUND"
        back={<Link to="/campaigns">Back to campaigns</Link>}
        onRetry={() => void campaign.refetch()}
      />
    );
  }
  return (
    <CampaignView
      key={campaign.data.id}
      campaign={campaign.data}
      isRefreshing={campaign.isFetching}
      onStarted={() => setJustStarted(true)}
    />
  );
}

function CampaignView({ campaign, isRefreshing, onStarted }: { campaign: Campaign; isRefreshing: boolean; onStarted: () => void }) {
  const user = useSessionUser();
  const canRun = can(user.role, 'campaigns.write');
  const live = isActive(campaign.status);
  const status = CAMPAIGN_STATUS[campaign.status];

  return (
    <>
      <title>{`${campaign.name} · Campaigns · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/campaigns">Campaigns</Link> <span aria-hidden="true">/</span> <span aria-current="page">{campaign.name}</span>
      </nav>
      <PageHeader
        title={campaign.name}
        subtitle={`${campaign.segmentName} · ${campaign.templateName} · ${campaign.purposeName} · ${label(campaign.channel)}`}
        meta={
          <dl className="inline-facts">
            <div>
              <dt>Status</dt>
              <dd>
                <Badge tone={status.tone}>{status.label}</Badge>
              </dd>
            </div>
            <div>
              <dt>{campaign.scheduledAt ? 'Scheduled for' : 'Schedule'}</dt>
              <dd>{campaign.scheduledAt ? <Time value={campaign.scheduledAt} /> : 'When started'}</dd>
            </div>
            <div>
              <dt>Pace</dt>
              <dd>{campaign.throttlePerMinute === null ? 'Unthrottled' : `${formatCount(campaign.throttlePerMinute)} per minute`}</dd>
            </div>
            <div>
              <dt>Opens and clicks</dt>
              <dd>{campaign.track ? 'Tracked, where the recipient consented' : 'Not tracked'}</dd>
            </div>
            {campaign.startedAt ? (
              <div>
                <dt>Started</dt>
                <dd>
                  <Time value={campaign.startedAt} />
                </dd>
              </div>
            ) : null}
            {campaign.finishedAt ? (
              <div>
                <dt>Ended</dt>
                <dd>
                  <Time value={campaign.finishedAt} />
                </dd>
              </div>
            ) : null}
          </dl>
        }
        actions={
          <>
            <span className="live-indicator" role="status" aria-live="polite">
              {live ? (
                <>
                  <span className="pulse" aria-hidden="true" /> Updating live
                </>
              ) : isRefreshing ? (
                'Refreshing…'
              ) : null}
            </span>
            {canRun ? <CampaignActions campaign={campaign} onStarted={onStarted} /> : null}
          </>
        }
      />

      <StatusNotice campaign={campaign} />
      <ProgressSection campaign={campaign} />
      <div className="grid-2 campaign-grid">
        <ResultsSection campaign={campaign} />
        <SkippedSection campaign={campaign} />
      </div>
      <RecipientsSection campaign={campaign} />
    </>
  );
}

/** Start, pause, resume, cancel: what the campaign's status allows; cancel asks first. */
function CampaignActions({ campaign, onStarted }: { campaign: Campaign; onStarted: () => void }) {
  const start = useMutation(trpc.campaigns.start.mutationOptions());
  const pause = useMutation(trpc.campaigns.pause.mutationOptions());
  const resume = useMutation(trpc.campaigns.resume.mutationOptions());
  const [confirmCancel, setConfirmCancel] = useState(false);
  const busy = start.isPending || pause.isPending || resume.isPending;
  const error = start.error ?? pause.error ?? resume.error;
  const isPaused = campaign.status === 'paused' || campaign.progress?.paused === true;
  const isCancelling = campaign.progress?.status === 'cancelling';
  const active = isActive(campaign.status);

  const run = async (mutation: { mutateAsync: (input: { id: string }) => Promise<unknown> }): Promise<void> => {
    try {
      await mutation.mutateAsync({ id: campaign.id });
    } catch {
      // Shown below the buttons (error).
    }
    await invalidateCampaigns();
  };

  return (
    <div className="campaign-actions">
      {campaign.status === 'draft' ? (
        <>
          <Link className="button button-secondary" to={`/campaigns/${campaign.id}/edit`}>
            Edit draft
          </Link>
          <button
            type="button"
            className="button button-primary"
            disabled={busy || start.isSuccess}
            onClick={() => {
              onStarted();
              void run(start);
            }}
          >
            {start.isPending || start.isSuccess ? 'Starting…' : campaign.scheduledAt ? 'Start (wait for schedule)' : 'Start sending'}
          </button>
        </>
      ) : null}
      {active && !isPaused && !isCancelling ? (
        <button type="button" className="button button-secondary" disabled={busy} onClick={() => void run(pause)}>
          {pause.isPending ? 'Pausing…' : 'Pause'}
        </button>
      ) : null}
      {active && isPaused && !isCancelling ? (
        <button type="button" className="button button-primary" disabled={busy} onClick={() => void run(resume)}>
          {resume.isPending ? 'Resuming…' : 'Resume'}
        </button>
      ) : null}
      {active && !isCancelling ? (
        <button type="button" className="button button-danger" disabled={busy} onClick={() => setConfirmCancel(true)}>
          Cancel campaign
        </button>
      ) : null}
      {error ? (
        <div className="campaign-actions-error">
          <ErrorNotice title="That did not work" error={error} />
        </div>
      ) : null}
      {confirmCancel ? <CancelDialog campaign={campaign} onClose={() => setConfirmCancel(false)} /> : null}
    </div>
  );
}

/** A modal question before the one step that cannot be undone. */
function CancelDialog({ campaign, onClose }: { campaign: Campaign; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useMutation(trpc.campaigns.cancel.mutationOptions());
  useEffect(() => {
    // No cleanup: an unmounted <dialog> leaves the top layer by itself.
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const confirm = async (): Promise<void> => {
    if (cancel.isPending) return;
    try {
      await cancel.mutateAsync({ id: campaign.id });
      await invalidateCampaigns();
      dialog.current?.close();
    } catch {
      // Shown in the dialog (cancel.error).
    }
  };

  const pending = campaign.counts.pending;
  return (
    <dialog
      ref={dialog}
      className="modal"
      aria-labelledby="cancel-dialog-title"
      aria-describedby="cancel-dialog-text"
      onClose={onClose}
      onCancel={(event) => {
        if (cancel.isPending) event.preventDefault();
      }}
    >
      <h2 id="cancel-dialog-title">Cancel “{campaign.name}”?</h2>
      <div id="cancel-dialog-text">
        <p>
          Messages already sent stay sent. Nobody else receives this campaign: every recipient still waiting
          {pending > 0 ? ` (${formatCount(pending)} now)` : ''} is skipped with the reason “Campaign cancelled”.
        </p>
        <p className="muted small">A cancelled campaign cannot be resumed or started again.</p>
      </div>
      {cancel.isError ? <ErrorNotice title="The campaign was not cancelled" error={cancel.error} /> : null}
      <div className="form-actions">
        <button type="button" className="button button-danger" onClick={() => void confirm()} disabled={cancel.isPending}>
          {cancel.isPending ? 'Cancelling…' : 'Yes, cancel the campaign'}
        </button>
        <button type="button" className="button button-secondary" onClick={() => dialog.current?.close()} disabled={cancel.isPending}>
          Keep it
        </button>
      </div>
    </dialog>
  );
}

function StatusNotice({ campaign }: { campaign: Campaign }) {
  if (campaign.refusedFor && campaign.refusedFor.length > 0) {
    return (
      <Notice tone="warning" title="The campaign was refused when it was started">
        <p>Nothing was sent. The campaign workflow checks the draft again before the first message, and found:</p>
        <ul className="campaign-refusals">
          {campaign.refusedFor.map((code) => {
            const reason = describeReason(code);
            return (
              <li key={code}>
                <strong>{reason.title}</strong> — {reason.message}
              </li>
            );
          })}
        </ul>
        <p>Compose a new campaign with a fitting template, purpose or segment.</p>
      </Notice>
    );
  }
  if (campaign.status === 'cancelled') {
    const cut = campaign.skippedByReason.find((r) => r.code === 'CAMPAIGN_CANCELLED')?.count ?? 0;
    const { sent } = campaign.counts;
    return (
      <Notice tone="info" title="Cancelled">
        <p>
          {sent === 0 && cut === 0
            ? 'The campaign was cancelled before anyone was mailed.'
            : `${formatCount(sent)} ${sent === 1 ? 'message was' : 'messages were'} sent before the cancel; ${formatCount(cut)} ${cut === 1 ? 'recipient was' : 'recipients were'} skipped because of it.`}
        </p>
      </Notice>
    );
  }
  if (campaign.status === 'draft') {
    return (
      <Notice tone="info" title="Draft">
        <p>
          Nothing has been sent. When you start it, the campaign resolves the segment into its recipients and asks the policy for each one,
          right before the send, whether “{campaign.purposeName}” may reach them by {label(campaign.channel).toLowerCase()}.
        </p>
      </Notice>
    );
  }
  return null;
}

/** The workflow's own account while it runs: the phase, and how far it got. */
function ProgressSection({ campaign }: { campaign: Campaign }) {
  if (!isActive(campaign.status)) return null;
  const { progress, counts } = campaign;
  const share = progressShare(counts);
  const decided = counts.total - counts.pending;
  let text: string;
  if (!progress) text = 'The campaign workflow does not answer right now; the counts below come from the database.';
  else if (progress.status === 'waiting') text = `Waiting until ${formatDateTime(campaign.scheduledAt)}. Nothing is sent before then.`;
  else if (progress.status === 'cancelling') text = 'Cancelling: the current batch finishes, nobody else is mailed.';
  else if (progress.phase === 'resolving')
    text = `Finding the recipients in the segment: ${formatCount(progress.totals.recipients)} so far.`;
  else if (progress.paused) text = `Paused after ${formatCount(decided)} of ${formatCount(counts.total)} recipients. Resume to go on.`;
  else text = `Sending: ${formatCount(decided)} of ${formatCount(counts.total)} recipients decided.`;
  return (
    <Section id="campaign-progress" title="Progress" description="Live from the campaign workflow while it runs.">
      <p className="campaign-progress-text">{text}</p>
      <div
        className="campaign-progress"
        role="progressbar"
        aria-label="Recipients decided"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={share}
        aria-valuetext={`${share}%`}
      >
        <span className="campaign-progress-fill" style={{ width: `${share}%` }} />
      </div>
    </Section>
  );
}

function ResultsSection({ campaign }: { campaign: Campaign }) {
  const { counts } = campaign;
  return (
    <Section id="campaign-results" title="Results" description="One outcome per recipient, as recorded in the database.">
      {counts.total === 0 ? (
        <EmptyState title={campaign.status === 'draft' ? 'Not started yet.' : 'No recipients.'}>
          {campaign.status === 'draft' ? <p>The recipients are resolved from the segment when the campaign starts.</p> : null}
        </EmptyState>
      ) : (
        <>
          <OutcomeBar counts={counts} size="large" />
          <dl className="campaign-figures">
            <div>
              <dt>Recipients</dt>
              <dd>{formatCount(counts.total)}</dd>
            </div>
            {OUTCOMES.filter((o) => o !== 'pending' || counts.pending > 0).map((outcome) => (
              <div key={outcome} className={`campaign-figure-${outcome}`} title={OUTCOME[outcome].hint}>
                <dt>
                  <span className={`campaign-swatch campaign-bar-${outcome}`} aria-hidden="true" /> {OUTCOME[outcome].label}
                </dt>
                <dd>{formatCount(counts[outcome])}</dd>
              </div>
            ))}
          </dl>
          <EngagementBars campaign={campaign} size="large" />
        </>
      )}
    </Section>
  );
}

function SkippedSection({ campaign }: { campaign: Campaign }) {
  const reasons = campaign.skippedByReason;
  const max = reasons.reduce((m, r) => Math.max(m, r.count), 0);
  return (
    <Section
      id="campaign-skipped"
      title="Skipped, by reason"
      description="Why the policy (or the campaign) did not send. A recipient can have more than one reason."
    >
      {reasons.length === 0 ? (
        <EmptyState title={campaign.counts.skipped === 0 ? 'Nobody skipped.' : 'No reasons recorded.'} />
      ) : (
        <ul className="campaign-reasons">
          {reasons.map(({ code, count }) => {
            const reason = describeReason(code);
            return (
              <li key={code} className="campaign-reason">
                <div className="campaign-reason-head">
                  <span className="campaign-reason-title" title={code}>
                    {reason.title}
                  </span>
                  <span className="campaign-reason-count">{formatCount(count)}</span>
                </div>
                <CountBar count={count} max={max} label={reason.title} />
                <p className="small muted">
                  {reason.message}
                  {reason.article ? <span className="reason-article"> {reason.article}</span> : null}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

function RecipientsSection({ campaign }: { campaign: Campaign }) {
  const [outcome, setOutcome] = useState<RecipientOutcome | ''>('');
  const recipients = useInfiniteQuery(
    trpc.campaigns.recipients.infiniteQueryOptions(
      { campaignId: campaign.id, outcome: outcome === '' ? undefined : outcome, limit: RECIPIENTS_PAGE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  // The table follows the counts: whenever an outcome is recorded (or the campaign ends), it asks again.
  const { refetch } = recipients;
  const countsKey = `${campaign.status}:${OUTCOMES.map((o) => campaign.counts[o]).join(',')}`;
  const seenKey = useRef(countsKey);
  useEffect(() => {
    if (seenKey.current === countsKey) return;
    seenKey.current = countsKey;
    void refetch();
  }, [countsKey, refetch]);
  const rows = recipients.data?.pages.flatMap((p) => p.items) ?? [];
  const shownTotal = outcome === '' ? campaign.counts.total : campaign.counts[outcome];

  return (
    <Section
      id="campaign-recipients"
      title="Recipients"
      description="Everyone the segment held when the campaign started, with the outcome and its reasons."
      actions={
        <div className="field field-inline">
          <label htmlFor="recipients-outcome">Outcome</label>
          <select id="recipients-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as RecipientOutcome | '')}>
            <option value="">All ({formatCount(campaign.counts.total)})</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {OUTCOME[o].label} ({formatCount(campaign.counts[o])})
              </option>
            ))}
          </select>
        </div>
      }
    >
      {recipients.isPending ? (
        <Loading label="Loading the recipients…" />
      ) : recipients.isError ? (
        <ErrorNotice title="The recipients could not be loaded" error={recipients.error} onRetry={() => void recipients.refetch()} />
      ) : (
        <>
          <DataTable
            columns={['Contact', 'Outcome', 'Reasons', 'Decided', 'Sent', 'Message-ID']}
            rows={rows}
            caption="Recipients of the campaign"
            className="table-compact"
            framed={false}
            empty={
              <EmptyState
                title={
                  outcome !== ''
                    ? `No recipients with the outcome “${OUTCOME[outcome].label}”.`
                    : campaign.status === 'draft' || isActive(campaign.status)
                      ? 'No recipients yet.'
                      : 'No recipients.'
                }
              />
            }
          >
            {(row) => <RecipientTableRow key={row.contactId} row={row} />}
          </DataTable>
          <div className="campaign-more">
            <span className="muted small" role="status">
              {rows.length > 0 ? `${formatCount(rows.length)} of ${formatCount(shownTotal)} shown` : null}
            </span>
            {recipients.hasNextPage ? (
              <button
                type="button"
                className="button button-secondary button-small"
                onClick={() => void recipients.fetchNextPage()}
                disabled={recipients.isFetchingNextPage}
              >
                {recipients.isFetchingNextPage ? 'Loading…' : 'Show more'}
              </button>
            ) : null}
          </div>
        </>
      )}
    </Section>
  );
}

function RecipientTableRow({ row }: { row: RecipientRow }) {
  const outcome = OUTCOME[row.outcome];
  return (
    <tr>
      <td>
        <Link to={`/contacts/${row.contactId}`} className="row-link">
          {row.email ?? <span className="mono small">{shorten(row.contactId, 8)}</span>}
        </Link>
      </td>
      <td>
        <Badge tone={outcome.tone}>{outcome.label}</Badge>
      </td>
      <td>
        {row.reasonCodes.length === 0 && !row.smtpResponse ? <span className="muted">—</span> : null}
        {row.reasonCodes.map((code) => {
          const reason = describeReason(code);
          return (
            <span key={code} className="block" title={`${code}: ${reason.message}`}>
              {reason.title}
            </span>
          );
        })}
        {row.smtpResponse ? <span className="mono small block">{row.smtpResponse}</span> : null}
      </td>
      <td className="nowrap small">
        <Time value={row.decidedAt} />
      </td>
      <td className="nowrap small">
        <Time value={row.sentAt} />
      </td>
      <td className="mono small" title={row.messageId ?? undefined}>
        {row.messageId ? shorten(row.messageId.replace(/^</, ''), 14) : <span className="muted">—</span>}
      </td>
    </tr>
  );
}
