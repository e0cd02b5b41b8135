/**
 * What a database error means to a caller: come back shortly (the server is busy, or the connection went),
 * as opposed to a fault. HTTP answers these with 503, gRPC with UNAVAILABLE.
 */

/** PostgreSQL refusing connections for now (53300, 57P03), or a statement cancelled by its time-out (57014). */
const busyCodes = new Set(['53300', '57P03', '57014']);
/**
 * PostgreSQL ending a session (a restart, a failover, an administrator, a transaction idle too long) and
 * connection exceptions.
 */
const lostCodes = new Set(['57P01', '57P02', '25P03', '08000', '08003', '08006', '08001', '08004']);
const lostMessages =
  /Connection terminated|connection error and is not queryable|Client was closed|ECONNRESET|ECONNREFUSED/;

/** Follows an error and its causes a few levels (Drizzle wraps the driver's error: "Failed query: …"). */
function someCause(error: unknown, test: (e: { message?: string; code?: string }) => boolean): boolean {
  let e = error as { message?: string; code?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) if (test(e)) return true;
  return false;
}

/**
 * The database could not take the request in time: every pooled connection stayed busy past the pool's
 * wait, or the server refused a connection. Overload, not a fault: the client is told to come back (503).
 */
export function isDatabaseBusy(error: unknown): boolean {
  return someCause(
    error,
    (e) => busyCodes.has(String(e.code)) || /timeout exceeded when trying to connect/.test(String(e.message)),
  );
}

/**
 * The connection to the database went while the request used it (the server restarted, say). Nothing
 * was committed that the client did not hear of, except a commit whose answer was lost, which the
 * client's retry with the same Idempotency-Key finds. A new connection is made on the next request.
 */
export function isDatabaseConnectionLost(error: unknown): boolean {
  return someCause(error, (e) => lostCodes.has(String(e.code)) || lostMessages.test(String(e.message)));
}
