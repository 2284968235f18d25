import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { EmptyState, ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { Section } from '../../components/page-header.tsx';
import { queryClient, trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { fullName } from './contact-name.ts';
import { DuplicateCandidateList, type DuplicateCandidate } from './duplicate-candidates.tsx';
import { describeMergePlan, listInWords, type MergePlan } from './merge-plan.ts';

type ContactDetail = RouterOutputs['contacts']['get'];

/** What the survivor's page says after a merge; passed in the location state when the merge leads to another record. */
export interface MergedNotice {
  filled: string[];
}

/** The survivor's news after a merge: what it took from the other record. */
export function MergedNoticeBox({
  merged,
  labelFor,
  inOrder,
}: {
  merged: MergedNotice;
  labelFor: (key: string) => string;
  inOrder: (keys: readonly string[]) => string[];
}) {
  const filled = inOrder(merged.filled).map(labelFor);
  return (
    <Notice tone="success" title="Records merged">
      <p>
        {filled.length > 0 ? `${listInWords(filled)} ${filled.length === 1 ? 'was' : 'were'} taken from the merged record. ` : ''}
        Its consent ledger, provenance, decisions and mail log are now part of this record.
      </p>
    </Notice>
  );
}

/** Which record stays: this one (the candidate merges into it), or the candidate (this one merges into it). */
type Merging = { candidate: DuplicateCandidate; keep: 'this' | 'candidate' };

/** Other records that may be the same person, and the way to make them one. */
export function DuplicatesSection({
  contact,
  canMerge,
  labelFor,
  inOrder,
}: {
  contact: ContactDetail;
  canMerge: boolean;
  labelFor: (key: string) => string;
  /** Field keys in reading order (built-in fields first, then the catalogue's). */
  inOrder: (keys: readonly string[]) => string[];
}) {
  const duplicates = useQuery({ ...trpc.contacts.duplicates.queryOptions({ id: contact.id }), staleTime: 0 });
  const [merging, setMerging] = useState<Merging | null>(null);
  const [merged, setMerged] = useState<MergedNotice | null>(null);

  return (
    <Section
      id="duplicates"
      title="Possible duplicates"
      description="Other records with the same e-mail address or phone number, or a similar name at a similar organization."
    >
      {merged ? <MergedNoticeBox merged={merged} labelFor={labelFor} inOrder={inOrder} /> : null}
      {duplicates.isPending ? (
        <Loading label="Looking for possible duplicates…" />
      ) : duplicates.isError ? (
        <ErrorNotice
          title="Possible duplicates could not be looked up"
          error={duplicates.error}
          onRetry={() => void duplicates.refetch()}
        />
      ) : duplicates.data.length === 0 ? (
        <EmptyState title="No other record looks like this person." />
      ) : (
        <DuplicateCandidateList
          candidates={duplicates.data}
          actions={
            canMerge
              ? (candidate) => (
                  <>
                    <button
                      type="button"
                      className="button button-primary button-small"
                      onClick={() => {
                        setMerged(null);
                        setMerging({ candidate, keep: 'this' });
                      }}
                    >
                      Merge into this record
                    </button>
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      onClick={() => {
                        setMerged(null);
                        setMerging({ candidate, keep: 'candidate' });
                      }}
                    >
                      Merge into {fullName(candidate) ?? candidate.email}
                    </button>
                  </>
                )
              : undefined
          }
        />
      )}
      {!canMerge && (duplicates.data?.length ?? 0) > 0 ? (
        <p className="muted small">Marketers, data protection officers and administrators can merge records.</p>
      ) : null}
      {merging ? (
        <MergeDialog
          contact={contact}
          merging={merging}
          labelFor={labelFor}
          inOrder={inOrder}
          onClose={() => setMerging(null)}
          onMergedHere={(plan) => {
            setMerging(null);
            setMerged({ filled: plan.filled });
          }}
        />
      ) : null}
    </Section>
  );
}

/**
 * The confirmation: the merge preview in words, then the merge. A modal `<dialog>`: focus stays
 * inside, Escape cancels.
 */
function MergeDialog({
  contact,
  merging,
  labelFor,
  inOrder,
  onClose,
  onMergedHere,
}: {
  contact: ContactDetail;
  merging: Merging;
  labelFor: (key: string) => string;
  inOrder: (keys: readonly string[]) => string[];
  onClose: () => void;
  onMergedHere: (plan: MergePlan) => void;
}) {
  const navigate = useNavigate();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    // No cleanup: an unmounted <dialog> leaves the top layer by itself, and closing it here would
    // fire `close` (and so onClose) after StrictMode's second mount.
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const { candidate, keep } = merging;
  const candidateName = fullName(candidate) ?? candidate.email;
  const pair =
    keep === 'this'
      ? { survivorId: contact.id, duplicateId: candidate.contactId }
      : { survivorId: candidate.contactId, duplicateId: contact.id };
  const preview = useQuery({ ...trpc.contacts.mergePreview.queryOptions(pair), staleTime: 0 });
  const merge = useMutation(trpc.contacts.merge.mutationOptions());

  const confirm = async (): Promise<void> => {
    if (merge.isPending) return;
    try {
      const plan = await merge.mutateAsync(pair);
      if (keep === 'this') {
        // Close first: refetching the preview of a pair that no longer exists would only show an error.
        onMergedHere(plan);
        await queryClient.invalidateQueries(trpc.contacts.pathFilter());
        return;
      }
      // This record is gone: go to the one that stays, then forget what was fetched about this one.
      await navigate(`/contacts/${plan.survivorId}`, { state: { merged: { filled: plan.filled } satisfies MergedNotice } });
      queryClient.removeQueries(trpc.contacts.get.queryFilter({ id: contact.id }));
      await queryClient.invalidateQueries(trpc.contacts.pathFilter());
    } catch {
      // The error shows in the dialog (merge.error).
    }
  };

  const sentences = preview.data
    ? describeMergePlan(
        { ...preview.data, filled: inOrder(preview.data.filled), discarded: inOrder(preview.data.discarded) },
        labelFor,
        keep === 'this' ? { here: 'survivor' } : { here: 'duplicate', otherName: candidateName },
      )
    : [];

  return (
    <dialog
      ref={dialog}
      className="modal"
      aria-labelledby="merge-dialog-title"
      aria-describedby="merge-dialog-plan"
      onClose={onClose}
      onCancel={(event) => {
        if (merge.isPending) event.preventDefault();
      }}
    >
      <h2 id="merge-dialog-title">
        {keep === 'this' ? `Merge ${candidateName} into this record?` : `Merge this record into ${candidateName}?`}
      </h2>
      <p className="muted small">
        {keep === 'this'
          ? `This record stays; ${candidateName} (${candidate.email}) is merged into it.`
          : `${candidateName} (${candidate.email}) stays; this record is merged into it and you go there.`}{' '}
        A merge cannot be undone; it is recorded in the provenance and the audit log.
      </p>
      <div id="merge-dialog-plan" className="merge-plan">
        {preview.isPending ? (
          <Loading label="Working out what the merge would do…" />
        ) : preview.isError ? (
          <ErrorNotice title="The merge preview could not be loaded" error={preview.error} onRetry={() => void preview.refetch()} />
        ) : (
          <ul>
            {sentences.map((sentence) => (
              <li key={sentence}>{sentence}</li>
            ))}
          </ul>
        )}
      </div>
      {merge.isError ? <ErrorNotice title="The records were not merged" error={merge.error} /> : null}
      <div className="form-actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => void confirm()}
          disabled={!preview.isSuccess || merge.isPending}
        >
          {merge.isPending ? 'Merging…' : 'Merge records'}
        </button>
        <button type="button" className="button button-secondary" onClick={() => dialog.current?.close()} disabled={merge.isPending}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
