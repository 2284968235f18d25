import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Badge } from '../../../components/badge.tsx';
import { DataTable } from '../../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading } from '../../../components/feedback.tsx';
import { FormServerError, SelectField, showServerError } from '../../../components/form-fields.tsx';
import { PageHeader, Section } from '../../../components/page-header.tsx';
import { Time } from '../../../components/time.tsx';
import { useDebouncedValue } from '../../../lib/use-debounced-value.ts';
import { trpc } from '../../../lib/trpc.ts';
import { can } from '../../auth/permissions.ts';
import { useSessionUser } from '../../auth/session.tsx';
import { PrivacyNav } from '../privacy-nav.tsx';
import { countdown, countdownTone, IDENTITY_METHOD_LABEL, STATUS, TYPE_LABEL, TYPES } from './request-labels.ts';
import { isNewRequestPath, ZNewRequestForm, type NewRequestFormValues } from './request-forms.schema.ts';
import { invalidateRequests, useRequestList, type RequestListInput, type RequestListItem } from './use-requests.ts';

const STATUS_FILTERS = { active: 'Open requests', closed: 'Closed', all: 'All' } as const;
const DUE_FILTERS = { any: 'Any due date', overdue: 'Overdue', within_7_days: 'Due within 7 days' } as const;

/** The queue of data-subject requests: type, receipt, due date with its countdown, status; filters in the URL. */
export function RequestsPage() {
  const user = useSessionUser();
  const [params, setParams] = useSearchParams();
  const [isCreating, setCreating] = useState(false);
  const status = (params.get('status') ?? 'active') as keyof typeof STATUS_FILTERS;
  const due = (params.get('due') ?? 'any') as keyof typeof DUE_FILTERS;
  const type = params.get('type') ?? '';
  const input: RequestListInput = {
    status: status in STATUS_FILTERS ? status : 'active',
    ...(due === 'overdue' || due === 'within_7_days' ? { due } : {}),
    ...(TYPES.includes(type) ? { type: type as NonNullable<RequestListInput['type']> } : {}),
  };
  const list = useRequestList(input);
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value === '' || value === 'any') next.delete(key);
    else next.set(key, value);
    setParams(next);
  };

  return (
    <>
      <title>Requests · Privacy · Zweck</title>
      <PrivacyNav />
      <PageHeader
        title="Data-subject requests"
        subtitle="Access, rectification, erasure, restriction, portability, objection and origin inquiries. Each must be answered within one month of receipt; an extension of up to two months needs a reason (Art. 12(3) GDPR)."
        actions={
          can(user.role, 'privacy.manage') && !isCreating ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              New request
            </button>
          ) : null
        }
      />
      {isCreating ? <NewRequestSection onCancel={() => setCreating(false)} /> : null}
      <Section id="requests-queue" title="Queue">
        <div className="toolbar" role="group" aria-label="Filters">
          <label>
            Status{' '}
            <select value={input.status} onChange={(e) => setFilter('status', e.target.value)}>
              {Object.entries(STATUS_FILTERS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Due{' '}
            <select value={due in DUE_FILTERS ? due : 'any'} onChange={(e) => setFilter('due', e.target.value)}>
              {Object.entries(DUE_FILTERS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Type{' '}
            <select value={input.type ?? ''} onChange={(e) => setFilter('type', e.target.value)}>
              <option value="">Any type</option>
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABEL[t]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {list.isPending ? (
          <Loading label="Loading the requests…" />
        ) : list.isError ? (
          <ErrorNotice title="The requests could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <DataTable
            columns={['Request', 'Type', 'Received', 'Due', 'Status']}
            rows={list.data}
            caption="Data-subject requests"
            empty={<EmptyState title="No requests match these filters." />}
          >
            {(request) => <RequestRow key={request.id} request={request} />}
          </DataTable>
        )}
      </Section>
    </>
  );
}

function RequestRow({ request }: { request: RequestListItem }) {
  const status = STATUS[request.status] ?? { label: request.status, tone: 'neutral' as const };
  return (
    <tr>
      <td>
        <Link to={`/privacy/requests/${request.id}`} className="row-link">
          {request.reference}
        </Link>
        <span className="small muted block">{request.intake === 'web_form' ? 'Public form' : 'Entered by staff'}</span>
      </td>
      <td>{TYPE_LABEL[request.type] ?? request.type}</td>
      <td className="nowrap small">
        <Time value={request.receivedAt} />
      </td>
      <td className="nowrap small">
        <Time value={request.effectiveDueAt} /> {request.isExtended ? <Badge tone="muted">extended</Badge> : null}
        {request.daysLeft !== null ? (
          <span className="block">
            <Badge tone={countdownTone(request.daysLeft)}>{countdown(request.daysLeft)}</Badge>
          </span>
        ) : null}
      </td>
      <td>
        <Badge tone={status.tone}>{status.label}</Badge>
      </td>
    </tr>
  );
}

/** A request received by staff: find the contact, choose the right and how the identity was checked. */
function NewRequestSection({ onCancel }: { onCancel: () => void }) {
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const debounced = useDebouncedValue(search, 250);
  const contacts = useQuery({
    ...trpc.contacts.list.queryOptions({ search: debounced, limit: 20 }),
    enabled: debounced.trim().length >= 2,
  });
  const form = useForm<NewRequestFormValues>({
    resolver: zodResolver(ZNewRequestForm),
    defaultValues: { contactId: '', type: 'access', identityMethod: 'known_address' },
  });
  const { errors, isSubmitting } = form.formState;
  const create = useMutation(trpc.requests.create.mutationOptions());
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const { id } = await create.mutateAsync(values);
      await invalidateRequests();
      await navigate(`/privacy/requests/${id}`);
    } catch (error) {
      showServerError(form.setError, error, isNewRequestPath);
    }
  });

  return (
    <Section
      id="requests-new"
      title="New request"
      description="A request that reached us by letter, phone, in person or by mail to the DPO."
    >
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="New request">
        <FormServerError title="The request was not saved" error={errors.root?.server} />
        <div className="field">
          <label htmlFor="request-contact-search">Find the contact</label>
          <input
            id="request-contact-search"
            type="search"
            value={search}
            placeholder="Name or e-mail address"
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <SelectField id="request-contact" label="Contact" registration={form.register('contactId')} error={errors.contactId}>
          <option value="">{debounced.trim().length < 2 ? 'Type at least two characters above' : 'Choose…'}</option>
          {(contacts.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {[c.firstName, c.lastName].filter(Boolean).join(' ') || '(no name)'} · {c.email}
            </option>
          ))}
        </SelectField>
        <SelectField id="request-type" label="Type" registration={form.register('type')} error={errors.type}>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABEL[t]}
            </option>
          ))}
        </SelectField>
        <SelectField
          id="request-identity"
          label="Identity checked by"
          registration={form.register('identityMethod')}
          error={errors.identityMethod}
        >
          {Object.entries(IDENTITY_METHOD_LABEL)
            .filter(([value]) => value !== 'email_verification')
            .map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
        </SelectField>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={isSubmitting}>
            {isSubmitting ? 'Saving…' : 'Save request'}
          </button>
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Section>
  );
}
