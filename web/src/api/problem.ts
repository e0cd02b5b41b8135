/** An RFC 9457 problem (application/problem+json) as the services write it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  traceId?: string;
  errors?: { path: string; message: string }[];
}

/** A failed API call, told in words a shopper can read, with the field errors a form can show. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly traceId: string | undefined;
  readonly fieldErrors: Record<string, string>;

  constructor(status: number, problem: Problem) {
    super(describeProblem(status, problem));
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? `http.${status}`;
    this.traceId = problem.traceId;
    this.fieldErrors = fieldErrorsOf(problem);
  }
}

const fallbackMessages: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'Please sign in.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'That conflicts with the current state; reload and try again.',
  429: 'Too many requests; wait a moment and try again.',
  502: 'A service did not answer; try again in a moment.',
  503: 'The shop is busy; try again in a moment.',
  504: 'A service took too long to answer; try again.',
};

function describeProblem(status: number, problem: Problem): string {
  // 5xx details stay generic on the server; the fallback reads better than "Internal Server Error".
  if (status >= 500) return fallbackMessages[status] ?? 'Something went wrong on our side; try again.';
  const invalidFields = (problem.errors ?? []).map((e) => `${fieldName(e.path)}: ${e.message}`);
  if (invalidFields.length > 0) return `Please check ${invalidFields.join('; ')}.`;
  if (problem.detail) return problem.detail;
  return fallbackMessages[status] ?? problem.title ?? `The request failed (${status}).`;
}

/** `body.shippingAddress.city` → `shippingAddress.city`: the name a form gives the field. */
const fieldName = (path: string) =>
  path.replace(/^(body|querystring|params|headers)\.?/, '') || 'the request';

function fieldErrorsOf(problem: Problem): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const { path, message } of problem.errors ?? []) errors[fieldName(path)] ??= message;
  return errors;
}

export async function readProblem(response: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    const text = await response.text();
    if (text) problem = JSON.parse(text) as Problem;
  } catch {
    // Not JSON (a proxy's HTML page): the status alone will have to do.
  }
  return new ApiError(response.status, problem);
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'Cannot reach the shop. Check your connection and try again.';
  return error instanceof Error ? error.message : String(error);
}
