import { QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { RequirePermission } from './features/auth/require-permission.tsx';
import { SessionGate } from './features/auth/session-gate.tsx';
import { CampaignPage } from './features/campaigns/campaign-page.tsx';
import { CampaignsListPage } from './features/campaigns/campaigns-list-page.tsx';
import { EditCampaignPage } from './features/campaigns/edit-campaign-page.tsx';
import { NewCampaignPage } from './features/campaigns/new-campaign-page.tsx';
import { FieldsPage } from './features/catalogue/fields-page.tsx';
import { NewPurposePage } from './features/catalogue/new-purpose-page.tsx';
import { PurposePage } from './features/catalogue/purpose-page.tsx';
import { PurposesPage } from './features/catalogue/purposes-page.tsx';
import { ContactPage } from './features/contacts/contact-page.tsx';
import { ContactsListPage } from './features/contacts/contacts-list-page.tsx';
import { NewContactPage } from './features/contacts/new-contact-page.tsx';
import { ImportPage } from './features/import/import-page.tsx';
import { JourneyDesignerPage } from './features/journeys/journey-designer-page.tsx';
import { JourneysListPage } from './features/journeys/journeys-list-page.tsx';
import { NewJourneyPage } from './features/journeys/new-journey-page.tsx';
import { AppLayout } from './features/layout/app-layout.tsx';
import { LeadInboxPage } from './features/leads/lead-inbox-page.tsx';
import { LeadPage } from './features/leads/lead-page.tsx';
import { NotFoundPage } from './features/layout/not-found-page.tsx';
import { RouteError } from './features/layout/route-error.tsx';
import { OutboxListPage } from './features/outbox/outbox-list-page.tsx';
import { OutboxMessagePage } from './features/outbox/outbox-message-page.tsx';
import { PrivacyOverviewPage } from './features/privacy/overview-page.tsx';
import { Art14Page } from './features/privacy/art14-page.tsx';
import { RequestPage } from './features/privacy/requests/request-page.tsx';
import { RequestsPage } from './features/privacy/requests/requests-page.tsx';
import { ScoringPage } from './features/scoring/scoring-page.tsx';
import { SegmentBuilderPage } from './features/segments/segment-builder-page.tsx';
import { SegmentsListPage } from './features/segments/segments-list-page.tsx';
import { TemplateEditorPage } from './features/templates/template-editor-page.tsx';
import { TemplatesListPage } from './features/templates/templates-list-page.tsx';
import { AuditPage } from './features/privacy/audit/audit-page.tsx';
import { NewProcessorPage, ProcessorPage } from './features/privacy/processors/processor-page.tsx';
import { ProcessorsPage } from './features/privacy/processors/processors-page.tsx';
import { RecordsPage } from './features/privacy/records/records-page.tsx';
import { InboxPage } from './features/privacy/inbox/inbox-page.tsx';
import { NewReviewPage } from './features/privacy/reviews/new-review-page.tsx';
import { ReviewPage } from './features/privacy/reviews/review-page.tsx';
import { ReviewsPage } from './features/privacy/reviews/reviews-page.tsx';
import { RetentionPage } from './features/privacy/retention/retention-page.tsx';
import { NewRetentionPolicyPage, RetentionPolicyPage } from './features/privacy/retention/retention-policy-page.tsx';
import { RetentionRunPage } from './features/privacy/retention/retention-run-page.tsx';
import { ChangePasswordPage } from './features/auth/change-password-page.tsx';
import { SecurityPage } from './features/auth/security-page.tsx';
import { UsersPage } from './features/users/users-page.tsx';
import { WelcomePage } from './features/users/welcome-page.tsx';
import { queryClient } from './lib/trpc.ts';

const router = createBrowserRouter([
  // Public: an invited person sets their first password here, outside the signed-in shell.
  { path: 'welcome/:token', element: <WelcomePage />, errorElement: <RouteError /> },
  {
    element: (
      <SessionGate>
        <AppLayout />
      </SessionGate>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="/contacts" replace /> },
      { path: 'contacts', element: <ContactsListPage /> },
      {
        path: 'contacts/new',
        element: (
          <RequirePermission permission="contacts.create">
            <NewContactPage />
          </RequirePermission>
        ),
      },
      { path: 'contacts/:id', element: <ContactPage /> },
      {
        path: 'outbox',
        element: (
          <RequirePermission permission="outbox.read">
            <OutboxListPage />
          </RequirePermission>
        ),
      },
      {
        path: 'outbox/:id',
        element: (
          <RequirePermission permission="outbox.read">
            <OutboxMessagePage />
          </RequirePermission>
        ),
      },
      // The purpose and field catalogues: marketers read them, the DPO and administrators edit them.
      { path: 'catalogue', element: <Navigate to="/catalogue/purposes" replace /> },
      {
        path: 'catalogue/purposes',
        element: (
          <RequirePermission permission="catalogue.read">
            <PurposesPage />
          </RequirePermission>
        ),
      },
      {
        path: 'catalogue/purposes/new',
        element: (
          <RequirePermission permission="catalogue.edit">
            <NewPurposePage />
          </RequirePermission>
        ),
      },
      {
        path: 'catalogue/purposes/:id',
        element: (
          <RequirePermission permission="catalogue.read">
            <PurposePage />
          </RequirePermission>
        ),
      },
      {
        path: 'catalogue/fields',
        element: (
          <RequirePermission permission="catalogue.read">
            <FieldsPage />
          </RequirePermission>
        ),
      },
      // Segments: marketers and administrators build them, the DPO reads them and their previews.
      {
        path: 'segments',
        element: (
          <RequirePermission permission="segments.read">
            <SegmentsListPage />
          </RequirePermission>
        ),
      },
      {
        path: 'segments/new',
        element: (
          <RequirePermission permission="segments.edit">
            <SegmentBuilderPage />
          </RequirePermission>
        ),
      },
      {
        path: 'segments/:id',
        element: (
          <RequirePermission permission="segments.read">
            <SegmentBuilderPage />
          </RequirePermission>
        ),
      },
      // Templates: marketers and administrators write them, the DPO reads them and previews them.
      {
        path: 'templates',
        element: (
          <RequirePermission permission="templates.read">
            <TemplatesListPage />
          </RequirePermission>
        ),
      },
      {
        path: 'templates/new',
        element: (
          <RequirePermission permission="templates.edit">
            <TemplateEditorPage />
          </RequirePermission>
        ),
      },
      {
        path: 'templates/:id',
        element: (
          <RequirePermission permission="templates.read">
            <TemplateEditorPage />
          </RequirePermission>
        ),
      },
      // Campaigns: marketers and administrators compose and run them, the DPO and sales follow them.
      {
        path: 'campaigns',
        element: (
          <RequirePermission permission="campaigns.read">
            <CampaignsListPage />
          </RequirePermission>
        ),
      },
      {
        path: 'campaigns/new',
        element: (
          <RequirePermission permission="campaigns.write">
            <NewCampaignPage />
          </RequirePermission>
        ),
      },
      {
        path: 'campaigns/:id',
        element: (
          <RequirePermission permission="campaigns.read">
            <CampaignPage />
          </RequirePermission>
        ),
      },
      {
        path: 'campaigns/:id/edit',
        element: (
          <RequirePermission permission="campaigns.write">
            <EditCampaignPage />
          </RequirePermission>
        ),
      },
      // Journeys: marketers and administrators design and publish them, the DPO reads them.
      {
        path: 'journeys',
        element: (
          <RequirePermission permission="journeys.read">
            <JourneysListPage />
          </RequirePermission>
        ),
      },
      {
        path: 'journeys/new',
        element: (
          <RequirePermission permission="journeys.write">
            <NewJourneyPage />
          </RequirePermission>
        ),
      },
      {
        path: 'journeys/:id',
        element: (
          <RequirePermission permission="journeys.read">
            <JourneyDesignerPage />
          </RequirePermission>
        ),
      },
      // Leads: sales reps work their own (managers their team's); marketers score and hand off.
      {
        path: 'leads',
        element: (
          <RequirePermission permission="leads.read">
            <LeadInboxPage />
          </RequirePermission>
        ),
      },
      {
        path: 'leads/:id',
        element: (
          <RequirePermission permission="leads.read">
            <LeadPage />
          </RequirePermission>
        ),
      },
      {
        path: 'scoring',
        element: (
          <RequirePermission permission="scoring.edit">
            <ScoringPage />
          </RequirePermission>
        ),
      },
      {
        path: 'import',
        element: (
          <RequirePermission permission="contacts.import">
            <ImportPage />
          </RequirePermission>
        ),
      },
      // The DPO's workplace (issue 5): each section adds its routes here, under /privacy, before the catch-all.
      // Retention, the deletion concept (slice R): policies, holds and runs; the editor; one run.
      {
        path: 'privacy/retention',
        element: (
          <RequirePermission permission="privacy.read">
            <RetentionPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/retention/new',
        element: (
          <RequirePermission permission="privacy.manage">
            <NewRetentionPolicyPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/retention/runs/:id',
        element: (
          <RequirePermission permission="privacy.read">
            <RetentionRunPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/retention/:id',
        element: (
          <RequirePermission permission="privacy.read">
            <RetentionPolicyPage />
          </RequirePermission>
        ),
      },
      // Data-subject requests (slice D1): the queue and one request.
      {
        path: 'privacy/requests',
        element: (
          <RequirePermission permission="privacy.read">
            <RequestsPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/requests/:id',
        element: (
          <RequirePermission permission="privacy.read">
            <RequestPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/art14',
        element: (
          <RequirePermission permission="privacy.read">
            <Art14Page />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy',
        element: (
          <RequirePermission permission="privacy.read">
            <PrivacyOverviewPage />
          </RequirePermission>
        ),
      },
      // Processors (Art. 28), records of processing (Art. 30) and the audit log (slice F).
      {
        path: 'privacy/processors',
        element: (
          <RequirePermission permission="privacy.read">
            <ProcessorsPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/processors/new',
        element: (
          <RequirePermission permission="privacy.manage">
            <NewProcessorPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/processors/:id',
        element: (
          <RequirePermission permission="privacy.read">
            <ProcessorPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/records',
        element: (
          <RequirePermission permission="privacy.read">
            <RecordsPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/audit',
        element: (
          <RequirePermission permission="privacy.read">
            <AuditPage />
          </RequirePermission>
        ),
      },
      // The DPO inbox and the reviews (Wiedervorlage), slice W.
      {
        path: 'privacy/inbox',
        element: (
          <RequirePermission permission="privacy.read">
            <InboxPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/reviews',
        element: (
          <RequirePermission permission="privacy.read">
            <ReviewsPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/reviews/new',
        element: (
          <RequirePermission permission="privacy.manage">
            <NewReviewPage />
          </RequirePermission>
        ),
      },
      {
        path: 'privacy/reviews/:id',
        element: (
          <RequirePermission permission="privacy.read">
            <ReviewPage />
          </RequirePermission>
        ),
      },
      // User administration (issue 6): administrators only.
      {
        path: 'admin/users',
        element: (
          <RequirePermission permission="users.manage">
            <UsersPage />
          </RequirePermission>
        ),
      },
      { path: 'account/password', element: <ChangePasswordPage /> },
      { path: 'account/security', element: <SecurityPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
