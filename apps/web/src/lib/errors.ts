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
  // Sign-in security.
  SIGN_IN_THROTTLED: 'Too many failed sign-ins. Wait a few minutes, then try again.',
  PASSWORD_NOT_ALLOWED: 'This password cannot be used: it is too short, too long, too common, or your e-mail address.',
  CURRENT_PASSWORD_WRONG: 'The current password is not correct.',
  PASSWORD_CHANGE_THROTTLED: 'Too many wrong current passwords. Wait a few minutes, then try again.',
  // The second factor.
  SECOND_FACTOR_CODE_WRONG: 'This code is not correct. Type the 6 digits your authenticator app shows now.',
  SECOND_FACTOR_CODE_USED: 'This code was used already. Wait for the next code in your authenticator app.',
  RECOVERY_CODE_WRONG: 'This recovery code is not correct, or it was used already.',
  SECOND_FACTOR_NOT_ENROLLED: 'This account has no authenticator app yet. Sign in again to set one up.',
  SECOND_FACTOR_ENROLLMENT_NOT_STARTED: 'The set-up of the authenticator app has not started, or it started again elsewhere. Start again.',
  SECOND_FACTOR_ALREADY_ENROLLED: 'An authenticator app is already set up for this account.',
  CONTACT_NOT_FOUND: 'There is no such contact, or it is not visible to you.',
  CONTACT_REASON_REQUIRED: 'Say why you open this contact first: the reason is logged, and it lets you open it for 8 hours.',
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
  INVALID_FIELD_VALUES: 'Some values do not fit the field catalogue. Check the highlighted fields.',
  POSSIBLE_DUPLICATE: 'A contact that may be the same person already exists. Open it, or save anyway if this is another person.',
  MERGE_SAME_CONTACT: 'A contact cannot be merged with itself.',
  MERGE_NOT_ALLOWED: 'A contact that is erased or awaiting erasure cannot be merged (Art. 17 GDPR).',
  MERGE_BLOCKED_BY_OPEN_LEAD: 'One of the contacts is an open lead with sales: accept or recycle the lead first, then merge.',
  // The purpose and field catalogues.
  PURPOSE_ID_TAKEN: 'There is already a purpose with this ID. Choose another one.',
  BALANCING_TEST_REQUIRED:
    'Legitimate interest (Art. 6(1)(f) GDPR) needs a written balancing test of at least 50 characters: the interest, the impact on the people, and why the interest prevails.',
  BALANCING_TEST_NOT_APPLICABLE: 'A balancing test belongs to the legal basis legitimate interest. Remove it or choose that basis.',
  DOUBLE_OPT_IN_NOT_APPLICABLE: 'Double opt-in confirms a consent to e-mail: it needs the legal basis consent and the e-mail channel.',
  EXISTING_CUSTOMER_EXCEPTION_NOT_APPLICABLE:
    'The existing-customer exception (UWG § 7(3)) covers direct marketing by e-mail only: it needs the legal basis consent, the e-mail channel and direct marketing.',
  LEGAL_BASIS_LOCKED:
    'Consents have been recorded for this purpose on its legal basis, so the basis cannot be changed afterwards (Art. 6, 7 GDPR). Create a new purpose instead.',
  SYSTEM_PURPOSE_LOCKED: 'Zweck itself sends mail under this purpose: its legal basis and its e-mail channel stay as they are.',
  WORDING_UNCHANGED: 'This is the text of the current version. A new version needs a changed text.',
  WORDING_NEEDS_CONSENT_BASIS: 'This purpose does not rest on consent, so there is no wording for people to agree to.',
  FIELD_NOT_FOUND: 'That field is not in the field catalogue (any more). Reload the page and try again.',
  FIELD_KEY_TAKEN: 'There is already a field with this key. Choose another one.',
  SPECIAL_CATEGORY_FIELD:
    'Special categories of personal data (health, religion, politics, union membership, origin, sexual orientation, genetic or biometric data; Art. 9(1) GDPR) cannot be declared: Zweck does not store them.',
  FIELD_TYPE_LOCKED:
    'The type of a built-in field, or of a field that contacts already hold values for, cannot change. Create a new field instead.',
  FIELD_NOT_SEGMENTABLE: 'Free-text fields (such as notes) are stored encrypted and cannot be used in conditions. Choose another field.',
  FIELD_VALUE_UNREADABLE:
    'A stored value of this contact cannot be decrypted with the installation’s keys. Tell the administrator: the key ring may lack a key.',
  FIELD_NOT_VISIBLE:
    'Your role does not work for a purpose that uses this field, so it cannot enter, change or filter on it. Ask someone whose work needs the field, or the DPO.',
  // Import.
  IMPORT_FILE_INVALID: 'The file cannot be read as an import. Correct it and choose it again.',
  IMPORT_TOO_LARGE: 'The file is too large for one import (at most 5 MB and 10,000 rows). Split it into smaller files.',
  IMPORT_FILE_CHANGED: 'This is not the file the dry run checked. Run the dry run again.',
  IMPORT_REPORT_CHANGED:
    'The contacts have changed since the dry run, so some rows would now have another outcome. Run the dry run again and review it.',
  IMPORT_HAS_REJECTED_ROWS: 'Some rows are rejected, so nothing was imported. Import only the valid rows, or correct the file.',
  IMPORT_NOTHING_TO_IMPORT: 'Every row of this file is rejected: there is nothing to import.',
  // Templates.
  TEMPLATE_NOT_FOUND: 'There is no such template (any more). Reload the page.',
  TEMPLATE_NAME_TAKEN: 'There is already a template with this name. Choose another one.',
  TEMPLATE_INVALID: 'The template has problems: see the messages beside the subject and the bodies.',
  TEMPLATE_IN_USE: 'A campaign uses this template, so it cannot be deleted.',
  // Broadcast campaigns.
  CAMPAIGN_NOT_FOUND: 'There is no such campaign (any more).',
  CAMPAIGN_SEGMENT_NOT_FOUND: 'That segment does not exist (any more). Choose another one.',
  CAMPAIGN_TEMPLATE_NOT_FOUND: 'That template does not exist (any more). Choose another one.',
  CAMPAIGN_TEMPLATE_NOT_MARKETING:
    'A direct-marketing purpose sends marketing templates only: they carry the unsubscribe link, the preference center, the privacy notice and the imprint.',
  CAMPAIGN_SCHEDULE_IN_PAST: 'The scheduled time has passed. Choose a time ahead, or send now.',
  CAMPAIGN_NOT_DRAFT: 'This campaign has been started, so it can no longer be changed.',
  CAMPAIGN_NOT_ACTIVE: 'This campaign is not running, so it cannot be paused, resumed or cancelled.',
  // Nurture journeys.
  JOURNEY_NOT_FOUND: 'There is no such journey (any more).',
  JOURNEY_NAME_TAKEN: 'There is already a journey with this name. Choose another one.',
  JOURNEY_NOT_PUBLISHABLE: 'The journey cannot be published yet: every issue listed must be resolved first.',
  JOURNEY_STATUS_CONFLICT: 'The journey’s status has changed meanwhile. Reload the page and try again.',
  JOURNEY_ARCHIVED: 'This journey is archived: it can no longer be changed or published.',
  JOURNEY_VERSION_NOT_FOUND: 'This journey has no such version.',
  JOURNEY_NOT_ACTIVE: 'This journey is not active: publish or resume it before contacts can enter.',
  JOURNEY_NOT_PUBLISHED: 'This journey has no published version yet: publish it first.',
  JOURNEY_ALREADY_ENROLLED: 'This contact is already on this journey. End that enrolment first.',
  JOURNEY_REENTRY_NOT_ALLOWED: 'This contact was on this journey before, and the journey does not allow entering again.',
  JOURNEY_CONTACT_NOT_ELIGIBLE: 'This contact is restricted or awaiting erasure, so it cannot enter a journey.',
  JOURNEY_ENROLLMENT_NOT_FOUND: 'There is no such enrolment.',
  JOURNEY_ENROLLMENT_NOT_ACTIVE: 'This enrolment has already ended.',
  EVENT_DETAILS_PERSONAL_DATA: 'Event details carry IDs and codes only: a value looks like an e-mail address or a phone number.',
  EVENT_CONTACT_NOT_ACTIVE: 'This contact is restricted or awaiting erasure: no events are recorded for it.',
  LEAD_NOT_FOUND: 'There is no such lead, or it is not yours to see.',
  LEAD_NOT_OPEN: 'This lead was already accepted or recycled.',
  SCORING_RULE_NOT_FOUND: 'There is no such scoring rule (any more).',
  SCORING_RULE_MATCH_INVALID: 'Choose an interaction kind, or an event name of lower-case words joined by dots.',
  TERRITORY_FIELD_REQUIRED: 'Assignment by territory needs the field whose value names the territory.',
  HANDOFF_ALREADY_RUNNING: 'A handoff of this contact to sales is already under way.',
  SALES_USER_NOT_FOUND: 'Choose an active user with the role Sales.',
  // The Art. 14 duty clock.
  ART14_DUTY_NOT_FOUND: 'There is no such Art. 14 duty (any more).',
  ART14_DUTY_NOT_OPEN: 'This duty is settled already: the person was informed, or an exemption was recorded.',
  // Processors.
  PROCESSOR_NOT_FOUND: 'There is no such processor (any more).',
  TRANSFER_MECHANISM_MISMATCH: 'This transfer mechanism does not fit the country where the processor works.',
  REVIEW_NOT_FOUND: 'There is no such review (any more).',
  REVIEW_ALREADY_DONE: 'This review is done already.',
  REVIEW_SUBJECT_NOT_FOUND: 'There is no such object to review. Check the subject type and ID.',
  REVIEW_SNOOZE_NOT_LATER: 'A snooze must move the review to a later day than it is due now, and not into the past.',
  DPO_NOTICE_NOT_FOUND: 'There is no such notice in the inbox.',
  // Data-subject requests.
  REQUEST_NOT_FOUND: 'There is no such request (any more).',
  REQUEST_CLOSED: 'This request is closed; nothing about it can change any more.',
  REQUEST_NOT_VERIFIED: 'The identity of the person is not verified yet; nothing is done before it is.',
  REQUEST_RECEIVED_IN_FUTURE: 'A request cannot have been received in the future. Check the date.',
  REQUEST_EXTENSION_INVALID: 'An extension must end after the original due date.',
  REQUEST_EXTENSION_TOO_LONG: 'The period can be extended by at most two months past the original due date (Art. 12(3) GDPR).',
  REQUEST_STATUS_INVALID: 'The request cannot move to this status from where it is now.',
  REQUEST_CLOSING_NOTE_REQUIRED: 'Say why the request is refused: the person must be told the reasons (Art. 12(4) GDPR).',
  REQUEST_ACTION_NOT_FOR_TYPE: 'This action does not belong to this type of request.',
  REQUEST_NO_CONTACT: 'No contact has this address, so there is no data to act on. Answer the request and complete it.',
  REQUEST_ERASURE_NOT_VERIFIED: 'The erasure is not done until the verifier finds nothing in any store. Wait for its report.',
  // Retention: the deletion concept.
  RETENTION_POLICY_NOT_FOUND: 'There is no such retention policy (any more).',
  RETENTION_POLICY_NAME_TAKEN: 'There is already a retention policy with this name. Choose another one.',
  RETENTION_POLICY_IN_USE: 'Runs were made under this policy, so it stays as their record. Deactivate it instead.',
  RETENTION_POLICY_INACTIVE: 'This policy is not active: activate it before checking it.',
  RETENTION_SCOPE_INVALID: 'Choose what the policy covers: a purpose from the catalogue, or a data category.',
  LEGAL_HOLD_NOT_FOUND: 'There is no such legal hold (any more).',
  RETENTION_RUN_NOT_FOUND: 'There is no such retention run (any more).',
  RETENTION_RUN_NOT_PENDING: 'This run was decided already; nothing about it can change any more.',
  RETENTION_ACTION_REQUIRED: 'This policy asks for a review: choose whether to delete or to anonymize.',
  // User administration (issue 6).
  USER_NOT_FOUND: 'There is no such user.',
  USER_EMAIL_TAKEN: 'A user with this e-mail address already exists.',
  LAST_ADMIN: 'There must be at least one active administrator. Make someone else an administrator first.',
  USER_INACTIVE: 'This user is deactivated. Reactivate them first.',
  INVITATION_NOT_PENDING: 'This user has already set a password; there is no invitation to renew.',
  INVITATION_INVALID:
    'This invitation link is not valid: it was used already, it expired (after 72 hours), or a newer link replaced it. Ask your administrator for a new one.',
  // Segments.
  SEGMENT_NOT_FOUND: 'There is no such segment (any more).',
  SEGMENT_NAME_TAKEN: 'There is already a segment with this name. Choose another one.',
  SEGMENT_IN_USE: 'Campaigns use this segment, so it stays: their audience must remain explainable. Edit it or keep it.',
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
  // An unexpected error comes with a reference that finds its details in the server's log.
  const reference = client.data?.correlationId;
  if (code === 'INTERNAL_SERVER_ERROR' && reference) {
    return `The server could not complete this. Try again; if it keeps happening, tell your administrator the reference ${reference}.`;
  }
  return TRANSPORT_MESSAGES[code] ?? 'The server could not complete this. Try again; if it keeps happening, tell your administrator.';
}
