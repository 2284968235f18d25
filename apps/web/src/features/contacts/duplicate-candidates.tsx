import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Badge } from '../../components/badge.tsx';
import type { RouterOutputs } from '../../lib/trpc.ts';
import { fullName } from './contact-name.ts';

export type DuplicateCandidate = RouterOutputs['contacts']['checkDuplicates'][number];
export type DuplicateReason = DuplicateCandidate['reasons'][number];

/** Why a record may be the same person, in words. */
export function reasonText(reason: DuplicateReason, nameSimilarity: number): string {
  switch (reason) {
    case 'email':
      return 'Same e-mail address';
    case 'phone':
      return 'Same phone number';
    case 'name_and_organization':
      return `Similar name (${Math.round(nameSimilarity * 100)} % alike) at a similar organization`;
  }
}

const REASON_PHRASES: Record<DuplicateReason, string> = {
  email: 'the same e-mail address',
  phone: 'the same phone number',
  name_and_organization: 'a similar name at a similar organization',
};

/** "A contact with the same phone number already exists. Open it to check, or save if this is someone else." */
export function possibleDuplicateSentence(candidates: readonly DuplicateCandidate[]): string {
  const reasons = [...new Set(candidates.flatMap((c) => c.reasons))].map((r) => REASON_PHRASES[r]);
  const one = candidates.length === 1;
  const who = one ? 'A contact' : `${candidates.length} contacts`;
  const why = reasons.length > 0 ? ` with ${reasons.join(' or ')}` : '';
  return `${who}${why} already ${one ? 'exists' : 'exist'}. Open ${one ? 'it' : 'them'} to check, or save if this is someone else.`;
}

/**
 * Records that may be the same person, each with a link and the reasons. `newTab` opens the links
 * in a new tab, so that a form being filled in is not lost; `actions` adds buttons per candidate.
 */
export function DuplicateCandidateList({
  candidates,
  newTab = false,
  actions,
}: {
  candidates: readonly DuplicateCandidate[];
  newTab?: boolean;
  actions?: (candidate: DuplicateCandidate) => ReactNode;
}) {
  return (
    <ul className="candidates">
      {candidates.map((c) => {
        const name = fullName(c) ?? c.email;
        return (
          <li key={c.contactId} className="candidate">
            <div className="candidate-text">
              <Link to={`/contacts/${c.contactId}`} className="candidate-name" {...(newTab ? { target: '_blank', rel: 'noopener' } : {})}>
                {name}
                {newTab ? <span className="visually-hidden"> (opens in a new tab)</span> : null}
              </Link>
              <span className="candidate-meta">{[c.email, c.organization].filter(Boolean).join(' · ')}</span>
              <span className="candidate-reasons">
                {c.reasons.map((r) => (
                  <Badge key={r} tone={r === 'name_and_organization' ? 'info' : 'warning'}>
                    {reasonText(r, c.nameSimilarity)}
                  </Badge>
                ))}
              </span>
            </div>
            {actions ? <div className="candidate-actions">{actions(c)}</div> : null}
          </li>
        );
      })}
    </ul>
  );
}
