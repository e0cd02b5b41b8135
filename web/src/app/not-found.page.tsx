import { Link } from 'react-router';
import { EmptyState } from '../ui/states';
import { PageTitle } from './page-title';

export function NotFoundPage() {
  return (
    <section>
      <PageTitle title="Page not found">Page not found</PageTitle>
      <EmptyState title="There is nothing at this address.">
        <Link to="/">Back to the shop</Link>
      </EmptyState>
    </section>
  );
}
