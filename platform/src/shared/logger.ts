import type { LoggerOptions } from 'pino';
import { AppError } from './errors.js';

/**
 * Log fields that must never reach a log line: PINs, certificate serials and bodies, personal data
 * (基本4情報) and credentials. Paths are pino redact paths; `*` covers one nesting level, so the
 * common shapes are listed at the depths they occur.
 */
const SENSITIVE_KEYS = [
  'pin', 'authPin', 'signPin', 'newPin', 'password', 'secret', 'credential', 'token',
  'serial', 'serialNumber', 'certificate', 'certificateDer', 'cert',
  'name', 'address', 'dateOfBirth', 'birth', 'gender', 'personalData',
];

export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((k) => `*.${k}`),
  ...SENSITIVE_KEYS.map((k) => `*.*.${k}`),
];

/** pino's levels, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** True for a string that names a pino level. */
export const isLogLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value);

/**
 * Fields of an error worth a log line and holding no values: SQLSTATE and where it arose (pg and
 * PGlite errors), our catalogue code, HTTP status. Everything else an error carries is left out:
 * pg's `detail` quotes the row (`Key (name)=(山田　太郎) already exists`), drizzle's `params` are
 * the statement's values.
 */
const ERROR_FIELDS = ['code', 'constraint', 'table', 'column', 'routine', 'severity', 'statusCode', 'query'] as const;

/** Drizzle writes a failed statement's values into its message (and so its stack) after `params:`. */
const withoutParams = (text: string) => text.replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/, '\nparams: [redacted]');

/**
 * The `err` serializer of every logger: message, stack and the fields above, down the `cause`
 * chain, with a failed query's values removed wherever drizzle or PostgreSQL put them. Our own
 * errors keep their `detail` (scrubbed too: an INTERNAL error's detail is the message it wraps).
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err;
  const fields = err as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type: err.constructor.name, message: withoutParams(err.message) };
  if (err.stack) out.stack = withoutParams(err.stack);
  for (const field of ERROR_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (err instanceof AppError && err.detail) out.detail = withoutParams(err.detail);
  if (err.cause !== undefined && depth < 5) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

/** pino options shared by every process of the project. */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: { err: serializeError } };
}
