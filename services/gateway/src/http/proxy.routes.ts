import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { AppError, conflict, type HttpServer, invalid } from '@bazaar/platform';
import proxy from '@fastify/http-proxy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent, type Dispatcher } from 'undici';
import type { GatewayConfig } from '../config';
import { routingTable } from '../config';
import { fingerprintOf, type IdempotencyStore } from '../services/idempotency';
import type { ResponseCache } from '../services/response-cache';

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string; fingerprint: string };
    /** Aborted when the caller hangs up before its answer is sent. */
    callerGone?: AbortSignal;
  }
}

/** Carries `callerGone` in the upstream call's headers to the pool (undici sends only string keys). */
const callerGoneHeader = Symbol('callerGone');

/** A signal aborted when the caller hangs up before its answer is sent. */
function callerGoneSignal(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  // Not the request's 'close' (Fastify's `request.signal`): it comes as soon as a body has been read.
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) gone.abort();
  });
  return gone.signal;
}

/**
 * The services' connection pool. reply-from never aborts a call when its caller hangs up: the service works
 * on and the connection stays busy until the answer, then thrown away (and a service stopping meanwhile
 * waits for it). Here each call is aborted with its caller, which closes its connection at once.
 */
function upstreamPool(options: Agent.Options) {
  const agent = new Agent(options);
  const request = ((opts: Dispatcher.RequestOptions, callback: never) => {
    const signal = (opts.headers as { [callerGoneHeader]?: AbortSignal } | undefined)?.[callerGoneHeader];
    return agent.request({ ...opts, signal }, callback);
  }) as Dispatcher['request'];
  return { agent, request };
}

async function readBody(request: FastifyRequest, limit: number): Promise<Buffer> {
  const body = request.body as Readable | Buffer | undefined;
  if (!body) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new AppError('payload_too_large', 'request.too_large', `The body is over ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function payloadToBuffer(payload: unknown): Promise<Buffer> {
  if (payload === undefined || payload === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return Buffer.from(payload);
  const chunks: Buffer[] = [];
  for await (const chunk of payload as Readable) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/**
 * Forwards the public API to the services. Bodies stream through untouched, except for requests with an
 * Idempotency-Key (read once to fingerprint them, their answers kept for replay) and public answers the
 * response cache keeps for a few seconds.
 */
export async function registerProxyRoutes(
  app: HttpServer,
  config: GatewayConfig,
  idempotency: IdempotencyStore,
  cache: ResponseCache,
) {
  app.addHook('onRequest', async (request) => {
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > config.BODY_LIMIT_BYTES) {
      throw new AppError(
        'payload_too_large',
        'request.too_large',
        `The body is over ${config.BODY_LIMIT_BYTES} bytes.`,
      );
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const hit = cache.lookup(request);
    if (hit) {
      return reply
        .status(hit.status)
        .header('content-type', hit.contentType)
        .header('cache-control', hit.cacheControl)
        .header('age', String(Math.floor((Date.now() - hit.storedAt) / 1000)))
        .header('x-cache', 'HIT')
        .send(request.method === 'HEAD' ? undefined : hit.body);
    }
    const key = request.headers['idempotency-key'];
    if (!mutating.has(request.method) || typeof key !== 'string' || key === '') return;
    if (key.length > 255)
      throw invalid('idempotency.key_too_long', 'An Idempotency-Key has at most 255 characters.');
    const raw = await readBody(request, config.BODY_LIMIT_BYTES);
    const isJson = /^application\/(.+\+)?json/.test(request.headers['content-type'] ?? '');
    if (raw.length > 0 && isJson) {
      try {
        request.body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw invalid('request.invalid_json', 'The body is not valid JSON.');
      }
    } else {
      request.body = raw.length > 0 ? raw : undefined;
    }
    const scope = request.principal?.userId ?? `anon:${request.ip}`;
    const fingerprint = fingerprintOf(request.method, request.url, raw);
    const decision = await idempotency.begin(scope, key, fingerprint);
    switch (decision.kind) {
      case 'mismatch':
        throw new AppError(
          'rule_violation',
          'idempotency.key_reused',
          'This Idempotency-Key was used for a different request; use a new key.',
        );
      case 'in_progress':
        // The first is answered within the upstream timeout, or its key is freed soon after.
        reply.header('retry-after', '1');
        throw conflict(
          'idempotency.in_progress',
          'A request with this Idempotency-Key is still being processed.',
        );
      case 'replay':
        return reply
          .status(decision.record.status)
          .header('content-type', decision.record.contentType)
          .header('idempotent-replayed', 'true')
          .send(Buffer.from(decision.record.body, 'base64'));
      case 'proceed':
        request.idempotency = { scope, key, fingerprint };
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = undefined;
    const body = await payloadToBuffer(payload);
    if (reply.statusCode >= 500) {
      await idempotency.release(idem.scope, idem.key);
    } else {
      await idempotency.finish(idem.scope, idem.key, {
        state: 'done',
        fingerprint: idem.fingerprint,
        status: reply.statusCode,
        contentType: String(reply.getHeader('content-type') ?? 'application/json'),
        body: body.toString('base64'),
      });
    }
    return body;
  });

  const pool = upstreamPool({
    connections: 128,
    pipelining: 1,
    headersTimeout: config.UPSTREAM_TIMEOUT_MS,
    bodyTimeout: config.UPSTREAM_TIMEOUT_MS,
  });
  // The gateway has drained by now: its idle connections need not wait for the services to close them.
  app.addHook('onClose', () => pool.agent.destroy());

  for (const route of routingTable(config)) {
    await app.register(proxy, {
      upstream: route.upstream,
      prefix: route.prefix,
      rewritePrefix: route.prefix,
      undici: { request: pool.request },
      preHandler: (request, reply, done) => {
        request.callerGone = callerGoneSignal(reply);
        done();
      },
      replyOptions: {
        // The caller's trace context is the gateway's request span's parent; the upstream gets the context
        // of the gateway's own call (the HTTP client instrumentation adds it), never both at once.
        rewriteRequestHeaders: (request, { traceparent, tracestate, ...headers }) => ({
          ...headers,
          'x-request-id': String(request.id),
          [callerGoneHeader]: request.callerGone,
        }),
        onResponse: (request, reply, raw) => {
          // What reply-from passes at run time (its typings describe a server response instead).
          const res = raw as unknown as {
            statusCode: number;
            headers: IncomingHttpHeaders;
            stream: Readable;
          };
          const maxAge = cache.cacheableFor(request, res.statusCode, res.headers);
          if (maxAge === undefined) return void reply.send(res.stream);
          payloadToBuffer(res.stream).then(
            (body) => {
              cache.store(
                request.url,
                {
                  status: res.statusCode,
                  contentType: String(res.headers['content-type'] ?? 'application/json'),
                  cacheControl: String(res.headers['cache-control']),
                  body,
                },
                maxAge,
              );
              void reply.header('x-cache', 'MISS').send(body);
            },
            (err: Error) => void reply.send(err),
          );
        },
        onError: (reply, { error }) => {
          if (reply.request.callerGone?.aborted) return; // Nobody to answer.
          const timedOut = (error as { statusCode?: number }).statusCode === 504;
          reply.log.warn({ err: error, upstream: route.upstream }, 'upstream failed');
          void reply.send(
            timedOut
              ? new AppError(
                  'unavailable',
                  'gateway.upstream_timeout',
                  'The service took too long to answer.',
                )
              : new AppError(
                  'unavailable',
                  'gateway.upstream_unavailable',
                  'The service is unavailable; try again shortly.',
                ),
          );
        },
      },
      config: route.auth
        ? {
            rateLimit: {
              max: config.AUTH_RATE_LIMIT_MAX,
              timeWindow: '1 minute',
              keyGenerator: (r: FastifyRequest) => r.ip,
            },
          }
        : {},
    });
  }
}
