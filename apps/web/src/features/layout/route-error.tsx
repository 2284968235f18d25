import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** Shown when rendering a page throws: a way back instead of a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : null;
  return (
    <div className="center-screen">
      <div className="notice notice-error" role="alert">
        <p className="notice-title">This page could not be shown</p>
        <p>
          Something unexpected went wrong in the browser{detail ? ` (${detail})` : ''}. Reload the page; if it happens again, tell your
          administrator.
        </p>
        <p>
          <Link to="/contacts">Go to contacts</Link>
        </p>
      </div>
    </div>
  );
}
