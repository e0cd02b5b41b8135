/** The baseline: a bare Fastify hello on the same machine, for the gateway's budget. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.env.PORT ?? 8099), host: '127.0.0.1' });
console.log('ready');
