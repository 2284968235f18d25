import { Badge } from '../../components/badge.tsx';
import { Section } from '../../components/page-header.tsx';
import { Time } from '../../components/time.tsx';

/**
 * The erasure verifier's report as the workflow returns it (`ErasureVerification` in
 * workflows/definitions/src/erasure.contracts.ts). The web may not import the workflows, so the
 * shape is written here; D1's request router passes it through unchanged. Counts and places only:
 * the report never carries the identifiers it searched for.
 */
export interface ErasureVerificationView {
  verifiedAt: string;
  clean: boolean;
  hits: Array<{ store: 'database' | 'mail_log' | 'mail_sink' | 'temporal'; where: string; count: number }>;
  searched?: { database: { tables: number; columns: number }; mailSink: { messages: number } | null; temporal: { histories: number } };
}

export const ERASURE_STORE_LABELS: Record<ErasureVerificationView['hits'][number]['store'], string> = {
  database: 'Database',
  mail_log: 'Mail log',
  mail_sink: 'SMTP sink store',
  temporal: 'Workflow histories',
};

/** One line per store: what was searched, for the DPO to judge what "clean" rests on. */
export function searchedSummary(searched: ErasureVerificationView['searched']): string[] {
  if (!searched) return [];
  return [
    `Database: ${searched.database.columns} text columns in ${searched.database.tables} tables, the mail log among them`,
    searched.mailSink ? `SMTP sink store: ${searched.mailSink.messages} messages` : 'SMTP sink store: none runs in this installation',
    `Workflow histories still on the server: ${searched.temporal.histories}`,
  ];
}

/**
 * The verifier's report for the request page (Art. 17 GDPR: zero hits, or the erasure is not
 * done): whether every store was found clean, and otherwise where (table and column, or workflow)
 * the person's identifiers were still found and how often.
 */
export function ErasureReport({ verification }: { verification: ErasureVerificationView }) {
  const summary = searchedSummary(verification.searched);
  return (
    <Section
      id="erasure-report"
      title="Erasure verification"
      description="After the erasure, every store was searched for the person’s address, name and phone number."
    >
      <p data-testid="erasure-verdict">
        {verification.clean ? (
          <Badge tone="success">No trace found</Badge>
        ) : (
          <Badge tone="danger" title="The erasure is not done until every store is clean">
            Traces found: erasure not complete
          </Badge>
        )}{' '}
        <span className="muted">
          verified <Time value={verification.verifiedAt} />
        </span>
      </p>
      {verification.hits.length > 0 ? (
        <table className="table" data-testid="erasure-hits">
          <thead>
            <tr>
              <th scope="col">Store</th>
              <th scope="col">Where</th>
              <th scope="col">Hits</th>
            </tr>
          </thead>
          <tbody>
            {verification.hits.map((hit) => (
              <tr key={`${hit.store}:${hit.where}`}>
                <td>{ERASURE_STORE_LABELS[hit.store]}</td>
                <td>
                  <code className="mono">{hit.where}</code>
                </td>
                <td>{hit.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {summary.length > 0 ? (
        <ul className="muted" data-testid="erasure-searched">
          {summary.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
