import type { RouteObject } from 'react-router';
import { DeadLettersPage } from './dead-letters.page';
import { FiguresPage } from './figures.page';
import { HealthPage } from './health.page';
import { OpsLayout } from './ops-layout';
import { SagaPage } from './saga.page';
import { SagasPage } from './sagas.page';

/** The Operations pages, under /ops behind the admin guard (see web/src/app/routes.tsx). */
export const opsRoutes: RouteObject[] = [
  {
    element: <OpsLayout />,
    children: [
      { index: true, element: <HealthPage /> },
      { path: 'sagas', element: <SagasPage /> },
      { path: 'sagas/:orderId', element: <SagaPage /> },
      { path: 'dead-letters', element: <DeadLettersPage /> },
      { path: 'dead-letters/:service', element: <DeadLettersPage /> },
      { path: 'figures', element: <FiguresPage /> },
    ],
  },
];
