import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DbHandle } from '../db/client.js';
import { Health } from './health-schemas.js';
import { errorCodes, withErrors } from './schemas.js';

/** `GET /healthz`: 200 when the database answers, 503 when it does not. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ database: DbHandle }> = async (app, { database }) => {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness and database health', ...errorCodes(), response: withErrors({ 200: Health, 503: Health }) } },
    async (_request, reply) => {
      const started = performance.now();
      let ok = true;
      try {
        await database.ping();
      } catch (err) {
        ok = false;
        app.log.warn({ err }, 'database ping failed');
      }
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      return reply
        .code(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'degraded', database: { kind: database.kind, ok, latencyMs } });
    },
  );
};
