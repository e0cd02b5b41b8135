import type { DescService } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { type CallOptions, type Client, Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { traceOutgoingCalls } from '../telemetry/rpc-spans';
import { CircuitBreaker } from './circuit-breaker';

export interface GrpcClientOptions {
  baseUrl: string;
  /** The deadline of each attempt. */
  timeoutMs?: number;
  /** Extra attempts for idempotent methods on retryable codes. */
  retries?: number;
  failureThreshold?: number;
  cooldownMs?: number;
}

const retryable = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted]);

/**
 * A gRPC client with a deadline on every call, retries with jittered backoff for methods declared free
 * of side effects or idempotent, and a circuit breaker in front of the peer.
 */
export function createGrpcClient<S extends DescService>(service: S, options: GrpcClientOptions): Client<S> {
  const transport = createGrpcTransport({
    baseUrl: options.baseUrl,
    // Sessions are kept only briefly, so an idle process (a test, a script) can exit.
    idleConnectionTimeoutMs: 5_000,
    interceptors: [traceOutgoingCalls],
  });
  const client = createClient(service, transport) as Record<
    string,
    (req: unknown, o?: CallOptions) => Promise<unknown>
  >;
  const breaker = new CircuitBreaker({
    name: service.typeName,
    failureThreshold: options.failureThreshold ?? 5,
    cooldownMs: options.cooldownMs ?? 3_000,
    // NOT_FOUND, INVALID_ARGUMENT and the like are answers: five unknown ids must not pause everyone's calls.
    isFailure: peerFailing,
  });
  const timeoutMs = options.timeoutMs ?? 1_000;
  const wrapped: Record<string, unknown> = {};
  for (const method of service.methods) {
    const call = client[method.localName]!;
    const idempotent =
      method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS ||
      method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT;
    const attempts = 1 + (idempotent ? (options.retries ?? 2) : 0);
    wrapped[method.localName] = (request: unknown, callOptions: CallOptions = {}) =>
      breaker.execute(async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await call(request, { timeoutMs, ...callOptions });
          } catch (thrown) {
            const err = peerGoneIfCanceled(thrown, callOptions.signal);
            const code = ConnectError.from(err).code;
            if (attempt >= attempts || !retryable.has(code)) throw err;
            const backoff = 25 * 2 ** (attempt - 1);
            await new Promise((r) => setTimeout(r, backoff / 2 + Math.random() * backoff));
          }
        }
      });
  }
  return wrapped as Client<S>;
}

/**
 * A call the caller did not cancel that ends CANCELED had its HTTP/2 stream reset under it: the peer's
 * process died or its connection dropped mid-call. That is the peer being unavailable (retried like it,
 * counted by the breaker, a 503 for the caller's client), not a cancellation.
 */
function peerGoneIfCanceled(err: unknown, signal: AbortSignal | undefined): unknown {
  const e = ConnectError.from(err);
  if (e.code !== Code.Canceled || signal?.aborted) return err;
  return new ConnectError(
    `the peer went away mid-call (${e.rawMessage})`,
    Code.Unavailable,
    undefined,
    undefined,
    err,
  );
}

/** The peer is unreachable, too slow or failing (not an answer it gave on purpose). */
function peerFailing(err: unknown): boolean {
  const code = ConnectError.from(err).code;
  return retryable.has(code) || code === Code.Unknown || code === Code.Internal;
}

/** Peer unreachable, too slow, or paused by the breaker: the caller should answer 503. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof Error && err.name === 'CircuitOpenError') return true;
  return peerFailing(err);
}

/** The peer answered NOT_FOUND. */
export function isNotFound(err: unknown): boolean {
  return ConnectError.from(err).code === Code.NotFound;
}
