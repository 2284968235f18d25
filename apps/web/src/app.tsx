import { QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { RequirePermission } from './features/auth/require-permission.tsx';
import { SessionGate } from './features/auth/session-gate.tsx';
import { ContactPage } from './features/contacts/contact-page.tsx';
import { ContactsListPage } from './features/contacts/contacts-list-page.tsx';
import { NewContactPage } from './features/contacts/new-contact-page.tsx';
import { AppLayout } from './features/layout/app-layout.tsx';
import { NotFoundPage } from './features/layout/not-found-page.tsx';
import { RouteError } from './features/layout/route-error.tsx';
import { OutboxListPage } from './features/outbox/outbox-list-page.tsx';
import { OutboxMessagePage } from './features/outbox/outbox-message-page.tsx';
import { queryClient } from './lib/trpc.ts';

const router = createBrowserRouter([
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
