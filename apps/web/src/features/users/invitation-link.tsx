import { useState } from 'react';
import { Notice } from '../../components/feedback.tsx';
import { Time } from '../../components/time.tsx';

/**
 * The one-time link, shown once: the API stores only its hash, so it cannot be shown again. The
 * administrator hands it to the person over a channel they trust (ASVS 5 V6.4.1).
 */
export function InvitationLink({ displayName, url, expiresAt }: { displayName: string; url: string; expiresAt: string | Date }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      // The clipboard can be refused (permissions, insecure context): the field stays selectable.
      setCopied('failed');
    }
  };
  return (
    <Notice tone="success" title={`Invitation link for ${displayName}`}>
      <p>
        Valid for 72 hours (until <Time value={expiresAt} />) and usable once. It is shown only now: copy it and give it to {displayName}{' '}
        yourself, over a channel you trust. With it they set their own password.
      </p>
      <div className="field-row">
        <label htmlFor="invitation-url" className="visually-hidden">
          Invitation link
        </label>
        <input
          id="invitation-url"
          className="mono"
          readOnly
          value={url}
          size={60}
          onFocus={(event) => event.currentTarget.select()}
          data-testid="invitation-url"
        />
        <button type="button" className="button button-secondary button-small" onClick={() => void copy()}>
          Copy link
        </button>
      </div>
      {copied === 'yes' ? (
        <p className="small" role="status">
          Copied.
        </p>
      ) : copied === 'failed' ? (
        <p className="small" role="status">
          The browser did not allow copying: select the link and copy it by hand.
        </p>
      ) : null}
    </Notice>
  );
}
