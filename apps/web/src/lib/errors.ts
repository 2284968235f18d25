import { TRPCClientError } from '@trpc/client';
import type { AppErrorCode, AppRouter } from '@zweck/api';

export type AppClientError = TRPCClientError<AppRouter>;

export function asClientError(error: unknown): AppClientError | null {
  return error instanceof TRPCClientError ? (error as AppClientError) : null;
}

/** The domain error code the API attached (`data.appCode`); the UI branches on it, never on message text. */
export const appCodeOf = (error: unknown): AppErrorCode | null => asClientError(error)?.data?.appCode ?? null;

/** The transport code (UNAUTHORIZED, FORBIDDEN, BAD_REQUEST, ...). */
export const transportCodeOf = (error: unknown): string | null => asClientError(error)?.data?.code ?? null;

/** The session is missing or expired (a wrong password at sign-in is something else). */
export const isSessionLost = (error: unknown): boolean =>
  transportCodeOf(error) === 'UNAUTHORIZED' && appCodeOf(error) !== 'INVALID_CREDENTIALS';

const FINAL_CODES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST', 'CONFLICT', 'PRECONDITION_FAILED', 'PARSE_ERROR']);

/** Errors where asking again gives the same answer. */
export const isFinalError = (error: unknown): boolean => FINAL_CODES.has(transportCodeOf(error) ?? '');

/** Zod's flattened field errors for bad input, keyed by top-level input field. */
export function fieldErrorsOf(error: unknown): Record<string, string[] | undefined> | null {
  return asClientError(error)?.data?.fieldErrors ?? null;
}

/** The input field a domain error is about (`email`, `consent.wordingVersion`, ...). */
export const fieldOf = (error: unknown): string | null => asClientError(error)?.data?.field ?? null;

/**
 * Plain-language text per domain error code. A `Record` over every code: when the API adds one,
 * this file stops compiling until the UI knows what to say.
 */
const APP_MESSAGES: Record<AppErrorCode, string> = {
  INVALID_CREDENTIALS: 'The e-mail address or password is not correct.',
  NOT_SIGNED_IN: 'Your session has ended. Please sign in again.',
  ROLE_NOT_ALLOWED: 'Your role does not allow this. Ask an administrator if you need access.',
  CONTACT_NOT_FOUND: 'There is no such contact, or it is not visible to you.',
  CONSENT_EVENT_NOT_FOUND: 'There is no such consent event.',
  CONTACT_EMAIL_TAKEN: 'A contact with this e-mail address already exists.',
  PURPOSE_NOT_FOUND: 'That purpose is not in the catalogue (any more). Reload the page and try again.',
  CHANNEL_NOT_IN_PURPOSE: 'That purpose does not use this channel.',
  WORDING_NOT_FOUND: 'That wording version does not exist for this purpose and language.',
  SPECIAL_CATEGORY_DATA:
    'This text seems to mention health, religion, politics, union membership, origin, sexual orientation or biometric data, which Zweck must not store (Art. 9 GDPR). Describe the context without it.',
  MAIL_SINK_NOT_CONFIGURED:
    'This installation has no local mail sink, so there is no outbox to show. The outbox exists in development and test setups only.',
  MESSAGE_NOT_FOUND: 'There is no such message in the outbox. The mail sink may have been cleared.',
};

const TRANSPORT_MESSAGES: Record<string, string> = {
  UNAUTHORIZED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'Your role does not allow this.',
  NOT_FOUND: 'This does not exist (any more).',
  BAD_REQUEST: 'Some of the input is not valid. Check the highlighted fields.',
  CONFLICT: 'This conflicts with data that already exists.',
  TOO_MANY_REQUESTS: 'Too many requests. Wait a moment and try again.',
};

/** A sentence a person can act on, for any error thrown by a tRPC call (or anything else). */
export function describeError(error: unknown): string {
  const client = asClientError(error);
  if (!client) return 'Something unexpected went wrong. Reload the page and try again.';
  const appCode = appCodeOf(error);
  if (appCode) return APP_MESSAGES[appCode];
  const code = transportCodeOf(error);
  if (code === null) return 'The server could not be reached. Check your connection and try again.';
  return TRANSPORT_MESSAGES[code] ?? 'The server could not complete this. Try again; if it keeps happening, tell your administrator.';
}
