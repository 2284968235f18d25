import { useMutation, useQuery } from '@tanstack/react-query';
import { Section } from '../../components/page-header.tsx';
import { ErrorNotice, Loading } from '../../components/feedback.tsx';
import { Time } from '../../components/time.tsx';
import { queryClient, trpc } from '../../lib/trpc.ts';

/** The download route of the API (`apps/api/src/subject-archive/subject-archive.routes.ts`). */
const archiveUrl = (contactId: string, requestId?: string | null): string =>
  `/api/subject-archive/${encodeURIComponent(contactId)}${requestId ? `?requestId=${encodeURIComponent(requestId)}` : ''}`;

/**
 * The download goes through fetch rather than a bare link, so that a refusal (403) or a missing
 * contact (404) shows as a message here instead of a file named like an error page, and the list
 * below updates as soon as the archive is recorded.
 */
async function downloadArchive(contactId: string, requestId: string | null): Promise<{ sha256: string }> {
  const response = await fetch(archiveUrl(contactId, requestId), { credentials: 'same-origin' });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `The archive could not be produced (HTTP ${response.status}).`);
  }
  const blob = await response.blob();
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'subject-archive.zip';
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  link.click();
  URL.revokeObjectURL(href);
  return { sha256: response.headers.get('x-archive-sha256') ?? '' };
}

/**
 * The person's access and portability archive (Art. 15(3), 20 GDPR) for the request page: download
 * it (the DPO or an admin; JSON that our import reads, CSVs and a README, zipped), and the archives
 * produced so far with their time and SHA-256, the proof of which bytes were handed out.
 */
export function SubjectArchiveCard({ contactId, requestId = null }: { contactId: string; requestId?: string | null }) {
  const listInput = { contactId, requestId };
  const produced = useQuery(trpc.subjectArchive.list.queryOptions(listInput));
  const download = useMutation({
    mutationFn: () => downloadArchive(contactId, requestId),
    onSettled: () => queryClient.invalidateQueries(trpc.subjectArchive.list.pathFilter()),
  });
  const latest = produced.data?.[0];

  return (
    <Section
      id="subject-archive"
      title="Access and portability archive"
      description="Everything held about the person: JSON in Zweck’s import format, one CSV per section and a README, zipped (Art. 15(3), 20 GDPR)."
      actions={
        <button type="button" className="button button-primary" onClick={() => download.mutate()} disabled={download.isPending}>
          {download.isPending ? 'Producing…' : 'Download archive'}
        </button>
      }
    >
      {download.error ? <ErrorNotice error={download.error} title="The archive was not produced" /> : null}
      {produced.isPending ? (
        <Loading label="Loading archives…" />
      ) : produced.error ? (
        <ErrorNotice error={produced.error} onRetry={() => void produced.refetch()} />
      ) : latest ? (
        <dl className="facts" data-testid="subject-archive-latest">
          <dt>Produced at</dt>
          <dd>
            <Time value={latest.producedAt} /> by {latest.producedBy}
          </dd>
          <dt>SHA-256</dt>
          <dd>
            <code className="mono">{latest.sha256}</code>
          </dd>
          <dt>Size</dt>
          <dd>{(latest.byteSize / 1024).toFixed(1)} KB</dd>
          {produced.data.length > 1 ? (
            <>
              <dt>Earlier</dt>
              <dd>{produced.data.length - 1} more</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="muted">No archive produced yet.</p>
      )}
    </Section>
  );
}
