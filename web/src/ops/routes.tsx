import type { RouteObject } from 'react-router';
import { PageTitle } from '../app/page-title';
import { EmptyState } from '../ui/states';

// Placeholder: the Operations pages (issue #15, part 3) replace this file. The app registers these
// routes under /ops, behind the admin guard (see web/src/app/routes.tsx).
function OperationsPlaceholder() {
  return (
    <section>
      <PageTitle title="Operations">Operations</PageTitle>
      <EmptyState title="Operations pages are on their way">
        <p>Dead letters, service health and the saga's figures will live here.</p>
      </EmptyState>
    </section>
  );
}

export const opsRoutes: RouteObject[] = [{ index: true, element: <OperationsPlaceholder /> }];
