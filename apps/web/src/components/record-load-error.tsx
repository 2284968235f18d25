import type { AppErrorCode } from '@zweck/api';
import type { ReactNode } from 'react';
import { appCodeOf, describeError, transportCodeOf } from '../lib/errors.ts';
import { ErrorNotice, Notice } from './feedback.tsx';
import { PageHeader } from './page-header.tsx';

/**
 * The page of one record when the record could not be shown: it does not exist (or the address
 * is not a valid id), with a way `back` to its list; or loading failed, with a way to try again.
 */
export function RecordLoadError({
  noun,
  error,
  notFoundCode,
  back,
  onRetry,
}: {
  /** What the record is, capitalised: "Contact". */
  noun: string;
  error: unknown;
  /** The application error code the API answers with for a record that does not exist. */
  notFoundCode: AppErrorCode;
  back: ReactNode;
  onRetry: () => void;
}) {
  const missing = appCodeOf(error) === notFoundCode || transportCodeOf(error) === 'BAD_REQUEST';
  return (
    <>
      <title>{`${noun} · Zweck`}</title>
      <PageHeader title={missing ? `${noun} not found` : noun} />
      {missing ? (
        <Notice tone="warning">
          <p>{describeError(error)}</p>
          <p>{back}</p>
        </Notice>
      ) : (
        <ErrorNotice title={`The ${noun.toLowerCase()} could not be loaded`} error={error} onRetry={onRetry} />
      )}
    </>
  );
}
