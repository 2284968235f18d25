import { Link } from 'react-router';
import { PageHeader } from '../../components/page-header.tsx';

export function NotFoundPage() {
  return (
    <>
      <title>Not found · Zweck</title>
      <PageHeader title="Page not found" subtitle="There is nothing at this address." />
      <p>
        <Link to="/contacts">Go to contacts</Link>
      </p>
    </>
  );
}
