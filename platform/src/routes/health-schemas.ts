import { Type, type Static } from '@sinclair/typebox';

/**
 * `GET /healthz`: what it answers (the route in health.ts validates with it, the pages' health
 * badges import the type). No request body.
 */
export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  database: Type.Object({
    kind: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
    ok: Type.Boolean(),
    latencyMs: Type.Number(),
  }),
});
export type HealthReport = Static<typeof Health>;
