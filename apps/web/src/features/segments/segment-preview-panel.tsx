import { skipToken, useQuery } from '@tanstack/react-query';
import type { Channel } from '@zweck/policy';
import type { SegmentDefinition } from '@zweck/segments/definition';
import { useState } from 'react';
import { ErrorNotice, Loading } from '../../components/feedback.tsx';
import { label, reasonArticle } from '../../lib/labels.ts';
import { trpc, type RouterInputs } from '../../lib/trpc.ts';
import { usePurposes } from '../purposes/use-purposes.ts';
import { formatCount, previewSummary, reasonText, shortReason } from './preview-summary.ts';

type PreviewInput = RouterInputs['segments']['preview'];

const sameDefinition = (a: SegmentDefinition, b: SegmentDefinition | null): boolean =>
  b !== null && JSON.stringify(a) === JSON.stringify(b);

/**
 * Who the segment holds, and how many of them the chosen purpose may reach on the chosen channel
 * now: the API decides every member with the send gate's own function, so the numbers are what a
 * campaign started now would do, reason by reason.
 */
export function SegmentPreviewPanel({ definition }: { definition: SegmentDefinition | null }) {
  const purposes = usePurposes();
  const [purposeId, setPurposeId] = useState('newsletter');
  const purpose = purposes.byId.get(purposeId);
  const channels = purpose?.channels ?? [];
  const [channelChoice, setChannel] = useState<string>('email');
  const channel = channels.includes(channelChoice) ? channelChoice : (channels[0] ?? 'email');
  const [request, setRequest] = useState<PreviewInput | null>(null);
  const preview = useQuery({ ...trpc.segments.preview.queryOptions(request ?? skipToken), staleTime: 0 });
  const outdated =
    request !== null && (!sameDefinition(request.definition, definition) || request.purposeId !== purposeId || request.channel !== channel);

  return (
    <section className="card segment-preview" aria-labelledby="segment-preview-heading">
      <div className="card-header">
        <div>
          <h2 id="segment-preview-heading">Preview</h2>
          <p className="card-description">
            How many members the policy lets a purpose reach on a channel now, and why the others are excluded.
          </p>
        </div>
      </div>
      <div className="card-body">
        <form
          className="preview-controls"
          aria-label="Preview for"
          onSubmit={(e) => {
            e.preventDefault();
            if (definition !== null && purpose) setRequest({ definition, purposeId, channel: channel as Channel });
          }}
        >
          <div className="field">
            <label htmlFor="preview-purpose">Purpose</label>
            <select id="preview-purpose" value={purposeId} onChange={(e) => setPurposeId(e.target.value)}>
              {(purposes.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="preview-channel">Channel</label>
            <select id="preview-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
              {channels.map((c) => (
                <option key={c} value={c}>
                  {label(c)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button-secondary" disabled={definition === null || !purpose || preview.isFetching}>
            {preview.isFetching ? 'Counting…' : 'Preview'}
          </button>
        </form>
        {definition === null ? <p className="muted small">Complete the conditions to preview the segment.</p> : null}

        {request === null ? null : preview.isPending ? (
          <Loading label="Deciding for every member…" />
        ) : preview.isError ? (
          <ErrorNotice title="The preview failed" error={preview.error} onRetry={() => void preview.refetch()} />
        ) : (
          <div className={outdated ? 'preview-result preview-outdated' : 'preview-result'} aria-live="polite">
            {outdated ? (
              <p className="notice notice-warning small">The conditions or the purpose changed since this preview. Preview again.</p>
            ) : null}
            <p className="preview-summary" data-testid="preview-summary">
              {previewSummary(preview.data)}
            </p>
            <dl className="preview-figures">
              <div>
                <dt>Members</dt>
                <dd>{formatCount(preview.data.count)}</dd>
              </div>
              <div className="preview-figure-reachable">
                <dt>Reachable</dt>
                <dd>{formatCount(preview.data.reachable)}</dd>
              </div>
              <div className="preview-figure-excluded">
                <dt>Excluded</dt>
                <dd>{formatCount(preview.data.count - preview.data.reachable)}</dd>
              </div>
            </dl>
            <p className="muted small">
              For {purposes.byId.get(request.purposeId)?.name ?? request.purposeId} by {label(request.channel).toLowerCase()}. The send gate
              asks again right before each message.
            </p>
            {preview.data.excluded.length > 0 ? (
              <ul className="preview-reasons" aria-label="Excluded members by reason">
                {preview.data.reasons.map((r) => {
                  const primary = preview.data.excluded.find((e) => e.code === r.code)?.count ?? 0;
                  const article = reasonArticle(r.code);
                  return (
                    <li key={r.code}>
                      <p className="preview-reason-head">
                        <span className="preview-reason-name">{shortReason(r.code)}</span>
                        <span className="preview-reason-count" title="Members excluded with this as the first reason">
                          {formatCount(primary)}
                        </span>
                      </p>
                      <p className="muted small">
                        {reasonText(r.code)}
                        {article ? ` (${article})` : null}
                      </p>
                      {r.count > primary ? (
                        <p className="small">
                          {primary === 0 ? 'Applies' : 'Also applies'} to {formatCount(r.count - primary)} member
                          {r.count - primary === 1 ? '' : 's'} excluded for an earlier reason.
                        </p>
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            ) : null}
          </div>
        )}
      </div>
    </section>
  );
}
