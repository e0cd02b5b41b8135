import { ConnectError, type Interceptor } from '@connectrpc/connect';
import { context, propagation, ROOT_CONTEXT, SpanKind, type TextMapGetter } from '@opentelemetry/api';
import { endWith, SERVICE_ATTRIBUTE, tracer } from './trace-context';

const fromHeaders: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * A client span around each gRPC call (each attempt, when retried), its context sent in the call's
 * `traceparent` header. HTTP/2 is not instrumented by the http instrumentation, so gRPC does its own.
 */
export const traceOutgoingCalls: Interceptor = (next) => (request) =>
  tracer.startActiveSpan(
    `${request.service.typeName}/${request.method.name}`,
    { kind: SpanKind.CLIENT, attributes: rpcAttributes(request.service.typeName, request.method.name) },
    (span) =>
      endWith(span, async () => {
        propagation.inject(context.active(), request.header, {
          set: (headers, key, value) => headers.set(key, value),
        });
        try {
          return await next(request);
        } catch (err) {
          span.setAttribute('rpc.grpc.status_code', ConnectError.from(err).code);
          throw err;
        }
      }),
  );

/** A server span for each call a service answers, child of the caller's span named in `traceparent`. */
export const traceIncomingCalls: Interceptor = (next) => (request) => {
  const attributes = rpcAttributes(request.service.typeName, request.method.name);
  const owner = serviceOfRpc(request.service.typeName);
  return tracer.startActiveSpan(
    `${request.service.typeName}/${request.method.name}`,
    { kind: SpanKind.SERVER, attributes: owner ? { ...attributes, [SERVICE_ATTRIBUTE]: owner } : attributes },
    // Only the caller's context counts: whatever the HTTP/2 session's callbacks carry is unrelated.
    propagation.extract(ROOT_CONTEXT, request.header, fromHeaders),
    (span) => endWith(span, () => next(request)),
  );
};

function rpcAttributes(service: string, method: string) {
  return { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method };
}

/** `bazaar.catalog.v1.CatalogService` is served by catalog. */
export function serviceOfRpc(typeName: string): string | undefined {
  return /^bazaar\.([a-z]+)\./.exec(typeName)?.[1];
}
