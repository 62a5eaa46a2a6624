import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db/outage.js';
import { AppError, type ErrorCode, toWire } from '../shared/errors.js';

/** Fastify's own error codes that are the caller's fault, mapped once to our catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'REQ_UNSUPPORTED_MEDIA',
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQ_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'REQ_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'REQ_INVALID',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQ_INVALID',
  FST_ERR_BAD_URL: 'REQ_INVALID',
  FST_ERR_MAX_PARAM_LENGTH: 'REQ_INVALID',
  // A static path that leaves the UI folder (`/tv/../../package.json`, `..%5c`, a NUL): there is
  // no such page, and saying more would help nobody but the prober.
  FST_STATIC_FORBIDDEN_PATH: 'REQ_NOT_FOUND',
};

/** Other caller errors from Fastify or a plugin, by their HTTP status. */
const BY_STATUS: Record<number, ErrorCode> = { 404: 'REQ_NOT_FOUND', 413: 'REQ_TOO_LARGE', 415: 'REQ_UNSUPPORTED_MEDIA', 429: 'REQ_RATE_LIMITED' };

/** Turns anything thrown into a catalogue error; unknown errors become INTERNAL. */
export function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fe = err as Partial<FastifyError>;
  if (fe.validation) return new AppError('REQ_INVALID', { detail: fe.message, cause: err });
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new AppError(mapped, { detail: fe.message, cause: err });
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) return new AppError(BY_STATUS[status] ?? 'REQ_INVALID', { detail: fe.message, cause: err });
  if (isDatabaseUnavailable(err)) return new AppError('DB_UNAVAILABLE', { detail: fe.message, cause: err });
  if (isUnstorableText(err)) return new AppError('REQ_INVALID', { detail: 'a text field holds a character the database cannot store (NUL)', cause: err });
  return new AppError('INTERNAL', { detail: fe.message ?? String(err), cause: err });
}

/**
 * SQLSTATEs of text PostgreSQL cannot store: 22021 (a NUL, "invalid byte sequence for encoding
 * UTF8: 0x00") and 22P05 (\u0000 in JSON). JSON strings may carry \u0000 and ajv lets it through
 * any string schema; this is the one place it becomes REQ_INVALID instead of a 500.
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

function isUnstorableText(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNSTORABLE_TEXT.has(code)) return true;
  }
  return false;
}

/** Where `rewriteUrl` sends a request whose path is not valid percent-encoding. */
const UNDECODABLE_URL = '/_undecodable-url';

/**
 * Fastify's `rewriteUrl`: a path that cannot be percent-decoded (`/tv/%`, `%E0%A4%A`) goes to one
 * route that refuses it with REQ_INVALID, so that answer runs every hook like any other (security
 * headers, logging) instead of Fastify's own body written before any hook.
 */
export function routeUndecodableUrls(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  try {
    decodeURIComponent(q === -1 ? url : url.slice(0, q));
    return url;
  } catch {
    return UNDECODABLE_URL;
  }
}

/** Fastify's `frameworkErrors`: the backstop for router errors that bypass the error handler. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const e = asAppError(err);
  request.log.info({ code: e.code, detail: e.detail }, 'request refused');
  void reply.code(e.status).header('cache-control', 'no-store').send({ error: toWire(e) });
}

/** The one place errors are translated to the wire: `{ error: { code, message, ja, details? } }`. */
export default fp(
  async function errorHandler(app: FastifyInstance) {
    app.setErrorHandler((err, request, reply) => {
      const e = asAppError(err);
      if (e.status >= 500) request.log.error({ err, code: e.code }, 'request failed');
      else request.log.info({ code: e.code, detail: e.detail }, 'request refused');
      return reply.code(e.status).send({ error: toWire(e) });
    });
    app.setNotFoundHandler((request, reply) => {
      const e = new AppError('REQ_NOT_FOUND', { detail: `${request.method} ${request.url}` });
      return reply.code(e.status).send({ error: toWire(e) });
    });
    app.all(UNDECODABLE_URL, { schema: { hide: true } }, async (request) => {
      throw new AppError('REQ_INVALID', { detail: `URL cannot be decoded: ${request.originalUrl}` });
    });
  },
  { name: 'error-handler' },
);
