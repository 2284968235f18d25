import { router } from '../trpc/init.ts';
import { authRouter } from './auth/auth.router.ts';
import { campaignsRouter } from './campaigns/campaigns.router.ts';
import { consentsRouter } from './consents/consents.router.ts';
import { contactsRouter } from './contacts/contacts.router.ts';
import { eventsRouter } from './events/events.router.ts';
import { fieldsRouter } from './fields/fields.router.ts';
import { importRouter } from './import/import.router.ts';
import { journeyRuntimeRouter } from '../journeys-runtime/journey-runtime.router.ts';
import { journeysRouter } from './journeys/journeys.router.ts';
import { leadsRouter } from './leads/leads.router.ts';
import { outboxRouter } from './outbox/outbox.router.ts';
import { privacyOverviewRouter } from './privacy/overview.router.ts';
import { purposesRouter } from './purposes/purposes.router.ts';
import { scoringRouter } from './scoring/scoring.router.ts';
import { segmentsRouter } from './segments/segments.router.ts';
import { templatesRouter } from './templates/templates.router.ts';
import { requestsRouter } from './requests/requests.router.ts';
import { subjectArchiveRouter } from './subject-archive/subject-archive.router.ts';
import { art14Router } from './art14/art14.router.ts';
import { auditRouter } from './audit/audit.router.ts';
import { processorsRouter } from './processors/processors.router.ts';
import { recordsRouter } from './records/records.router.ts';
import { reviewsRouter } from './reviews/reviews.router.ts';
import { dpoInboxRouter } from './dpo-inbox/dpo-inbox.router.ts';
import { retentionRouter } from './retention/retention.router.ts';
import { usersRouter } from './users/users.router.ts';

export const appRouter = router({
  auth: authRouter,
  privacyOverview: privacyOverviewRouter,
  contacts: contactsRouter,
  consents: consentsRouter,
  purposes: purposesRouter,
  fields: fieldsRouter,
  outbox: outboxRouter,
  segments: segmentsRouter,
  templates: templatesRouter,
  import: importRouter,
  campaigns: campaignsRouter,
  events: eventsRouter,
  journeyRuntime: journeyRuntimeRouter,
  journeys: journeysRouter,
  leads: leadsRouter,
  scoring: scoringRouter,
  requests: requestsRouter,
  subjectArchive: subjectArchiveRouter,
  art14: art14Router,
  processors: processorsRouter,
  records: recordsRouter,
  audit: auditRouter,
  reviews: reviewsRouter,
  dpoInbox: dpoInboxRouter,
  retention: retentionRouter,
  users: usersRouter,
});

/** The web UI imports this type, and only this type, from the API. */
export type AppRouter = typeof appRouter;
export type { AppErrorCode } from '../trpc/errors.ts';
