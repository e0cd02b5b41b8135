import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PlatformEnv } from './config';
import { createHttpServer } from './http/http-server';
import { type ServiceDefinition, startService } from './service-runtime';

const TrivialConfig = PlatformEnv.extend({ PORT: z.coerce.number().int().min(0) });

/** A service with nothing but its HTTP server; `created` counts how far its starts got. */
function trivialService() {
  const reached = { create: 0 };
  const definition: ServiceDefinition<typeof TrivialConfig._output> = {
    name: 'trivial',
    config: TrivialConfig,
    async create({ logger, metrics }) {
      reached.create++;
      return { app: await createHttpServer({ service: 'trivial', title: 'trivial', logger, metrics }) };
    },
  };
  return { definition, reached };
}

describe('start-up watch', () => {
  // A server that accepts connections and never says a word: a broker stuck while it restarts.
  let silent: Server;
  const sockets: Socket[] = [];
  let silentPort: number;

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it('gives up a start that hangs, naming the step it waits on', async () => {
    const { definition, reached } = trivialService();
    let gaveUpOn: string | undefined;
    const gaveUp = new Promise<string>((resolve) => {
      void startService(definition, {
        env: {
          RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${silentPort}`,
          STARTUP_TIMEOUT_MS: '800',
          PORT: '0',
          LOG_LEVEL: 'silent',
        },
        onStartupTimeout: (step) => {
          gaveUpOn = step;
          resolve(step);
        },
      }).catch((err) => resolve(`failed instead: ${err}`));
    });
    expect(await gaveUp).toBe('event bus');
    expect(gaveUpOn).toBe('event bus');
    expect(reached.create).toBe(0);
  });

  it('stays quiet once the service has started', async () => {
    const { definition, reached } = trivialService();
    let gaveUp = false;
    const running = await startService(definition, {
      env: { STARTUP_TIMEOUT_MS: '200', PORT: '0', LOG_LEVEL: 'silent', BAZAAR_DATA_DIR: '/nonexistent' },
      onStartupTimeout: () => {
        gaveUp = true;
      },
    });
    await new Promise((r) => setTimeout(r, 400));
    await running.stop();
    expect(reached.create).toBe(1);
    expect(gaveUp).toBe(false);
  });
});
