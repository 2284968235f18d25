import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, type Tone } from '../../components/badge.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { EmptyState } from '../../components/feedback.tsx';
import type { CommitResult, Outcome, ReportRow } from './import-file.ts';

const OUTCOME: Record<Outcome, { tone: Tone; text: string; filter: string }> = {
  create: { tone: 'success', text: 'Create', filter: 'To create' },
  merge: { tone: 'info', text: 'Merge', filter: 'To merge' },
  reject: { tone: 'danger', text: 'Reject', filter: 'Rejected' },
};

/** Rows shown at once: a 10,000-row report stays responsive. */
const PAGE = 100;

const contactLink = (id: string, text = 'Open the contact') => (
  <Link to={`/contacts/${id}`} target="_blank" rel="noreferrer" title="Opens in a new tab">
    {text}
  </Link>
);

/** The dry run's rows with their outcome and reasons, filtered by outcome. */
export function ImportReport({ rows }: { rows: readonly ReportRow[] }) {
  const [filter, setFilter] = useState<Outcome | 'all'>('all');
  const [shown, setShown] = useState(PAGE);
  const visible = filter === 'all' ? rows : rows.filter((r) => r.outcome === filter);
  const count = (outcome: Outcome) => rows.filter((r) => r.outcome === outcome).length;
  const choose = (next: Outcome | 'all') => {
    setFilter(next);
    setShown(PAGE);
  };
  return (
    <div className="import-report">
      <div className="import-filter" role="group" aria-label="Show rows">
        <button
          type="button"
          className="button button-small button-secondary import-filter-button"
          aria-pressed={filter === 'all'}
          onClick={() => choose('all')}
        >
          All ({rows.length.toLocaleString('en-GB')})
        </button>
        {(Object.keys(OUTCOME) as Outcome[]).map((outcome) => (
          <button
            key={outcome}
            type="button"
            className="button button-small button-secondary import-filter-button"
            aria-pressed={filter === outcome}
            onClick={() => choose(outcome)}
          >
            {OUTCOME[outcome].filter} ({count(outcome).toLocaleString('en-GB')})
          </button>
        ))}
      </div>
      <DataTable
        columns={[
          { label: 'Row', className: 'numeric' },
          'Outcome',
          'Why',
          { label: 'Consents', className: 'numeric', title: 'Consent events the row records' },
        ]}
        rows={visible.slice(0, shown)}
        caption="What the import would do with each row"
        className="table-compact import-table"
        empty={<EmptyState title="No rows with this outcome" />}
      >
        {(row) => (
          <tr key={row.row} data-outcome={row.outcome}>
            <td className="numeric">{row.row}</td>
            <td>
              <Badge tone={OUTCOME[row.outcome].tone}>{OUTCOME[row.outcome].text}</Badge>
            </td>
            <td>
              {row.outcome === 'merge' && row.contactId ? (
                <p className="import-merge-target">Into the existing contact with this address. {contactLink(row.contactId)}</p>
              ) : null}
              {row.reasons.length > 0 ? (
                <ul className="reasons import-reasons">
                  {row.reasons.map((reason, i) => (
                    <li key={`${reason.code}-${reason.field ?? ''}-${i}`}>
                      <span className={row.outcome === 'reject' ? 'reason-code' : 'reason-code import-note-code'}>{reason.code}</span>
                      <span className="reason-message">
                        {reason.message}
                        {reason.contactId ? <> {contactLink(reason.contactId)}</> : null}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : row.outcome === 'create' ? (
                <span className="muted">A new contact.</span>
              ) : null}
            </td>
            <td className="numeric">{row.consents}</td>
          </tr>
        )}
      </DataTable>
      {visible.length > shown ? (
        <p className="import-more">
          Showing {shown.toLocaleString('en-GB')} of {visible.length.toLocaleString('en-GB')} rows.{' '}
          <button type="button" className="button button-small button-secondary" onClick={() => setShown(shown + PAGE)}>
            Show {Math.min(PAGE, visible.length - shown)} more
          </button>
        </p>
      ) : null}
    </div>
  );
}

const COMMITTED: Record<CommitResult['rows'][number]['outcome'], { tone: Tone; text: string }> = {
  created: { tone: 'success', text: 'Created' },
  merged: { tone: 'info', text: 'Merged' },
  rejected: { tone: 'muted', text: 'Not imported' },
};

/** What was written, with a link to every contact created or merged. */
export function ImportResult({ rows }: { rows: CommitResult['rows'] }) {
  const [shown, setShown] = useState(PAGE);
  const written = rows.filter((r) => r.contactId !== null);
  return (
    <>
      <DataTable
        columns={[{ label: 'Row', className: 'numeric' }, 'Outcome', 'Contact']}
        rows={written.slice(0, shown)}
        caption="Contacts created or merged"
        className="table-compact"
        empty={<EmptyState title="No contact was written" />}
      >
        {(row) => (
          <tr key={row.row}>
            <td className="numeric">{row.row}</td>
            <td>
              <Badge tone={COMMITTED[row.outcome].tone}>{COMMITTED[row.outcome].text}</Badge>
            </td>
            <td>{row.contactId ? <Link to={`/contacts/${row.contactId}`}>Open the contact</Link> : null}</td>
          </tr>
        )}
      </DataTable>
      {written.length > shown ? (
        <p className="import-more">
          <button type="button" className="button button-small button-secondary" onClick={() => setShown(shown + PAGE)}>
            Show more
          </button>
        </p>
      ) : null}
    </>
  );
}
