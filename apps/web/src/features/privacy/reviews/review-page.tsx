import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { addDays, format } from 'date-fns';
import { useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useParams } from 'react-router';
import { Badge } from '../../../components/badge.tsx';
import { ErrorNotice, Loading, Notice } from '../../../components/feedback.tsx';
import { FormServerError, showServerError, TextAreaField, TextField } from '../../../components/form-fields.tsx';
import { PageHeader, Section } from '../../../components/page-header.tsx';
import { RecordLoadError } from '../../../components/record-load-error.tsx';
import { Time } from '../../../components/time.tsx';
import { describeError } from '../../../lib/errors.ts';
import { trpc } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { PrivacyNav } from '../privacy-nav.tsx';
import { isSnoozePath, ZSnoozeForm, type SnoozeFormValues } from './review-forms.schema.ts';
import { EVENT_LABEL, formatDay, recurrenceLabel, REVIEW_STATUS, SUBJECT_TYPE_LABEL } from './review-labels.ts';
import { invalidateReviews, useReview, type ReviewDetail } from './use-reviews.ts';
import './reviews.css';

/** One review: what it is about, its dates, its history; the DPO marks it done or snoozes it with a reason. */
export function ReviewPage() {
  const { id = '' } = useParams();
  const review = useReview(id);
  if (review.isPending) return <Loading label="Loading the review…" />;
  if (review.isError) {
    return (
      <RecordLoadError
        noun="Review"
        error={review.error}
        notFoundCode="REVIEW_NOT_FOUND"
        back={<Link to="/privacy/reviews">Back to the reviews</Link>}
        onRetry={() => void review.refetch()}
      />
    );
  }
  return <ReviewView review={review.data} />;
}

function ReviewView({ review }: { review: ReviewDetail }) {
  const user = useSessionUser();
  const mayManage = can(user.role, 'privacy.manage') && review.status !== 'done';
  const status = REVIEW_STATUS[review.status] ?? { label: review.status, tone: 'neutral' as const };
  const done = useMutation(trpc.reviews.done.mutationOptions({ onSuccess: () => invalidateReviews() }));
  const subjectLabel = SUBJECT_TYPE_LABEL[review.subjectType] ?? review.subjectType;

  return (
    <>
      <title>{`${review.title} · Reviews · Zweck`}</title>
      <PrivacyNav />
      <p className="small">
        <Link to="/privacy/reviews">← All reviews</Link>
      </p>
      <PageHeader
        title={review.title}
        meta={
          <>
            <Badge tone={status.tone}>{status.label}</Badge> {review.isOverdue ? <Badge tone="danger">Overdue</Badge> : null}{' '}
            {review.escalatedAt !== null && review.status !== 'done' ? <Badge tone="danger">Escalated</Badge> : null}
          </>
        }
        actions={
          mayManage ? (
            <button
              type="button"
              className="button button-primary"
              disabled={done.isPending}
              onClick={() => done.mutate({ id: review.id })}
            >
              {done.isPending ? 'Saving…' : 'Mark done'}
            </button>
          ) : null
        }
      />
      {done.isError ? <ErrorNotice title="The review was not marked done" error={done.error} /> : null}
      {review.status === 'done' ? (
        <Notice tone="success" title="Done">
          <p>
            Done <Time value={review.doneAt} />
            {review.doneByName ? ` by ${review.doneByName}` : ''}.
            {review.nextId ? (
              <>
                {' '}
                <Link to={`/privacy/reviews/${review.nextId}`}>Open the next review</Link>
              </>
            ) : null}
          </p>
        </Notice>
      ) : null}
      <div className="grid-2">
        <Section id="review-details" title="Details">
          <dl className="facts">
            <Fact term="About">
              {subjectLabel}:{' '}
              {review.subjectPath ? <Link to={review.subjectPath}>{review.subjectId}</Link> : <code>{review.subjectId}</code>}
            </Fact>
            <Fact term="Due">
              <span data-testid="review-due">{formatDay(review.dueOn)}</span>
              {review.snoozedUntil !== null ? (
                <span className="small muted"> (snoozed; first due {formatDay(review.originalDueOn)})</span>
              ) : null}
            </Fact>
            {review.snoozeReason !== null ? <Fact term="Snoozed because">{review.snoozeReason}</Fact> : null}
            <Fact term="Recurrence">{recurrenceLabel(review.recurrenceMonths)}</Fact>
            <Fact term="Reminder">{review.reminderLeadDays} days before it is due</Fact>
            <Fact term="Escalation">to the administrators {review.escalateAfterDays} days after it became overdue</Fact>
            {review.notes !== '' ? (
              <Fact term="Notes">
                <span className="mail-text">{review.notes}</span>
              </Fact>
            ) : null}
            {review.previousId ? (
              <Fact term="Previous review">
                <Link to={`/privacy/reviews/${review.previousId}`}>Open</Link>
              </Fact>
            ) : null}
          </dl>
        </Section>
        {mayManage ? (
          <Section
            id="review-snooze"
            title="Snooze"
            description="Move the review to a later day. The reminders start again from there; the reason is kept in the history."
          >
            <SnoozeForm review={review} />
          </Section>
        ) : null}
      </div>
      <Section id="review-history" title="History">
        <ol className="review-history" aria-label="Review history">
          {review.events.map((e) => (
            <li key={e.id}>
              <strong>{EVENT_LABEL[e.kind] ?? e.kind}</strong>{' '}
              <span className="small muted">
                <Time value={e.occurredAt} />
              </span>
              {e.actorName ? <span className="small"> · {e.actorName}</span> : null}
              {e.kind === 'snoozed' && typeof e.details.until === 'string' ? (
                <span className="block small">
                  until {formatDay(e.details.until)}
                  {typeof e.details.reason === 'string' ? `: ${e.details.reason}` : ''}
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      </Section>
    </>
  );
}

function SnoozeForm({ review }: { review: ReviewDetail }) {
  const later = format(
    addDays(new Date(`${review.dueOn > format(new Date(), 'yyyy-MM-dd') ? review.dueOn : format(new Date(), 'yyyy-MM-dd')}T12:00:00`), 14),
    'yyyy-MM-dd',
  );
  const form = useForm<SnoozeFormValues>({ resolver: zodResolver(ZSnoozeForm), defaultValues: { until: later, reason: '' } });
  const { errors, isSubmitting } = form.formState;
  const snooze = useMutation(trpc.reviews.snooze.mutationOptions());
  const [saved, setSaved] = useState<string | null>(null);
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const result = await snooze.mutateAsync({ id: review.id, ...values });
      await invalidateReviews();
      setSaved(result.dueOn);
      form.reset({ until: values.until, reason: '' });
    } catch (error) {
      showServerError(form.setError, error, isSnoozePath);
    }
  });
  return (
    <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Snooze the review">
      <FormServerError title="The review was not snoozed" error={errors.root?.server} />
      {saved ? <p role="status">Snoozed until {formatDay(saved)}.</p> : null}
      <TextField id="snooze-until" label="Until" type="date" required registration={form.register('until')} error={errors.until} />
      <TextAreaField id="snooze-reason" label="Reason" required rows={2} registration={form.register('reason')} error={errors.reason} />
      <div className="form-actions">
        <button type="submit" className="button button-secondary" disabled={isSubmitting || snooze.isPending}>
          {isSubmitting || snooze.isPending ? 'Saving…' : 'Snooze'}
        </button>
      </div>
      {snooze.isError && !errors.root && !errors.until && !errors.reason ? (
        <p className="field-error">{describeError(snooze.error)}</p>
      ) : null}
    </form>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
