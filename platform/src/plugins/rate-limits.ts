import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../shared/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Count this route's calls per device credential and per client IP (see plugins/rate-limits.ts). */
    rateLimited?: boolean;
  }
}

export interface RateLimitOptions {
  /** Calls per minute and route one device credential may make. */
  perDevice: number;
  /** Calls per minute and route one client IP may make, whatever credentials it presents. */
  perIp: number;
}

const WINDOW_MS = 60_000;

/**
 * The device a call claims to come from, as a bucket name: a hash of the whole credential, so a
 * caller who knows a TV's id but not its secret fills a bucket of its own, never the TV's (and
 * spraying guessed credentials is what the per-IP limit stops).
 */
function deviceKey(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return createHash('sha256').update(header).digest('base64url').slice(0, 22);
}

/**
 * Rate limits on the routes marked `config: { rateLimited: true }` (nonces, logins, registration
 * drafts): each route counts calls per device credential and per client IP in fixed one-minute
 * windows; over either limit the call is refused with REQ_RATE_LIMITED (429) and `Retry-After`
 * before any authentication or database work. Counters live in this process's memory
 * (@fastify/rate-limit's LRU store): behind a load balancer each process counts its own share.
 */
export default fp(
  async function rateLimits(app: FastifyInstance, opts: RateLimitOptions) {
    await app.register(rateLimit, { global: false });
    const route = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url}`;
    const limiters = [
      { per: 'ip', check: app.createRateLimit({ max: opts.perIp, timeWindow: WINDOW_MS, keyGenerator: (r) => `${route(r)} ip ${r.ip}` }) },
      { per: 'device', check: app.createRateLimit({ max: opts.perDevice, timeWindow: WINDOW_MS, keyGenerator: (r) => `${route(r)} device ${deviceKey(r)}` }) },
    ];

    async function enforce(request: FastifyRequest, reply: FastifyReply) {
      for (const { per, check } of limiters) {
        const verdict = await check(request);
        if (!verdict.isAllowed && verdict.isExceeded) {
          reply.header('retry-after', String(verdict.ttlInSeconds));
          // The detail names the limit, not the key: no IP address or credential hash in the log.
          throw new AppError('REQ_RATE_LIMITED', { detail: `${route(request)}: over the per-${per} limit`, details: { retryAfterSeconds: verdict.ttlInSeconds } });
        }
      }
    }

    app.addHook('onRoute', (routeOptions) => {
      if (!routeOptions.config?.rateLimited) return;
      const existing = routeOptions.onRequest;
      routeOptions.onRequest = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), enforce];
    });
  },
  { name: 'rate-limits' },
);
