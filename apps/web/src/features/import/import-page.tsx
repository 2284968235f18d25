import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { z } from 'zod';
import { ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { SelectField, TextField } from '../../components/form-fields.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { appCodeOf, asClientError, describeError, transportCodeOf } from '../../lib/errors.ts';
import { label } from '../../lib/labels.ts';
import { queryClient, trpc } from '../../lib/trpc.ts';
import { csvTemplate, formatSize, readImportFile, type ChosenFile, type DryRun, type ImportGuide } from './import-file.ts';
import { ImportReport, ImportResult } from './import-report.tsx';

type Step = 'choose' | 'review' | 'import';
const STEPS: { id: Step; title: string }[] = [
  { id: 'choose', title: 'Choose the file' },
  { id: 'review', title: 'Review the dry run' },
  { id: 'import', title: 'Import' },
];

const ZOptionsForm = z.object({
  source: z
    .string()
    .trim()
    .min(1, 'Say where the file came from, e.g. “Trade fair Berlin 2026, list of partner X”')
    .max(200, 'At most 200 characters'),
  defaultLegalBasis: z.enum(['', 'contract', 'legitimate_interest', 'legal_obligation']),
});
type OptionsForm = z.infer<typeof ZOptionsForm>;

interface Chosen {
  file: ChosenFile;
  source: string;
  defaultLegalBasis: Exclude<OptionsForm['defaultLegalBasis'], ''> | null;
}

export function ImportPage() {
  const guide = useQuery(trpc.import.guide.queryOptions());
  return (
    <>
      <title>Import contacts · Zweck</title>
      <PageHeader
        title="Import contacts"
        subtitle="Bring contacts in from a CSV file or a Zweck export. A dry run shows, row by row, what would be created, merged or rejected, before anything is written."
      />
      {guide.isPending ? (
        <Loading label="Loading the catalogues…" />
      ) : guide.isError ? (
        <ErrorNotice title="The catalogues could not be loaded" error={guide.error} onRetry={() => void guide.refetch()} />
      ) : (
        <ImportWizard guide={guide.data} />
      )}
    </>
  );
}

function ImportWizard({ guide }: { guide: ImportGuide }) {
  const [step, setStep] = useState<Step>('choose');
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [allowDuplicates, setAllowDuplicates] = useState(false);
  const dryRun = useMutation(trpc.import.dryRun.mutationOptions());
  const commit = useCommitImport();

  const runDryRun = async (next: Chosen, allowPossibleDuplicates: boolean): Promise<void> => {
    commit.reset();
    await dryRun
      .mutateAsync({
        format: next.file.format,
        content: next.file.content,
        source: next.source,
        defaultLegalBasis: next.defaultLegalBasis,
        allowPossibleDuplicates,
      })
      .then(() => setStep('review'))
      .catch(() => undefined); // shown from the mutation's state
  };

  const restart = () => {
    dryRun.reset();
    commit.reset();
    setChosen(null);
    setAllowDuplicates(false);
    setStep('choose');
  };

  return (
    <div className="import-wizard">
      <ol className="import-steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li
            key={s.id}
            className={s.id === step ? 'import-step import-step-current' : 'import-step'}
            aria-current={s.id === step ? 'step' : undefined}
          >
            <span className="import-step-number" aria-hidden="true">
              {i + 1}
            </span>
            {s.title}
          </li>
        ))}
      </ol>

      {step === 'choose' ? (
        <ChooseStep
          guide={guide}
          chosen={chosen}
          busy={dryRun.isPending}
          error={dryRun.error}
          onSubmit={(next) => {
            setChosen(next);
            void runDryRun(next, allowDuplicates);
          }}
        />
      ) : null}

      {step === 'review' && chosen && dryRun.data ? (
        <ReviewStep
          chosen={chosen}
          report={dryRun.data}
          allowDuplicates={allowDuplicates}
          busy={dryRun.isPending}
          error={dryRun.error}
          onAllowDuplicates={(allow) => {
            setAllowDuplicates(allow);
            void runDryRun(chosen, allow);
          }}
          onBack={() => setStep('choose')}
          onContinue={() => setStep('import')}
        />
      ) : null}

      {step === 'import' && chosen && dryRun.data ? (
        <CommitStep
          chosen={chosen}
          report={dryRun.data}
          allowDuplicates={allowDuplicates}
          commit={commit}
          onRerun={() => void runDryRun(chosen, allowDuplicates)}
          onBack={() => setStep('review')}
          onRestart={restart}
        />
      ) : null}
    </div>
  );
}

function ChooseStep({
  guide,
  chosen,
  busy,
  error,
  onSubmit,
}: {
  guide: ImportGuide;
  chosen: Chosen | null;
  busy: boolean;
  error: unknown;
  onSubmit: (chosen: Chosen) => void;
}) {
  const [file, setFile] = useState<ChosenFile | null>(chosen?.file ?? null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const form = useForm<OptionsForm>({
    resolver: zodResolver(ZOptionsForm),
    defaultValues: { source: chosen?.source ?? '', defaultLegalBasis: chosen?.defaultLegalBasis ?? '' },
  });
  const { errors } = form.formState;

  const onFile = async (picked: File | undefined) => {
    setFile(null);
    setFileError(null);
    if (!picked) return;
    setReading(true);
    const read = await readImportFile(picked, guide.limits.maxBytes);
    setReading(false);
    if (read.ok) setFile(read.file);
    else setFileError(read.message);
  };

  const submit = form.handleSubmit((values) => {
    if (!file) {
      setFileError(fileError ?? 'Choose the file to import.');
      return;
    }
    onSubmit({ file, source: values.source, defaultLegalBasis: values.defaultLegalBasis === '' ? null : values.defaultLegalBasis });
  });

  const basesMissing = (['contract', 'legitimate_interest', 'legal_obligation'] as const).filter((b) => !guide.nonConsentBases.includes(b));

  return (
    <div className="import-choose">
      <form className="form form-card" onSubmit={(e) => void submit(e)} noValidate aria-busy={busy}>
        {error ? <ImportError title="The file was not checked" error={error} /> : null}
        <div className="field">
          <label htmlFor="import-file">
            File to import
            <span className="required-mark" aria-hidden="true">
              {' '}
              (required)
            </span>
          </label>
          <input
            id="import-file"
            type="file"
            accept=".csv,.json,text/csv,application/json"
            aria-invalid={fileError ? true : undefined}
            aria-describedby={fileError ? 'import-file-hint import-file-error' : 'import-file-hint'}
            onChange={(e) => void onFile(e.target.files?.[0])}
          />
          <p className="field-hint" id="import-file-hint">
            CSV (UTF-8, comma or semicolon) or a Zweck contacts export (JSON); at most {formatSize(guide.limits.maxBytes)} and{' '}
            {guide.limits.maxRows.toLocaleString('en-GB')} rows.
          </p>
          {reading ? <Loading label="Reading the file…" /> : null}
          {file ? (
            <p className="import-file-chosen">
              {file.name} · {formatSize(file.size)} · {file.format.toUpperCase()}
            </p>
          ) : null}
          {fileError ? (
            <p className="field-error" id="import-file-error" role="alert">
              {fileError}
            </p>
          ) : null}
        </div>
        <TextField
          id="import-source"
          label="Where does this file come from?"
          required
          registration={form.register('source')}
          error={errors.source}
          hint="Recorded as the origin of every contact in it (Art. 14 GDPR), e.g. “Trade fair Berlin 2026, list of partner X”."
        />
        <SelectField
          id="import-legal-basis"
          label="Legal basis for rows without consent"
          registration={form.register('defaultLegalBasis')}
          error={errors.defaultLegalBasis}
        >
          <option value="">None: rows without consent and without a legal_basis column are rejected</option>
          {guide.nonConsentBases.map((basis) => (
            <option key={basis} value={basis}>
              {label(basis)}
            </option>
          ))}
        </SelectField>
        {basesMissing.length > 0 ? (
          <p className="field-hint field-hint-after">
            Not offered: {basesMissing.map((b) => label(b)).join(', ')}. No purpose of the catalogue rests on{' '}
            {basesMissing.length === 1 ? 'it' : 'them'}
            {basesMissing.includes('legitimate_interest') ? ' (legitimate interest also needs its documented balancing test)' : ''}.
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || reading}>
            {busy ? 'Checking…' : 'Check the file (dry run)'}
          </button>
          <p className="form-actions-note">The dry run writes nothing.</p>
        </div>
      </form>
      <ColumnHelp guide={guide} />
    </div>
  );
}

/** Which columns the file needs, and a template to start from. */
function ColumnHelp({ guide }: { guide: ImportGuide }) {
  const templateUrl = useMemo(() => URL.createObjectURL(new Blob([csvTemplate(guide)], { type: 'text/csv;charset=utf-8' })), [guide]);
  useEffect(() => () => URL.revokeObjectURL(templateUrl), [templateUrl]);
  return (
    <aside className="card import-help" aria-labelledby="import-help-heading">
      <div className="card-header">
        <div>
          <h2 id="import-help-heading">Which columns?</h2>
          <p className="card-description">The first line names the columns; their order does not matter.</p>
        </div>
      </div>
      <div className="card-body">
        <p>
          <a className="button button-secondary button-small" href={templateUrl} download="zweck-import-template.csv">
            Download a CSV template
          </a>
        </p>
        <h3>Contact fields</h3>
        <ul className="import-columns">
          {guide.fields.map((f) => (
            <li key={f.key}>
              <code>{f.key}</code> {f.label}
              {f.key === 'email' ? <strong> (required)</strong> : null}
              {f.isUsable ? null : <span className="muted"> · no purpose uses this field: values are rejected</span>}
            </li>
          ))}
        </ul>
        <h3>Consent and its proof</h3>
        <p className="small">A row that claims consent is imported only with its proof (Art. 7(1) GDPR).</p>
        <ul className="import-columns">
          <li>
            <code>consent_purposes</code> purpose IDs, separated by <code>|</code> (
            {guide.consentPurposes.map((p) => p.id).join(', ') || 'none in the catalogue'})
          </li>
          <li>
            <code>consent_channel</code> optional, <code>email</code> if empty
          </li>
          <li>
            <code>consent_method</code> web_form, double_opt_in, in_person, phone, import or api
          </li>
          <li>
            <code>consent_wording_version</code> the version of the text the person agreed to (
            {[...new Set(guide.consentPurposes.flatMap((p) => p.wordings.map((w) => w.version)))].join(', ') || '—'})
          </li>
          <li>
            <code>consent_language</code> en or de, <code>en</code> if empty
          </li>
          <li>
            <code>consent_given_at</code> when, with the offset: <code>2026-10-01T09:30:00+02:00</code>
          </li>
          <li>
            <code>consent_source</code> where: a form, a fair, a call
          </li>
        </ul>
        <h3>Without consent</h3>
        <ul className="import-columns">
          <li>
            <code>legal_basis</code> contract, legitimate_interest or legal_obligation; empty: the basis chosen for the import
          </li>
        </ul>
        <p className="small muted">
          Addresses on the suppression list are rejected. A row whose e-mail address belongs to a contact is merged into it: empty fields
          are filled, existing values are kept.
        </p>
      </div>
    </aside>
  );
}

function ReviewStep({
  chosen,
  report,
  allowDuplicates,
  busy,
  error,
  onAllowDuplicates,
  onBack,
  onContinue,
}: {
  chosen: Chosen;
  report: DryRun;
  allowDuplicates: boolean;
  busy: boolean;
  error: unknown;
  onAllowDuplicates: (allow: boolean) => void;
  onBack: () => void;
  onContinue: () => void;
}) {
  const { summary } = report;
  const total = summary.create + summary.merge + summary.reject;
  const hasPossibleDuplicates =
    allowDuplicates ||
    report.rows.some((r) => r.reasons.some((x) => x.code === 'POSSIBLE_DUPLICATE' || x.code === 'POSSIBLE_DUPLICATE_ALLOWED'));
  return (
    <section className="card" aria-labelledby="import-review-heading" aria-busy={busy}>
      <div className="card-header">
        <div>
          <h2 id="import-review-heading">Dry run of {chosen.file.name}</h2>
          <p className="card-description">Nothing has been written. Source: {chosen.source}</p>
        </div>
      </div>
      <div className="card-body">
        {error ? <ImportError title="The dry run could not be repeated" error={error} /> : null}
        <ImportSummary total={total} summary={summary} />
        {hasPossibleDuplicates ? (
          <div className="import-duplicates">
            <div className="checkbox-field">
              <input
                id="import-allow-duplicates"
                type="checkbox"
                checked={allowDuplicates}
                disabled={busy}
                onChange={(e) => onAllowDuplicates(e.target.checked)}
              />
              <label htmlFor="import-allow-duplicates">Create possible duplicates anyway</label>
            </div>
            <p className="field-hint">
              For rows that may be the same person as an existing contact (same phone number, or a similar name at a similar organization).
              Staff can merge them later on the contact page.
            </p>
          </div>
        ) : null}
        <ImportReport rows={report.rows} />
        <div className="form-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={onContinue}
            disabled={busy || summary.create + summary.merge === 0}
          >
            Continue
          </button>
          <button type="button" className="button button-secondary" onClick={onBack} disabled={busy}>
            Back
          </button>
          {summary.create + summary.merge === 0 ? (
            <p className="form-actions-note">No row can be imported. Correct the file and check it again.</p>
          ) : null}
        </div>
      </div>
    </section>
  );
}

export function ImportSummary({ total, summary }: { total: number; summary: DryRun['summary'] }) {
  return (
    <dl className="import-summary" aria-label="Summary">
      <div>
        <dt>Rows</dt>
        <dd>{total.toLocaleString('en-GB')}</dd>
      </div>
      <div className="import-summary-create">
        <dt>To create</dt>
        <dd>{summary.create.toLocaleString('en-GB')}</dd>
      </div>
      <div className="import-summary-merge">
        <dt>To merge</dt>
        <dd>{summary.merge.toLocaleString('en-GB')}</dd>
      </div>
      <div className="import-summary-reject">
        <dt>Rejected</dt>
        <dd>{summary.reject.toLocaleString('en-GB')}</dd>
      </div>
    </dl>
  );
}

const useCommitImport = () => useMutation(trpc.import.commit.mutationOptions());
type CommitMutation = ReturnType<typeof useCommitImport>;

function CommitStep({
  chosen,
  report,
  allowDuplicates,
  commit,
  onRerun,
  onBack,
  onRestart,
}: {
  chosen: Chosen;
  report: DryRun;
  allowDuplicates: boolean;
  commit: CommitMutation;
  onRerun: () => void;
  onBack: () => void;
  onRestart: () => void;
}) {
  const { summary } = report;
  const [mode, setMode] = useState<'all_or_nothing' | 'valid_rows_only'>(summary.reject === 0 ? 'all_or_nothing' : 'valid_rows_only');
  const result = commit.data;
  const outdated = ['IMPORT_REPORT_CHANGED', 'IMPORT_FILE_CHANGED'].includes(appCodeOf(commit.error) ?? '');

  const run = async () => {
    if (commit.isPending) return;
    await commit
      .mutateAsync({
        format: chosen.file.format,
        content: chosen.file.content,
        source: chosen.source,
        defaultLegalBasis: chosen.defaultLegalBasis,
        allowPossibleDuplicates: allowDuplicates,
        mode,
        expectedSha256: report.fileSha256,
        expectedReportDigest: report.reportDigest,
      })
      .then(() => queryClient.invalidateQueries(trpc.contacts.pathFilter()))
      .catch(() => undefined); // shown from the mutation's state
  };

  if (result) {
    return (
      <section className="card" aria-labelledby="import-result-heading">
        <div className="card-header">
          <div>
            <h2 id="import-result-heading">Imported</h2>
            <p className="card-description">
              {chosen.file.name} · batch <span className="mono">{result.batchId}</span>
            </p>
          </div>
        </div>
        <div className="card-body">
          <Notice tone="success" title={result.replayed ? 'This file was imported before' : 'The import is done'}>
            <p>
              {result.replayed ? 'Nothing new was written; this is the result of that import: ' : ''}
              {result.summary.created.toLocaleString('en-GB')} created, {result.summary.merged.toLocaleString('en-GB')} merged,{' '}
              {result.summary.rejected.toLocaleString('en-GB')} rejected (not imported);{' '}
              {result.summary.consentEvents.toLocaleString('en-GB')} consent events recorded.
            </p>
          </Notice>
          <ImportResult rows={result.rows} />
          <div className="form-actions">
            <button type="button" className="button button-secondary" onClick={onRestart}>
              Import another file
            </button>
            <Link to="/contacts" className="button button-secondary">
              Go to contacts
            </Link>
          </div>
        </div>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="import-commit-heading" aria-busy={commit.isPending}>
      <div className="card-header">
        <div>
          <h2 id="import-commit-heading">Import {chosen.file.name}</h2>
          <p className="card-description">The file is checked once more and written in one go: all of it, or nothing.</p>
        </div>
      </div>
      <div className="card-body">
        {commit.error ? (
          <ImportError
            title="Nothing was imported"
            error={commit.error}
            onRetry={outdated ? onRerun : undefined}
            retryLabel="Run the dry run again"
          />
        ) : null}
        <fieldset className="fieldset">
          <legend>What to import</legend>
          <div className="import-modes">
            <div className="radio-field">
              <input
                id="import-mode-all"
                type="radio"
                name="import-mode"
                value="all_or_nothing"
                checked={mode === 'all_or_nothing'}
                disabled={summary.reject > 0}
                onChange={() => setMode('all_or_nothing')}
                aria-describedby="import-mode-all-hint"
              />
              <label htmlFor="import-mode-all">Import all rows</label>
            </div>
            <p className="field-hint import-mode-hint" id="import-mode-all-hint">
              {summary.reject > 0
                ? `Not possible: ${summary.reject.toLocaleString('en-GB')} ${summary.reject === 1 ? 'row is' : 'rows are'} rejected.`
                : `${summary.create.toLocaleString('en-GB')} created, ${summary.merge.toLocaleString('en-GB')} merged.`}
            </p>
            <div className="radio-field">
              <input
                id="import-mode-valid"
                type="radio"
                name="import-mode"
                value="valid_rows_only"
                checked={mode === 'valid_rows_only'}
                onChange={() => setMode('valid_rows_only')}
                aria-describedby="import-mode-valid-hint"
              />
              <label htmlFor="import-mode-valid">Import only the valid rows</label>
            </div>
            <p className="field-hint import-mode-hint" id="import-mode-valid-hint">
              {summary.create.toLocaleString('en-GB')} created, {summary.merge.toLocaleString('en-GB')} merged;{' '}
              {summary.reject.toLocaleString('en-GB')} rejected {summary.reject === 1 ? 'row is' : 'rows are'} left out.
            </p>
          </div>
        </fieldset>
        <Notice tone="info" title="No welcome mail">
          <p>
            Imported contacts start no automation: no welcome or other mail goes out because of the import. Where a purpose needs double
            opt-in, a consent imported without it stays pending until the person confirms.
          </p>
        </Notice>
        <div className="form-actions">
          <button type="button" className="button button-primary" onClick={() => void run()} disabled={commit.isPending}>
            {commit.isPending ? 'Importing…' : 'Import'}
          </button>
          <button type="button" className="button button-secondary" onClick={onBack} disabled={commit.isPending}>
            Back to the report
          </button>
        </div>
      </div>
    </section>
  );
}

/** Codes whose server message names what to correct in the file (a column, a line, a size). */
const DETAILED = new Set([
  'IMPORT_FILE_INVALID',
  'IMPORT_TOO_LARGE',
  'IMPORT_HAS_REJECTED_ROWS',
  'SPECIAL_CATEGORY_DATA',
  'FIELD_NOT_VISIBLE',
]);

/** An error in plain language; for problems of the file, with the server's account of where. */
function ImportError({
  error,
  title,
  onRetry,
  retryLabel = 'Try again',
}: {
  error: unknown;
  title: string;
  onRetry?: () => void;
  retryLabel?: string;
}) {
  const code = appCodeOf(error);
  const detail =
    (code !== null && DETAILED.has(code)) || (code === null && transportCodeOf(error) === 'BAD_REQUEST')
      ? asClientError(error)?.message
      : null;
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <p>{describeError(error)}</p>
      {detail ? <p className="import-error-detail">{detail}</p> : null}
      {onRetry ? (
        <button type="button" className="button button-secondary button-small" onClick={onRetry}>
          {retryLabel}
        </button>
      ) : null}
    </div>
  );
}
