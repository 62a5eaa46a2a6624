import type { LoggerOptions } from 'pino';

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

/** pino options shared by every process of the project. */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}
