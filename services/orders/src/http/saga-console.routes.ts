import { CompensateBody, Compensated, FiguresQuery, Retried, SagaFigures, SagaList } from '@bazaar/contracts';
import { type HttpServer, requireAdmin } from '@bazaar/platform';
import type { SagaConsole } from '../services/saga-console.service';
import { ListSagasQuery, SagaParams, SagaState } from './saga-console.schemas';

/**
 * The saga console's internal routes (admins only, hidden from the API document): the gateway's
 * `/api/v1/admin/sagas*` and `/api/v1/admin/figures` call them; its public proxy has no route here.
 */
export function registerSagaConsoleRoutes(app: HttpServer, sagas: SagaConsole): void {
  app.get(
    '/internal/sagas',
    { schema: { hide: true, querystring: ListSagasQuery, response: { 200: SagaList } } },
    async (request) => {
      requireAdmin(request);
      return sagas.listSagas(request.query);
    },
  );

  app.get(
    '/internal/sagas/:orderId',
    { schema: { hide: true, params: SagaParams, response: { 200: SagaState } } },
    async (request) => {
      requireAdmin(request);
      return sagas.getSaga(request.params.orderId);
    },
  );

  app.post(
    '/internal/sagas/:orderId/compensate',
    {
      schema: { hide: true, params: SagaParams, body: CompensateBody, response: { 202: Compensated } },
    },
    async (request, reply) => {
      const operator = requireAdmin(request);
      const done = await sagas.compensate(request.params.orderId, operator, request.body?.reason);
      return reply.status(202).send(done);
    },
  );

  app.post(
    '/internal/sagas/:orderId/retry',
    { schema: { hide: true, params: SagaParams, response: { 202: Retried } } },
    async (request, reply) => {
      const operator = requireAdmin(request);
      return reply.status(202).send(await sagas.retryLatestStep(request.params.orderId, operator));
    },
  );

  app.get(
    '/internal/figures',
    { schema: { hide: true, querystring: FiguresQuery, response: { 200: SagaFigures } } },
    async (request) => {
      requireAdmin(request);
      return sagas.figures(request.query.minutes);
    },
  );
}
