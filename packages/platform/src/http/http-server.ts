import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import { trace } from '@opentelemetry/api';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { registerAuthentication, type TokenVerifier } from '../auth/token-verifier';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { SERVICE_ATTRIBUTE } from '../telemetry/trace-context';
import { buildProblem, sendProblem, toProblem } from './problem';

export type HttpServer = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpServerOptions {
  service: string;
  title: string;
  description?: string;
  logger: Logger;
  metrics: Metrics;
  bodyLimit?: number;
  /** Each check throws when its dependency is not usable; /readyz reports them all. */
  readiness?: Record<string, () => Promise<void> | void>;
  /** Serve this service's own OpenAPI document at /openapi.json (the gateway serves a merged one). */
  openApiRoute?: boolean;
  /** Verifies bearer tokens on every request, setting `request.principal` (see `requireUser`). */
  verifier?: TokenVerifier;
  /** How long `close` lets requests in flight finish before it cuts the connections still open. */
  drainTimeoutMs?: number;
}

/** Within the 15 s a service process gives itself to stop, and a container's 30 s grace period. */
const DRAIN_TIMEOUT_MS = 10_000;

const hidden = { hide: true } as const;

/**
 * The Fastify kit every service shares: zod-validated routes, problem+json errors, request ids, health,
 * readiness and metrics endpoints, and an OpenAPI document built from the route schemas.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { logger, metrics } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    requestIdHeader: 'x-request-id',
    // A request id is a correlation token, never stored as a key: randomUUID draws from a cached entropy
    // pool, where a UUIDv7 costs a fresh getRandomValues call on the hottest path of the gateway.
    genReqId: () => randomUUID(),
    // Each request is logged once, by our onResponse hook, rather than twice at info level.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    trustProxy: true,
    // An idle keep-alive connection is kept 72 s (longer than the 60 s a load balancer or ingress keeps its
    // own, so they close first) and said so in `Keep-Alive: timeout=72`; the inactivity limit, which would
    // close it sooner behind the clients' backs, is set past that (it was 30 s).
    keepAliveTimeout: 72_000,
    connectionTimeout: 75_000,
    requestTimeout: 30_000,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  closeConnectionsWhenDrained(app, options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: '1.0.0', description: options.description },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    nameRequestSpan(options.service, request.method, request.routeOptions.url);
  });
  // An order's requests log its id, so that `npm run logs -- --order <id>` finds them too.
  app.addHook('preHandler', async (request) => {
    const orderId = orderIdOf(request);
    if (orderId) request.log = request.log.child({ orderId });
  });
  if (options.verifier) registerAuthentication(app, options.verifier);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (reply.statusCode >= 500) {
      request.log.warn({ route, status: reply.statusCode, ms: reply.elapsedTime }, 'request failed');
    } else {
      request.log.debug({ route, status: reply.statusCode, ms: reply.elapsedTime }, 'request done');
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error as Error, request);
    // A 503 is a dependency coming back (a restart, a full pool), not a fault of ours.
    if (problem.status === 503) request.log.warn({ err: error, code: problem.code }, 'request failed');
    else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      buildProblem(
        404,
        'route.not_found',
        `No route ${request.method} ${request.url.split('?')[0]}`,
        request,
      ),
    ),
  );

  app.get('/healthz', { schema: hidden }, async () => ({ status: 'ok', service: options.service }));
  app.get('/readyz', { schema: hidden }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    for (const [name, check] of Object.entries(options.readiness ?? {})) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (err) {
        ready = false;
        checks[name] = err instanceof Error ? err.message : 'failed';
      }
    }
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', { schema: hidden }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  if (options.openApiRoute !== false) app.get('/openapi.json', { schema: hidden }, async () => app.swagger());

  return app;
}

/**
 * `close()` ends the connections idle at that moment, then waits for the others. A request in flight then
 * would leave its connection open after its answer, idle for the whole keep-alive (72 s, past a container's
 * grace period) unless the client hangs up. So while closing, answers say `Connection: close` (the socket
 * ends once sent and the client knows not to reuse it), and what is still open after `drainTimeoutMs` (a
 * stuck request, a client gone without a word) is cut.
 */
function closeConnectionsWhenDrained(app: HttpServer, drainTimeoutMs: number) {
  let closing = false;
  let deadline: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    closing = true;
    deadline = setTimeout(() => app.server.closeAllConnections(), drainTimeoutMs).unref();
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', (_instance, done) => {
    clearTimeout(deadline);
    done();
  });
}

/** The HTTP instrumentation names a server span by its method only; the route says more. */
function nameRequestSpan(service: string, method: string, route: string | undefined) {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute(SERVICE_ATTRIBUTE, service);
  if (route) span.updateName(`${method} ${route}`).setAttribute('http.route', route);
}

/** The order a request is about: `/orders/:id…` and `?orderId=` (orders, payments, shipping). */
function orderIdOf(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, unknown> | undefined;
  const query = request.query as Record<string, unknown> | undefined;
  const id =
    params?.orderId ??
    (request.routeOptions.url?.includes('/orders/:id') ? params?.id : undefined) ??
    query?.orderId;
  return typeof id === 'string' ? id : undefined;
}
