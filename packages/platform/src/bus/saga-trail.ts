import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { requireAdmin } from '../auth/token-verifier';
import type { Db } from '../db/database';
import type { InboxTable, OutboxTable } from '../db/messaging-tables';
import type { HttpServer } from '../http/http-server';
import { traceIdOf } from '../telemetry/trace-context';

export const SagaTrailStep = z.object({
  at: z.string(),
  event: z.string(),
  eventId: z.string(),
  action: z.enum(['published', 'handled']),
  traceId: z.string().optional(),
  /** Written to the outbox, not yet on the bus. */
  pending: z.boolean().optional(),
});
export type SagaTrailStep = z.infer<typeof SagaTrailStep>;

export const SagaTrail = z.object({ service: z.string(), steps: z.array(SagaTrailStep) });
export type SagaTrail = z.infer<typeof SagaTrail>;

export interface SagaTrailSource {
  service: string;
  db: Db;
  outbox: OutboxTable;
  /** Services that consume nothing have none. */
  inbox?: InboxTable;
}

/**
 * What one service did in one saga (correlation id): the events it published, from its outbox (kept a
 * day after publication, see OutboxRelay.cleanUp), and the events it handled, from its inbox.
 */
export async function listSagaTrail(
  source: SagaTrailSource,
  correlationId: string,
): Promise<SagaTrailStep[]> {
  const { db, outbox, inbox } = source;
  const published = await db
    .select({
      id: outbox.id,
      type: outbox.type,
      envelope: outbox.envelope,
      createdAt: outbox.createdAt,
      publishedAt: outbox.publishedAt,
    })
    .from(outbox)
    .where(sql`(${outbox.envelope}->>'correlationid') = ${correlationId}`)
    .orderBy(asc(outbox.createdAt));
  const steps: SagaTrailStep[] = published.map((row) => ({
    // The event's own time is taken inside the transaction that wrote it, after the inbox row of the
    // event that caused it: with it, cause sorts before effect.
    at: new Date(row.envelope.time ?? row.createdAt).toISOString(),
    event: row.type,
    eventId: row.id,
    action: 'published',
    ...optionalTraceId(traceIdOf(row.envelope.traceparent)),
    ...(row.publishedAt ? {} : { pending: true }),
  }));
  if (inbox) {
    const handled = await db
      .select({
        eventId: inbox.eventId,
        type: inbox.type,
        processedAt: inbox.processedAt,
        traceId: inbox.traceId,
      })
      .from(inbox)
      .where(eq(inbox.correlationId, correlationId));
    for (const row of handled) {
      steps.push({
        at: row.processedAt.toISOString(),
        event: row.type,
        eventId: row.eventId,
        action: 'handled',
        ...optionalTraceId(row.traceId ?? undefined),
      });
    }
  }
  return steps.sort((a, b) => a.at.localeCompare(b.at));
}

const optionalTraceId = (traceId: string | undefined) => (traceId ? { traceId } : {});

/**
 * `GET /internal/saga/:correlationId`: the service's part of a saga, for the gateway's saga console.
 * Admins only (the service verifies the token itself); hidden from the OpenAPI document, and the
 * gateway's public proxy has no route to it.
 */
export function registerSagaTrailRoute(app: HttpServer, source: SagaTrailSource): void {
  app.get(
    '/internal/saga/:correlationId',
    {
      schema: {
        hide: true,
        params: z.object({ correlationId: z.string().min(1).max(200) }),
        response: { 200: SagaTrail },
      },
    },
    async (request) => {
      requireAdmin(request);
      return {
        service: source.service,
        steps: await listSagaTrail(source, request.params.correlationId),
      };
    },
  );
}
