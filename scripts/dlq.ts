/**
 * Operator tool for the per-service dead-letter queues on RabbitMQ:
 *   npm run dlq -- list <service>      show what is there and why
 *   npm run dlq -- replay <service>    send everything back to the service's queue
 */
import { createLogger, RabbitMqBus } from '@bazaar/platform';

const [command, service] = process.argv.slice(2);
const url = process.env.RABBITMQ_URL;
if (!url || !service || !['list', 'replay'].includes(command ?? '')) {
  console.error('usage: RABBITMQ_URL=amqp://… npm run dlq -- list|replay <service>');
  process.exit(2);
}
const bus = await RabbitMqBus.connect(url, createLogger('dlq', 'warn'), {
  namespace: process.env.BAZAAR_NAMESPACE ?? '',
});
try {
  if (command === 'list') {
    const letters = await bus.listDeadLetters(service);
    for (const l of letters) console.log(`${l.failedAt}  ${l.type}  ${l.id}\n    ${l.reason}`);
    console.log(`${letters.length} dead letter(s) in ${service}`);
  } else {
    console.log(`${await bus.replayDeadLetters(service)} message(s) sent back to ${service}`);
  }
} finally {
  await bus.close();
}
