import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError, type ConnectRouter, type Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { isDatabaseBusy, isDatabaseConnectionLost } from '../db/database-errors';
import { traceIncomingCalls } from '../telemetry/rpc-spans';
import {
  Health,
  HealthCheckResponse_ServingStatus,
  type HealthCheckResponse_ServingStatus as ServingStatus,
} from './gen/grpc/health/v1/health_pb';

export interface GrpcServer {
  port: number;
  url: string;
  setStatus(service: string, status: ServingStatus): void;
  close(): Promise<void>;
}

/**
 * A database that is busy or has just dropped its connections answers UNAVAILABLE, which callers retry
 * (for idempotent methods) instead of giving up on an internal error.
 */
const databaseTrouble: Interceptor = (next) => async (request) => {
  try {
    return await next(request);
  } catch (err) {
    if (isDatabaseBusy(err) || isDatabaseConnectionLost(err)) {
      throw new ConnectError(
        'the database is unavailable for now',
        Code.Unavailable,
        undefined,
        undefined,
        err,
      );
    }
    throw err;
  }
};

/**
 * Serves ConnectRPC handlers as real gRPC over HTTP/2 (h2c), with the standard health service, on its
 * own port beside the service's HTTP API.
 */
export async function startGrpcServer(options: {
  host?: string;
  port: number;
  register: (router: ConnectRouter) => void;
}): Promise<GrpcServer> {
  const statuses = new Map<string, ServingStatus>([['', HealthCheckResponse_ServingStatus.SERVING]]);
  const handler = connectNodeAdapter({
    grpc: true,
    grpcWeb: false,
    connect: false,
    interceptors: [traceIncomingCalls, databaseTrouble],
    routes: (router) => {
      options.register(router);
      for (const service of router.handlers.map((h) => h.service.typeName)) {
        statuses.set(service, HealthCheckResponse_ServingStatus.SERVING);
      }
      router.service(Health, {
        check: (req) => ({
          status: statuses.get(req.service) ?? HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN,
        }),
        async *watch(req) {
          yield { status: statuses.get(req.service) ?? HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN };
        },
      });
    },
  });
  const server = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host}:${port}`,
    setStatus: (service, status) => statuses.set(service, status),
    async close() {
      for (const s of statuses.keys()) statuses.set(s, HealthCheckResponse_ServingStatus.NOT_SERVING);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.close();
      // Clients that keep their sessions open would hold the server forever.
      const timer = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, 1_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
