import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, statusOfKind } from '../errors';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  traceId: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const problemType = (code: string) => `urn:bazaar:problem:${code}`;

export function buildProblem(
  status: number,
  code: string,
  detail: string,
  request: FastifyRequest,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: problemType(code),
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: request.url,
    code,
    traceId: String(request.id),
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem) {
  // A 503 is temporary by definition: say when to come back, so that clients back off instead of failing.
  if (problem.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/** PostgreSQL refusing connections for now (53300, 57P03). */
const busyCodes = new Set(['53300', '57P03']);
/** PostgreSQL ending a session (a restart, a failover, an administrator) and connection exceptions. */
const lostCodes = new Set(['57P01', '57P02', '08000', '08003', '08006', '08001', '08004']);
const lostMessages =
  /Connection terminated|connection error and is not queryable|Client was closed|ECONNRESET|ECONNREFUSED/;

/** Follows an error and its causes a few levels (Drizzle wraps the driver's error: "Failed query: …"). */
function someCause(error: unknown, test: (e: { message?: string; code?: string }) => boolean): boolean {
  let e = error as { message?: string; code?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) if (test(e)) return true;
  return false;
}

/**
 * The database could not take the request in time: every pooled connection stayed busy past the pool's
 * wait, or the server refused a connection. Overload, not a fault: the client is told to come back (503).
 */
export function isDatabaseBusy(error: unknown): boolean {
  return someCause(
    error,
    (e) => busyCodes.has(String(e.code)) || /timeout exceeded when trying to connect/.test(String(e.message)),
  );
}

/**
 * The connection to the database went while the request used it (the server restarted, say). Nothing
 * was committed that the client did not hear of, except a commit whose answer was lost, which the
 * client's retry with the same Idempotency-Key finds. A new connection is made on the next request.
 */
export function isDatabaseConnectionLost(error: unknown): boolean {
  return someCause(error, (e) => lostCodes.has(String(e.code)) || lostMessages.test(String(e.message)));
}

/** Maps every error to RFC 9457 problem+json; server faults keep their details in the log only. */
export function toProblem(error: FastifyError | Error, request: FastifyRequest): Problem {
  if (error instanceof AppError) {
    return buildProblem(statusOfKind[error.kind], error.code, error.message, request, error.details ?? {});
  }
  if (isDatabaseBusy(error)) {
    return buildProblem(503, 'database.busy', 'The service is busy; try again shortly.', request);
  }
  if (isDatabaseConnectionLost(error)) {
    return buildProblem(
      503,
      'database.unavailable',
      'The service lost its database connection; try again shortly.',
      request,
    );
  }
  const fe = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const where = fe.validationContext ?? 'request';
    const errors = fe.validation.map((v) => ({
      path: `${where}${v.instancePath || ''}`.replace(/\//g, '.'),
      message: v.message ?? 'is invalid',
    }));
    return buildProblem(
      400,
      'request.invalid',
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      request,
      { errors },
    );
  }
  const status = fe.statusCode ?? 500;
  if (status >= 500)
    return buildProblem(status, 'internal', 'The server failed to handle the request.', request);
  const byFastifyCode: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'request.invalid',
    FST_ERR_CTP_INVALID_JSON_BODY: 'request.invalid_json',
  };
  const code = byFastifyCode[fe.code] ?? (status === 429 ? 'rate_limited' : 'request.invalid');
  return buildProblem(status, code, fe.message, request);
}
