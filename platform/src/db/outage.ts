/**
 * Whether an error means "the database cannot be reached" rather than "this query is wrong": the
 * server is down or refusing connections, the connection broke, or the handle was closed during
 * shutdown. The error handler answers these DB_UNAVAILABLE (503, try again later) instead of
 * INTERNAL. Drivers wrap their errors (drizzle's "Failed query" keeps the driver error as
 * `cause`; node's connect may give an AggregateError), so the whole chain is looked at.
 */

/** Socket errors of a connection that could not be made or was cut. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01–57P03 (shut down by
 * an administrator, crash shutdown, cannot connect now), 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** What the drivers say without a code: node-postgres for a closed pool or a cut connection, PGlite once closed. */
const UNAVAILABLE_MESSAGE = /^(Connection terminated|Cannot use a pool after calling end on the pool|timeout exceeded when trying to connect|Client has encountered a connection error|PGlite is clos(ed|ing))/;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || typeof err !== 'object' || err === null) return false;
  const { code, message, cause, errors } = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
