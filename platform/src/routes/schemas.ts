import { Type, type TSchema } from '@sinclair/typebox';
import type { ErrorCode } from '../shared/errors.js';

/** The error body every route may answer with (see errors.ts `toWire`). */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      ja: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
);

/** Adds the shared error body for 4xx and 5xx to a route's response schemas. */
export function withErrors<R extends Record<number, TSchema>>(responses: R) {
  return { ...responses, '4xx': ErrorBody, '5xx': ErrorBody };
}

/** Codes any route can answer: a malformed or oversized request, too many requests, an unavailable database, a bug. */
export const ANY_ROUTE_ERRORS = ['REQ_INVALID', 'REQ_TOO_LARGE', 'REQ_UNSUPPORTED_MEDIA', 'REQ_RATE_LIMITED', 'DB_UNAVAILABLE', 'INTERNAL'] as const satisfies readonly ErrorCode[];
/** `Authorization: Device <id>:<secret>` refused. */
export const DEVICE_AUTH_ERRORS = ['AUTH_DEVICE_UNKNOWN', 'AUTH_DEVICE_WITHDRAWN'] as const satisfies readonly ErrorCode[];
/** A person's session refused (the device is checked first). */
export const SESSION_AUTH_ERRORS = [...DEVICE_AUTH_ERRORS, 'AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED'] as const satisfies readonly ErrorCode[];
/** A single-use nonce refused. */
export const NONCE_ERRORS = ['AUTH_NONCE_INVALID', 'AUTH_NONCE_EXPIRED', 'AUTH_NONCE_REPLAYED', 'AUTH_NONCE_WRONG_DEVICE', 'AUTH_NONCE_WRONG_PURPOSE'] as const satisfies readonly ErrorCode[];
/** A JPKI certificate refused: its form, chain, validity, purpose, algorithms or revocation. */
export const CERTIFICATE_ERRORS = [
  'PKI_MALFORMED', 'PKI_UNTRUSTED_ISSUER', 'PKI_TEST_HIERARCHY', 'PKI_EXPIRED', 'PKI_NOT_YET_VALID', 'PKI_WRONG_PURPOSE', 'PKI_WEAK_ALGORITHM',
  'PKI_LEAF_IS_CA', 'PKI_UNSUPPORTED_CRITICAL_EXTENSION', 'PKI_REVOKED', 'PKI_REVOCATION_UNKNOWN',
] as const satisfies readonly ErrorCode[];
/**
 * A wrong OCSP answer, on routes whose revocation policy asks OCSP (REVOCATION_POLICY). An
 * unreachable responder is not among them: the policy falls back to a fresh CRL then.
 */
export const OCSP_ERRORS = [
  'PKI_OCSP_REFUSED', 'PKI_OCSP_MALFORMED', 'PKI_OCSP_SIGNATURE_INVALID', 'PKI_OCSP_RESPONDER_UNAUTHORISED', 'PKI_OCSP_NONCE_MISMATCH', 'PKI_OCSP_STALE',
] as const satisfies readonly ErrorCode[];

/**
 * Declares, on a route's schema, the catalogue codes it can answer besides ANY_ROUTE_ERRORS. The
 * OpenAPI document lists them as the operation's `x-error-codes` (test/platform/error-catalogue.test.ts
 * requires one on every route; the contract test checks the answers it sees are among them).
 */
export function errorCodes(...codes: (ErrorCode | readonly ErrorCode[])[]): { 'x-error-codes': ErrorCode[] } {
  return { 'x-error-codes': [...new Set<ErrorCode>([...codes.flat(), ...ANY_ROUTE_ERRORS])].sort() };
}
