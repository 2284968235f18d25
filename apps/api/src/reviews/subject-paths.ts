/**
 * The admin UI's page of each subject a DPO notice or a review is about
 * (/work/briefs/issue5-interfaces.md). The worker's notice mails build the same links in
 * workflows/activities/src/dpo-notices.ts; the API may not import the activities package, so the
 * short list is kept in both places (the inbox test compares a link with the mail's).
 */
const SUBJECT_PATHS: Record<string, (id: string) => string> = {
  review: (id) => `/privacy/reviews/${id}`,
  retention_policy: (id) => `/privacy/retention/${id}`,
  retention_run: (id) => `/privacy/retention/runs/${id}`,
  data_subject_request: (id) => `/privacy/requests/${id}`,
  contact: (id) => `/contacts/${id}`,
  processor: (id) => `/privacy/processors/${id}`,
  purpose: (id) => `/catalogue/purposes/${id}`,
};

export const subjectPathOf = (subjectType: string, subjectId: string): string | null =>
  SUBJECT_PATHS[subjectType]?.(encodeURIComponent(subjectId)) ?? null;
