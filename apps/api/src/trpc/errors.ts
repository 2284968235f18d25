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
  INVALID_FIELD_VALUES: 'BAD_REQUEST',
  POSSIBLE_DUPLICATE: 'CONFLICT',
  MERGE_SAME_CONTACT: 'BAD_REQUEST',
  MERGE_NOT_ALLOWED: 'PRECONDITION_FAILED',
  // The purpose and field catalogues (issue 3).
  PURPOSE_ID_TAKEN: 'CONFLICT',
  BALANCING_TEST_REQUIRED: 'BAD_REQUEST',
  BALANCING_TEST_NOT_APPLICABLE: 'BAD_REQUEST',
  DOUBLE_OPT_IN_NOT_APPLICABLE: 'BAD_REQUEST',
  EXISTING_CUSTOMER_EXCEPTION_NOT_APPLICABLE: 'BAD_REQUEST',
  LEGAL_BASIS_LOCKED: 'CONFLICT',
  SYSTEM_PURPOSE_LOCKED: 'CONFLICT',
  WORDING_UNCHANGED: 'CONFLICT',
  WORDING_NEEDS_CONSENT_BASIS: 'BAD_REQUEST',
  FIELD_NOT_FOUND: 'BAD_REQUEST',
  FIELD_KEY_TAKEN: 'CONFLICT',
  SPECIAL_CATEGORY_FIELD: 'BAD_REQUEST',
  FIELD_TYPE_LOCKED: 'CONFLICT',
  // Import (issue 3).
  IMPORT_FILE_INVALID: 'BAD_REQUEST',
  IMPORT_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  IMPORT_FILE_CHANGED: 'CONFLICT',
  IMPORT_REPORT_CHANGED: 'CONFLICT',
  IMPORT_HAS_REJECTED_ROWS: 'PRECONDITION_FAILED',
  IMPORT_NOTHING_TO_IMPORT: 'PRECONDITION_FAILED',
  // Segments (issue 4).
  SEGMENT_NOT_FOUND: 'NOT_FOUND',
  SEGMENT_NAME_TAKEN: 'CONFLICT',
  SEGMENT_IN_USE: 'CONFLICT',
  // Templates (issue 4).
  TEMPLATE_NOT_FOUND: 'NOT_FOUND',
  TEMPLATE_NAME_TAKEN: 'CONFLICT',
  TEMPLATE_INVALID: 'BAD_REQUEST',
  TEMPLATE_IN_USE: 'CONFLICT',
  // Broadcast campaigns (issue 4).
  CAMPAIGN_NOT_FOUND: 'NOT_FOUND',
  CAMPAIGN_SEGMENT_NOT_FOUND: 'BAD_REQUEST',
  CAMPAIGN_TEMPLATE_NOT_FOUND: 'BAD_REQUEST',
  CAMPAIGN_TEMPLATE_NOT_MARKETING: 'BAD_REQUEST',
  CAMPAIGN_SCHEDULE_IN_PAST: 'BAD_REQUEST',
  CAMPAIGN_NOT_DRAFT: 'CONFLICT',
  CAMPAIGN_NOT_ACTIVE: 'CONFLICT',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type AppErrorCode = keyof typeof APP_ERRORS;

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** The input field the error is about, so that a form can show it beside the field. */
    readonly field?: string,
    /** Every field that was wrong, with its messages, where there can be more than one. */
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: APP_ERRORS[error.code], message: error.message, cause: error });
}
