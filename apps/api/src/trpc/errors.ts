import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/unstable-core-do-not-import';

/**
 * Domain errors, typed by code. Routers throw these; one mapping turns them into transport
 * errors, and the UI branches on `data.appCode`, never on the message (STYLE.md principle 7).
 */
export const APP_ERRORS = {
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  NOT_SIGNED_IN: 'UNAUTHORIZED',
  ROLE_NOT_ALLOWED: 'FORBIDDEN',
  CONTACT_NOT_FOUND: 'NOT_FOUND',
  CONSENT_EVENT_NOT_FOUND: 'NOT_FOUND',
  CONTACT_EMAIL_TAKEN: 'CONFLICT',
  PURPOSE_NOT_FOUND: 'BAD_REQUEST',
  CHANNEL_NOT_IN_PURPOSE: 'BAD_REQUEST',
  WORDING_NOT_FOUND: 'BAD_REQUEST',
  SPECIAL_CATEGORY_DATA: 'BAD_REQUEST',
  MAIL_SINK_NOT_CONFIGURED: 'PRECONDITION_FAILED',
  MESSAGE_NOT_FOUND: 'NOT_FOUND',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type AppErrorCode = keyof typeof APP_ERRORS;

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** The input field the error is about, so that a form can show it beside the field. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: APP_ERRORS[error.code], message: error.message, cause: error });
}
