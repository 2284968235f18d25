import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ErrorNotice } from '../../components/feedback.tsx';
import { trpc, trpcClient } from '../../lib/trpc.ts';
import { useDebouncedValue } from '../../lib/use-debounced-value.ts';
import { fullName } from '../contacts/contact-name.ts';
import type { TemplateKind } from './template-editor.ts';

interface Draft {
  kind: TemplateKind;
  subject: string;
  html: string;
  text: string;
}

const FIELD_LABELS = { subject: 'Subject', html: 'HTML body', text: 'Text body' } as const;

/**
 * The draft as a sample contact would receive it, rendered by the server with the same code that
 * sends. The HTML runs in an iframe with every sandbox restriction on (no scripts, no forms, no
 * navigation of this page), so that even a hostile template could not reach the admin session.
 */
export function TemplatePreview({ draft }: { draft: Draft }) {
  const [search, setSearch] = useState('');
  const [sample, setSample] = useState<{ id: string; label: string } | null>(null);
  const [view, setView] = useState<'html' | 'text'>('html');
  const term = useDebouncedValue(search.trim(), 250);
  const contacts = useQuery({
    ...trpc.contacts.list.queryOptions({ search: term, limit: 8 }),
    enabled: term.length >= 2,
    placeholderData: keepPreviousData,
  });
  // Debounced as a string: a fresh object each render would restart the timer for ever.
  const inputJson = useDebouncedValue(JSON.stringify({ draft, sampleContactId: sample?.id }), 400);
  const input = useMemo(() => JSON.parse(inputJson) as { draft: Draft; sampleContactId?: string }, [inputJson]);
  // A mutation on the wire (a draft does not fit into a GET URL), read like a query here.
  const preview = useQuery({
    queryKey: ['templates', 'preview', input],
    queryFn: () => trpcClient.templates.preview.mutate(input),
    placeholderData: keepPreviousData,
    enabled: input.draft.subject !== '' || input.draft.html !== '' || input.draft.text !== '',
    staleTime: 30_000,
  });

  const options = [
    ...(sample ? [sample] : []),
    ...(term.length >= 2 ? (contacts.data ?? []) : []).map((c) => ({ id: c.id, label: `${fullName(c) ?? '(no name)'} · ${c.email}` })),
  ];
  const unique = options.filter((o, i) => options.findIndex((x) => x.id === o.id) === i);
  const rendered = preview.data?.rendered ?? null;

  return (
    <section className="card template-preview" aria-labelledby="preview-heading">
      <div className="card-header">
        <div>
          <h2 id="preview-heading">Preview</h2>
          <p className="card-description">
            Unsubscribe and preference links are examples here; each real message gets its own signed links. Choosing a contact reads their
            data, which is logged.
          </p>
        </div>
      </div>
      <div className="card-body">
        <div className="field-row sample-picker">
          <div className="field">
            <label htmlFor="sample-search">Find a sample contact</label>
            <input
              id="sample-search"
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Name or e-mail address"
              autoComplete="off"
            />
          </div>
          <div className="field">
            <label htmlFor="sample-contact">Sample contact</label>
            <select
              id="sample-contact"
              value={sample?.id ?? ''}
              onChange={(e) => setSample(unique.find((o) => o.id === e.target.value) ?? null)}
            >
              <option value="">Example values (your name)</option>
              {unique.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
        </div>

        {preview.isError ? (
          <ErrorNotice title="The preview could not be made" error={preview.error} onRetry={() => void preview.refetch()} />
        ) : preview.data && preview.data.problems.length > 0 ? (
          <div className="notice notice-warning" role="status">
            <p className="notice-title">The preview waits for these problems to be fixed</p>
            <ul className="preview-problems">
              {preview.data.problems.map((p, i) => (
                <li key={i}>
                  <strong>{FIELD_LABELS[p.field]}:</strong> {p.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}

        {rendered ? (
          <div className="preview-message" aria-busy={preview.isFetching}>
            <p className="preview-subject">
              <span className="muted small">Subject</span> <strong data-testid="preview-subject">{rendered.subject}</strong>
            </p>
            <div className="tabs preview-tabs" role="group" aria-label="Body">
              {(['html', 'text'] as const).map((v) => (
                <button
                  key={v}
                  type="button"
                  className={view === v ? 'tab tab-active' : 'tab'}
                  aria-pressed={view === v}
                  onClick={() => setView(v)}
                >
                  {v === 'html' ? 'HTML' : 'Text'}
                </button>
              ))}
            </div>
            {view === 'html' ? (
              <iframe title="HTML preview" className="mail-html" sandbox="" srcDoc={rendered.html} />
            ) : (
              <pre className="mail-text" aria-label="Text preview">
                {rendered.text}
              </pre>
            )}
          </div>
        ) : !preview.data && preview.isFetching ? (
          <p className="muted small">Rendering…</p>
        ) : null}
      </div>
    </section>
  );
}
