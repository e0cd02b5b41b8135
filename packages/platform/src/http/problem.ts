import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseBusy, isDatabaseConnectionLost } from '../db/database-errors';
import { AppError, statusOfKind } from '../errors';
import { isStoreUnavailable } from '../kv/key-value-store';

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
  if (isStoreUnavailable(error)) {
    return buildProblem(
      503,
      'store.unavailable',
      'The service lost its connection to its data store; try again shortly.',
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
