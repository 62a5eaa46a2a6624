import type { FastifyError, FastifyInstance } from 'fastify';
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
};

/** Turns anything thrown into a catalogue error; unknown errors become INTERNAL. */
export function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fe = err as Partial<FastifyError>;
  if (fe.validation) return new AppError('REQ_INVALID', { detail: fe.message, cause: err });
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new AppError(mapped, { detail: fe.message, cause: err });
  if (fe.statusCode === 400) return new AppError('REQ_INVALID', { detail: fe.message, cause: err });
  if (fe.statusCode === 429) return new AppError('REQ_RATE_LIMITED', { detail: fe.message, cause: err });
  if (isDatabaseUnavailable(err)) return new AppError('DB_UNAVAILABLE', { detail: fe.message, cause: err });
  return new AppError('INTERNAL', { detail: fe.message ?? String(err), cause: err });
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
  },
  { name: 'error-handler' },
);
