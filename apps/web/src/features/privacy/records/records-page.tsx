import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice, Loading } from '../../../components/feedback.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { trpc } from '../../../lib/trpc.ts';
import { PrivacyNav } from '../privacy-nav.tsx';
import { RecordsDocument, type RecordsOfProcessing } from './records-document.tsx';
import recordsCss from './records.css?raw';
import './records.css';

function download(filename: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

/** The same document as the page, as a standalone HTML file (React renders it to static markup). */
async function documentHtml(records: RecordsOfProcessing): Promise<string> {
  const { renderToStaticMarkup } = await import('react-dom/server');
  const body = renderToStaticMarkup(<RecordsDocument records={records} />);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Records of processing activities</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#101828}${recordsCss}</style></head>
<body>${body}</body></html>
`;
}

export function RecordsPage() {
  const records = useQuery({ ...trpc.records.get.queryOptions(), staleTime: 0 });
  const exportCsv = useMutation(trpc.records.exportCsv.mutationOptions());
  const noteHtml = useMutation(trpc.records.noteHtmlExport.mutationOptions());
  const [exportError, setExportError] = useState<unknown>(null);

  const onCsv = async () => {
    setExportError(null);
    try {
      const { filename, content } = await exportCsv.mutateAsync();
      download(filename, content, 'text/csv;charset=utf-8');
    } catch (error) {
      setExportError(error);
    }
  };
  const onHtml = async (data: RecordsOfProcessing) => {
    setExportError(null);
    try {
      const { filename } = await noteHtml.mutateAsync({ activities: data.activities.length });
      download(filename, await documentHtml(data), 'text/html;charset=utf-8');
    } catch (error) {
      setExportError(error);
    }
  };

  return (
    <>
      <title>Records of processing · Privacy · Zweck</title>
      <PageHeader
        title="Records of processing"
        subtitle="Generated from what Zweck runs on: the purposes, their fields, the processors and the retention policies (Art. 30 GDPR). Print it, or download it as HTML or CSV."
      />
      <PrivacyNav />
      {records.isPending ? (
        <Loading label="Generating the records…" />
      ) : records.isError ? (
        <ErrorNotice title="The records could not be generated" error={records.error} onRetry={() => void records.refetch()} />
      ) : (
        <>
          <div className="records-actions">
            <button type="button" className="button button-secondary" onClick={() => window.print()}>
              Print
            </button>
            <button
              type="button"
              className="button button-secondary"
              disabled={noteHtml.isPending}
              onClick={() => void onHtml(records.data)}
            >
              Download HTML
            </button>
            <button type="button" className="button button-secondary" disabled={exportCsv.isPending} onClick={() => void onCsv()}>
              Download CSV
            </button>
          </div>
          {exportError ? <ErrorNotice title="The export failed" error={exportError} /> : null}
          <RecordsDocument records={records.data} />
        </>
      )}
    </>
  );
}
