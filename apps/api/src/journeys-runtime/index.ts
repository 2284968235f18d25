// The journey runtime on the API side: enrolment, triggers, the consent-change signal, the router.
export {
  endEnrollment,
  enrollContact,
  listContactEnrollments,
  signalJourneyConsentChanged,
  type ContactEnrollment,
  type EnrollmentCause,
  type EnrollResult,
  type JourneyRuntimeDeps,
} from './enrollment.ts';
export { activateJourneyTriggers, deactivateJourneyTriggers, enrollOnEvent, enrollOnFormConfirmed } from './triggers.ts';
