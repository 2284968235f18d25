import { Link, useSearchParams } from 'react-router';
import { Badge } from '../../../components/badge.tsx';
import { DataTable } from '../../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../../components/feedback.tsx';
import { PageHeader, Section } from '../../../components/page-header.tsx';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { PrivacyNav } from '../privacy-nav.tsx';
import { isMonthKey, monthGrid, monthOf, monthTitle, shiftMonth, WEEKDAYS, type MonthKey } from './calendar.ts';
import { formatDay, recurrenceLabel, REVIEW_STATUS, SUBJECT_TYPE_LABEL } from './review-labels.ts';
import { useReviewList, type ReviewListItem } from './use-reviews.ts';
import './reviews.css';

/** The DPO's reviews ("Wiedervorlage"): the month calendar, what is due this week, what is overdue. */
export function ReviewsPage() {
  const user = useSessionUser();
  const [params, setParams] = useSearchParams();
  const requested = params.get('month');
  const month: MonthKey = isMonthKey(requested) ? requested : monthOf(new Date());

  return (
    <>
      <title>Reviews · Privacy · Zweck</title>
      <PrivacyNav />
      <PageHeader
        title="Reviews"
        subtitle="Dated reviews of purposes, processor contracts and policies. The DPO is reminded before a review is due, again when it is overdue, and the administrators after the escalation time."
        actions={
          can(user.role, 'privacy.manage') ? (
            <Link to="/privacy/reviews/new" className="button button-primary">
              New review
            </Link>
          ) : null
        }
      />
      <div className="grid-2">
        <ReviewListSection id="reviews-week" title="Due this week" view="week" empty="Nothing is due in the next seven days." />
        <ReviewListSection id="reviews-overdue" title="Overdue" view="overdue" empty="Nothing is overdue." />
      </div>
      <MonthCalendar month={month} onMonth={(m) => setParams({ month: m })} />
    </>
  );
}

function ReviewListSection({ id, title, view, empty }: { id: string; title: string; view: 'week' | 'overdue'; empty: string }) {
  const list = useReviewList({ view });
  return (
    <Section id={id} title={title}>
      {list.isPending ? (
        <Loading label="Loading the reviews…" />
      ) : list.isError ? (
        <ErrorNotice title="The reviews could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <DataTable columns={['Review', 'Due', 'Status']} rows={list.data} caption={title} empty={<EmptyState title={empty} />}>
          {(review) => <ReviewRow key={review.id} review={review} />}
        </DataTable>
      )}
    </Section>
  );
}

function ReviewRow({ review }: { review: ReviewListItem }) {
  const status = REVIEW_STATUS[review.status] ?? { label: review.status, tone: 'neutral' as const };
  return (
    <tr>
      <td>
        <Link to={`/privacy/reviews/${review.id}`} className="row-link">
          {review.title}
        </Link>
        <span className="small muted block">
          {SUBJECT_TYPE_LABEL[review.subjectType] ?? review.subjectType} · {recurrenceLabel(review.recurrenceMonths)}
        </span>
      </td>
      <td className="nowrap small">{formatDay(review.dueOn)}</td>
      <td>
        <Badge tone={status.tone}>{status.label}</Badge> {review.isOverdue ? <Badge tone="danger">Overdue</Badge> : null}{' '}
        {review.escalatedAt !== null && review.status !== 'done' ? <Badge tone="danger">Escalated</Badge> : null}
      </td>
    </tr>
  );
}

function MonthCalendar({ month, onMonth }: { month: MonthKey; onMonth: (month: MonthKey) => void }) {
  const list = useReviewList({ view: 'month', month });
  const byDay = new Map<string, ReviewListItem[]>();
  for (const review of list.data ?? []) byDay.set(review.dueOn, [...(byDay.get(review.dueOn) ?? []), review]);
  const weeks = monthGrid(month, new Date());
  const title = monthTitle(month);

  return (
    <Section
      id="reviews-calendar"
      title="Calendar"
      actions={
        <div className="calendar-toolbar">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => onMonth(shiftMonth(month, -1))}
            aria-label="Previous month"
          >
            ‹
          </button>
          <h3 aria-live="polite">{title}</h3>
          <button type="button" className="button button-secondary" onClick={() => onMonth(shiftMonth(month, 1))} aria-label="Next month">
            ›
          </button>
          <button type="button" className="button button-secondary" onClick={() => onMonth(monthOf(new Date()))}>
            Today
          </button>
        </div>
      }
    >
      {list.isError ? (
        <ErrorNotice title="The calendar could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : null}
      <table className="review-calendar" aria-label={`Reviews in ${title}`} aria-busy={list.isPending}>
        <thead>
          <tr>
            {WEEKDAYS.map((d) => (
              <th key={d} scope="col">
                {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]!.day}>
              {week.map((d) => {
                const reviews = byDay.get(d.day) ?? [];
                return (
                  <td
                    key={d.day}
                    data-day={d.day}
                    className={[d.isInMonth ? '' : 'is-outside', d.isToday ? 'is-today' : ''].filter(Boolean).join(' ') || undefined}
                    aria-current={d.isToday ? 'date' : undefined}
                  >
                    <span className="day-number">{d.dayOfMonth}</span>
                    {reviews.length > 0 ? (
                      <ul>
                        {reviews.map((r) => (
                          <li key={r.id}>
                            <Link
                              to={`/privacy/reviews/${r.id}`}
                              className={
                                r.status === 'done'
                                  ? 'is-done'
                                  : r.isOverdue
                                    ? 'is-overdue'
                                    : r.status === 'snoozed'
                                      ? 'is-snoozed'
                                      : undefined
                              }
                              title={`${r.title} (${REVIEW_STATUS[r.status]?.label ?? r.status})`}
                            >
                              {r.title}
                            </Link>
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
