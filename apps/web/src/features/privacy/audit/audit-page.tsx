import { zodResolver } from '@hookform/resolvers/zod';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { DataTable } from '../../../components/data-table.tsx';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../../components/feedback.tsx';
import { TextField } from '../../../components/form-fields.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { Time } from '../../../components/time.tsx';
import { trpc, type RouterInputs } from '../../../lib/trpc.ts';
import { PrivacyNav } from '../privacy-nav.tsx';
import './audit.css';

type ListInput = RouterInputs['audit']['list'];

const ZFilters = z
  .object({
    actor: z.string().trim().max(200),
    action: z.string().trim().max(200),
    entityType: z.string().trim().max(100),
    entityId: z.string().trim().max(200),
    from: z.union([z.literal(''), z.iso.date('A date as YYYY-MM-DD')]),
    to: z.union([z.literal(''), z.iso.date('A date as YYYY-MM-DD')]),
  })
  .refine((f) => f.from === '' || f.to === '' || f.from <= f.to, { path: ['to'], message: 'On or after the first day' });
type Filters = z.infer<typeof ZFilters>;
const NO_FILTERS: Filters = { actor: '', action: '', entityType: '', entityId: '', from: '', to: '' };

/** Days as whole UTC days: from the start of the first to the end of the last. */
const toListInput = (f: Filters): ListInput => ({
  actor: f.actor || undefined,
  action: f.action || undefined,
  entityType: f.entityType || undefined,
  entityId: f.entityId || undefined,
  from: f.from ? `${f.from}T00:00:00.000Z` : undefined,
  to: f.to ? `${f.to}T23:59:59.999Z` : undefined,
  limit: 50,
});

const REASONS: Record<'prev_hash' | 'hash', string> = {
  prev_hash: 'it does not point to the entry before it (an entry was removed or changed)',
  hash: 'its content no longer matches its hash',
};

function VerifyChain() {
  const verify = useMutation(trpc.audit.verify.mutationOptions());
  return (
    <div className="audit-verify">
      <button type="button" className="button button-primary" disabled={verify.isPending} onClick={() => verify.mutate()}>
        {verify.isPending ? 'Verifying…' : 'Verify chain'}
      </button>
      <div aria-live="polite">
        {verify.isError ? <ErrorNotice title="The chain could not be verified" error={verify.error} /> : null}
        {verify.data?.ok === true ? (
          <Notice tone="success" title="The chain is intact">
            <p>All {verify.data.checked} entries link to the one before and match their hashes.</p>
          </Notice>
        ) : null}
        {verify.data?.ok === false ? (
          <Notice tone="warning" title="The chain is broken">
            <p>
              The first broken link is entry <span className="mono">{verify.data.brokenAt}</span>: {REASONS[verify.data.reason]} (
              {verify.data.checked} entries checked).
            </p>
          </Notice>
        ) : null}
      </div>
    </div>
  );
}

/** The audit log, newest first, with filters and the check of its hash chain (Art. 5(2), 32 GDPR). */
export function AuditPage() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The cursors of the pages before the current one, to go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const list = useQuery({
    ...trpc.audit.list.queryOptions({ ...toListInput(filters), ...(cursor ? { cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const form = useForm<Filters>({ resolver: zodResolver(ZFilters), defaultValues: NO_FILTERS });
  const { errors } = form.formState;
  const onFilter = form.handleSubmit((values) => {
    setFilters(values);
    setCursors([]);
  });

  return (
    <>
      <title>Audit log · Privacy · Zweck</title>
      <PageHeader
        title="Audit log"
        subtitle="Who did what, and when. Append-only: the database refuses changes, and every entry carries the hash of the one before, so that a change made behind its back shows."
        actions={<VerifyChain />}
      />
      <PrivacyNav />
      <form className="form filter-form" onSubmit={(e) => void onFilter(e)} noValidate aria-label="Filter the audit log">
        <div className="audit-filter-grid">
          <TextField
            id="audit-actor"
            label="Actor"
            registration={form.register('actor')}
            error={errors.actor}
            hint="Part of it, e.g. user:<id> or system:"
          />
          <TextField
            id="audit-action"
            label="Action"
            registration={form.register('action')}
            error={errors.action}
            hint="Or its beginning, e.g. contact."
          />
          <TextField id="audit-entity-type" label="Entity type" registration={form.register('entityType')} error={errors.entityType} />
          <TextField id="audit-entity-id" label="Entity ID" registration={form.register('entityId')} error={errors.entityId} />
          <TextField id="audit-from" label="From" type="date" registration={form.register('from')} error={errors.from} />
          <TextField id="audit-to" label="To" type="date" registration={form.register('to')} error={errors.to} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-secondary">
            Filter
          </button>
        </div>
      </form>

      {list.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : list.isError ? (
        <ErrorNotice title="The audit log could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <DataTable
            columns={['#', 'When', 'Actor', 'Action', 'Entity', 'Details', 'Hash']}
            rows={list.data.items}
            caption="Audit entries, newest first"
            className="table-compact audit-table"
            empty={<EmptyState title="No entries match." />}
          >
            {(e) => (
              <tr key={e.id}>
                <td className="mono">{e.id}</td>
                <td className="nowrap">
                  <Time value={e.at} />
                </td>
                <td className="mono small">{e.actor}</td>
                <td className="mono small">{e.action}</td>
                <td className="mono small">
                  {e.entityType}
                  {e.entityId ? `:${e.entityId}` : ''}
                </td>
                <td className="mono small">{JSON.stringify(e.details)}</td>
                <td className="mono small" title={e.hash}>
                  {e.hash.slice(0, 12)}…
                </td>
              </tr>
            )}
          </DataTable>
          <div className="form-actions">
            <button
              type="button"
              className="button button-secondary"
              disabled={cursors.length === 0}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              Newer
            </button>
            <button
              type="button"
              className="button button-secondary"
              disabled={list.data.nextCursor === null}
              onClick={() => {
                const next = list.data.nextCursor;
                if (next !== null) setCursors((c) => [...c, next]);
              }}
            >
              Older
            </button>
          </div>
        </>
      )}
    </>
  );
}
