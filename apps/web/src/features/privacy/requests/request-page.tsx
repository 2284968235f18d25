import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useParams } from 'react-router';
import { Badge } from '../../../components/badge.tsx';
import { DataTable } from '../../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../../components/feedback.tsx';
import { FormServerError, SelectField, showServerError, TextAreaField, TextField } from '../../../components/form-fields.tsx';
import { PageHeader, Section } from '../../../components/page-header.tsx';
import { RecordLoadError } from '../../../components/record-load-error.tsx';
import { Time } from '../../../components/time.tsx';
import { describeError, fieldOf } from '../../../lib/errors.ts';
import { trpc } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { PrivacyNav } from '../privacy-nav.tsx';
import { SubjectArchiveCard } from '../subject-archive-card.tsx';
import {
  extendedDueAt,
  isExtendPath,
  isRectifyPath,
  isStatusPath,
  ZExtendForm,
  ZRectifyForm,
  ZStatusForm,
  type ExtendFormValues,
  type RectifyFormValues,
  type StatusFormValues,
} from './request-forms.schema.ts';
import {
  countdown,
  countdownTone,
  EVENT_LABEL,
  eventSummary,
  IDENTITY_METHOD_LABEL,
  INTAKE_LABEL,
  STATUS,
  TYPE_LABEL,
} from './request-labels.ts';
import { invalidateRequests, useRequest, type RequestDetail } from './use-requests.ts';

/** One request: timeline, identity check, due date and extension, the type's action, notices, artefacts. */
export function RequestPage() {
  const { id = '' } = useParams();
  const request = useRequest(id);
  if (request.isPending) return <Loading label="Loading the request…" />;
  if (request.isError) {
    return (
      <RecordLoadError
        noun="Request"
        error={request.error}
        notFoundCode="REQUEST_NOT_FOUND"
        back={<Link to="/privacy/requests">Back to the requests</Link>}
        onRetry={() => void request.refetch()}
      />
    );
  }
  return <RequestView request={request.data} />;
}

const STATUS_CHOICES: Record<string, readonly StatusFormValues['status'][]> = {
  awaiting_verification: ['rejected'],
  open: ['in_progress', 'completed', 'rejected'],
  in_progress: ['open', 'completed', 'rejected'],
};

function RequestView({ request }: { request: RequestDetail }) {
  const user = useSessionUser();
  const isClosed = request.status === 'completed' || request.status === 'rejected';
  const mayManage = can(user.role, 'privacy.manage') && !isClosed;
  const status = STATUS[request.status] ?? { label: request.status, tone: 'neutral' as const };
  const title = `${request.reference} · ${TYPE_LABEL[request.type] ?? request.type}`;

  return (
    <>
      <title>{`${request.reference} · Requests · Zweck`}</title>
      <PrivacyNav />
      <p className="small">
        <Link to="/privacy/requests">← All requests</Link>
      </p>
      <PageHeader
        title={title}
        meta={
          <>
            <Badge tone={status.tone}>{status.label}</Badge>{' '}
            {request.daysLeft !== null ? (
              <span data-testid="request-countdown">
                <Badge tone={countdownTone(request.daysLeft)}>{countdown(request.daysLeft)}</Badge>
              </span>
            ) : null}
          </>
        }
      />
      {isClosed ? (
        <Notice tone="success" title={status.label}>
          <p>
            Closed <Time value={request.closedAt} />
            {request.closingNote ? `: ${request.closingNote}` : '.'}
          </p>
        </Notice>
      ) : null}
      <div className="grid-2">
        <Section id="request-details" title="Details">
          <dl className="facts">
            <Fact term="Received">
              <Time value={request.receivedAt} /> · {INTAKE_LABEL[request.intake] ?? request.intake}
            </Fact>
            <Fact term="Due">
              <span data-testid="request-due">
                <Time value={request.effectiveDueAt} />
              </span>
              {request.isExtended ? (
                <span className="small muted">
                  {' '}
                  (extended; originally <Time value={request.dueAt} />)
                </span>
              ) : null}
            </Fact>
            {request.extensionReason ? <Fact term="Extended because">{request.extensionReason}</Fact> : null}
            <Fact term="Identity check">
              {request.identityCheck ? (
                <>
                  {IDENTITY_METHOD_LABEL[request.identityCheck.method] ?? request.identityCheck.method},{' '}
                  <Time value={request.identityCheck.verifiedAt} /> ({request.identityCheck.verifiedBy})
                </>
              ) : (
                'Not verified yet: the link mailed to the address has not been used.'
              )}
            </Fact>
            <Fact term="Person">
              {request.contact ? (
                <>
                  <Link to={`/contacts/${request.contact.id}`}>
                    {[request.contact.firstName, request.contact.lastName].filter(Boolean).join(' ') || request.contact.email}
                  </Link>{' '}
                  <Badge tone={request.contact.status === 'active' ? 'neutral' : 'warning'}>{request.contact.status}</Badge>
                </>
              ) : request.status === 'awaiting_verification' ? (
                'Matched once the identity is verified.'
              ) : (
                'No contact has this address: we hold no data about the person.'
              )}
            </Fact>
          </dl>
        </Section>
        {mayManage ? <StatusSection request={request} /> : null}
      </div>
      {mayManage ? <ExtendSection request={request} /> : null}
      {request.contact !== null && request.status !== 'awaiting_verification' ? (
        <ActionSection request={request} mayManage={mayManage} />
      ) : null}
      <NoticesSection request={request} />
      <Section id="request-timeline" title="Timeline">
        <ol aria-label="Request timeline">
          {request.timeline.map((e) => (
            <li key={e.id}>
              <strong>{EVENT_LABEL[e.kind] ?? e.kind}</strong>{' '}
              <span className="small muted">
                <Time value={e.at} />
              </span>
              <span className="small"> · {e.actor}</span>
              {eventSummary(e.kind, e.details) ? <span className="block small">{eventSummary(e.kind, e.details)}</span> : null}
            </li>
          ))}
        </ol>
      </Section>
    </>
  );
}

function StatusSection({ request }: { request: RequestDetail }) {
  const choices = STATUS_CHOICES[request.status] ?? [];
  const form = useForm<StatusFormValues>({
    resolver: zodResolver(ZStatusForm),
    defaultValues: { status: choices[0] ?? 'completed', note: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const setStatus = useMutation(trpc.requests.setStatus.mutationOptions());
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await setStatus.mutateAsync({ id: request.id, status: values.status, note: values.note });
      await invalidateRequests();
    } catch (error) {
      showServerError(form.setError, error, isStatusPath);
    }
  });
  return (
    <Section
      id="request-status"
      title="Status"
      description="Completing an erasure needs the verifier's clean report; a refusal needs the reason the person is told."
    >
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Change the status">
        <FormServerError title="The status was not changed" error={errors.root?.server} />
        <SelectField id="request-status-choice" label="New status" registration={form.register('status')} error={errors.status}>
          {choices.map((s) => (
            <option key={s} value={s}>
              {STATUS[s]?.label ?? s}
            </option>
          ))}
        </SelectField>
        <TextAreaField id="request-status-note" label="Closing note" rows={2} registration={form.register('note')} error={errors.note} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={isSubmitting}>
            {isSubmitting ? 'Saving…' : 'Set status'}
          </button>
        </div>
      </form>
    </Section>
  );
}

function ExtendSection({ request }: { request: RequestDetail }) {
  const form = useForm<ExtendFormValues>({
    resolver: zodResolver(ZExtendForm),
    defaultValues: { extendedOn: request.latestExtension.slice(0, 10), reason: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const extend = useMutation(trpc.requests.extend.mutationOptions());
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await extend.mutateAsync({ id: request.id, extendedDueAt: extendedDueAt(values.extendedOn, request.dueAt), reason: values.reason });
      await invalidateRequests();
      form.reset({ extendedOn: values.extendedOn, reason: '' });
    } catch (error) {
      // The API names its input `extendedDueAt`; the form holds the day as `extendedOn`.
      if (fieldOf(error) === 'extendedDueAt')
        form.setError('extendedOn', { type: 'server', message: describeError(error) }, { shouldFocus: true });
      else showServerError(form.setError, error, isExtendPath);
    }
  });
  return (
    <Section
      id="request-extend"
      title="Extend the period"
      description={
        <>
          At most two months past the original due date, until <Time value={request.latestExtension} />. The person is mailed the new date
          and this reason at once (Art. 12(3) GDPR), so write it for them; where we hold no address, the inbox asks you to tell them
          yourself.
        </>
      }
    >
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Extend the period">
        <FormServerError title="The period was not extended" error={errors.root?.server} />
        <TextField
          id="request-extend-until"
          label="New due date"
          type="date"
          required
          registration={form.register('extendedOn')}
          error={errors.extendedOn}
        />
        <TextAreaField
          id="request-extend-reason"
          label="Reason"
          required
          rows={2}
          registration={form.register('reason')}
          error={errors.reason}
        />
        <div className="form-actions">
          <button type="submit" className="button button-secondary" disabled={isSubmitting}>
            {isSubmitting ? 'Saving…' : 'Extend'}
          </button>
        </div>
      </form>
    </Section>
  );
}

/** The type's own action: what the right asks of us, done from here. */
function ActionSection({ request, mayManage }: { request: RequestDetail; mayManage: boolean }) {
  const contact = request.contact!;
  const restrict = useMutation(trpc.requests.restrict.mutationOptions({ onSuccess: () => invalidateRequests() }));
  const object = useMutation(trpc.requests.object.mutationOptions({ onSuccess: () => invalidateRequests() }));
  const erase = useMutation(trpc.requests.erase.mutationOptions({ onSuccess: () => invalidateRequests() }));
  const checkErasure = useMutation(trpc.requests.checkErasure.mutationOptions({ onSuccess: () => invalidateRequests() }));
  const button = (label: string, pending: boolean, onClick: () => void, tone = 'button-primary') => (
    <button type="button" className={`button ${tone}`} disabled={!mayManage || pending} onClick={onClick}>
      {pending ? 'Working…' : label}
    </button>
  );

  switch (request.type) {
    case 'access':
    case 'portability':
      return <SubjectArchiveCard contactId={contact.id} requestId={request.id} />;
    case 'restriction':
      return (
        <Section
          id="request-action"
          title="Restriction (Art. 18)"
          description="Only storage remains: no mail, no tracking, no scoring. Every running workflow of the person is told at once."
        >
          {contact.status === 'restricted' ? (
            <p role="status">The contact is restricted.</p>
          ) : (
            button('Restrict the contact', restrict.isPending, () => restrict.mutate({ id: request.id }))
          )}
          {restrict.isError ? <ErrorNotice title="The contact was not restricted" error={restrict.error} /> : null}
        </Section>
      );
    case 'objection':
      return (
        <Section
          id="request-action"
          title="Objection (Art. 21)"
          description="Recorded in the consent ledger as an objection to direct marketing on every channel, with immediate effect."
        >
          {contact.objectedAt !== null ? (
            <p role="status">
              The objection is recorded (<Time value={contact.objectedAt} />
              ).
            </p>
          ) : (
            button('Record the objection', object.isPending, () => object.mutate({ id: request.id }))
          )}
          {object.isError ? <ErrorNotice title="The objection was not recorded" error={object.error} /> : null}
        </Section>
      );
    case 'rectification':
      return <RectifySection request={request} mayManage={mayManage} />;
    case 'erasure':
      return (
        <Section
          id="request-action"
          title="Erasure (Art. 17)"
          description="Erases the person from every store (database, mail log, workflow histories); the verifier's report must be clean before the request can be completed."
        >
          {request.erasure === null ? (
            button('Erase the contact', erase.isPending, () => erase.mutate({ id: request.id, mode: 'erase' }), 'button-danger')
          ) : (
            <>
              <dl className="facts" data-testid="erasure-report">
                <Fact term="Erasure">{request.erasure.workflowStatus.toLowerCase()}</Fact>
                <Fact term="Verifier">
                  {request.erasure.clean === null
                    ? 'No report yet'
                    : request.erasure.clean
                      ? 'Clean: nothing found in any store'
                      : 'Identifiers found'}
                  {request.erasure.verifiedAt ? (
                    <>
                      {' '}
                      (<Time value={request.erasure.verifiedAt} />)
                    </>
                  ) : null}
                </Fact>
              </dl>
              {request.erasure.hits.length > 0 ? (
                <DataTable columns={['Store', 'Where', 'Hits']} rows={request.erasure.hits} caption="Verifier hits">
                  {(hit) => (
                    <tr key={`${hit.store}:${hit.where}`}>
                      <td>{hit.store}</td>
                      <td>
                        <code>{hit.where}</code>
                      </td>
                      <td className="numeric">{hit.count}</td>
                    </tr>
                  )}
                </DataTable>
              ) : null}
              {button(
                'Enter the report on the timeline',
                checkErasure.isPending,
                () => checkErasure.mutate({ id: request.id }),
                'button-secondary',
              )}
            </>
          )}
          {erase.isError ? <ErrorNotice title="The erasure did not start" error={erase.error} /> : null}
        </Section>
      );
    default:
      return (
        <Section
          id="request-action"
          title="Origin of the data"
          description="Answer with the provenance recorded for the person (Art. 14(2)(f), 15(1)(g))."
        >
          <p>
            The provenance of every value is on the <Link to={`/contacts/${contact.id}`}>contact page</Link>.
          </p>
        </Section>
      );
  }
}

function RectifySection({ request, mayManage }: { request: RequestDetail; mayManage: boolean }) {
  const contact = request.contact!;
  const form = useForm<RectifyFormValues>({
    resolver: zodResolver(ZRectifyForm),
    defaultValues: {
      email: contact.email,
      firstName: contact.firstName ?? '',
      lastName: contact.lastName ?? '',
      phone: contact.phone ?? '',
      organization: contact.organization ?? '',
    },
  });
  const { errors, isSubmitting } = form.formState;
  const rectify = useMutation(trpc.requests.rectify.mutationOptions());
  const [changed, setChanged] = useState<string[] | null>(null);
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const opt = (v: string) => (v === '' ? undefined : v);
      const result = await rectify.mutateAsync({
        id: request.id,
        values: {
          email: values.email,
          firstName: opt(values.firstName),
          lastName: opt(values.lastName),
          phone: opt(values.phone),
          organization: opt(values.organization),
          attributes: {},
        },
      });
      setChanged(result.changed);
      await invalidateRequests();
    } catch (error) {
      showServerError(form.setError, error, isRectifyPath);
    }
  });
  return (
    <Section
      id="request-action"
      title="Rectification (Art. 16)"
      description="Correct the values; each change keeps its provenance, and the recipients are told."
    >
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Rectify the contact">
        <FormServerError title="The values were not corrected" error={errors.root?.server} />
        {changed !== null ? <p role="status">{changed.length === 0 ? 'Nothing changed.' : `Corrected: ${changed.join(', ')}.`}</p> : null}
        <TextField id="rectify-email" label="E-mail address" required registration={form.register('email')} error={errors.email} />
        <TextField id="rectify-first-name" label="First name" registration={form.register('firstName')} error={errors.firstName} />
        <TextField id="rectify-last-name" label="Last name" registration={form.register('lastName')} error={errors.lastName} />
        <TextField id="rectify-phone" label="Phone" registration={form.register('phone')} error={errors.phone} />
        <TextField
          id="rectify-organization"
          label="Organisation"
          registration={form.register('organization')}
          error={errors.organization}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={!mayManage || isSubmitting}>
            {isSubmitting ? 'Saving…' : 'Save the correction'}
          </button>
        </div>
      </form>
    </Section>
  );
}

function NoticesSection({ request }: { request: RequestDetail }) {
  return (
    <Section
      id="request-notices"
      title="Art. 19 notices"
      description="The recipients of the person's data told of a rectification, erasure or restriction."
    >
      <DataTable
        columns={['Recipient', 'Change', 'Status', 'Sent', 'Message-ID']}
        rows={request.notices}
        caption="Art. 19 notices"
        empty={<EmptyState title="No notices (yet)." />}
      >
        {(n) => (
          <tr key={n.id}>
            <td>
              {n.processorName ? <Link to={`/privacy/processors/${n.processorId}`}>{n.processorName}</Link> : <code>{n.processorId}</code>}
            </td>
            <td>{n.change}</td>
            <td>
              <Badge tone={n.status === 'sent' ? 'success' : n.status === 'pending' ? 'info' : 'warning'}>{n.status}</Badge>
            </td>
            <td className="nowrap small">
              <Time value={n.sentAt} />
            </td>
            <td className="small">
              <code>{n.messageId ?? ''}</code>
            </td>
          </tr>
        )}
      </DataTable>
    </Section>
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
