import { Type, type TSchema } from '@sinclair/typebox';

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
