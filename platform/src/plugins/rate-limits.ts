import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/client.js';
import { AppError } from '../shared/errors.js';
import { rateCounter } from './rate-counter.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Count this route's calls per device credential and per client IP (see plugins/rate-limits.ts). */
    rateLimited?: boolean;
  }
}

export interface RateLimitOptions {
  db: Db;
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
  return createHash('sha256').update(request.headers.authorization ?? '').digest('base64url').slice(0, 22);
}

/** A counter's key: a hash, so the table never holds a client's address (rate-counter.ts). */
function bucket(route: string, per: string, caller: string): string {
  return createHash('sha256').update(`${route}\n${per}\n${caller}`).digest('base64url').slice(0, 27);
}

/**
 * Rate limits on the routes marked `config: { rateLimited: true }` (nonces, logins, registration
 * drafts, staff login challenges, pension requests): each route counts calls per device credential
 * and per client IP in fixed one-minute windows; over either limit the call is refused with
 * REQ_RATE_LIMITED (429) and `Retry-After` before any authentication or other database work. The
 * counters are in the database (rate-counter.ts), so behind a load balancer every process counts
 * against the same limit.
 */
export default fp(
  async function rateLimits(app: FastifyInstance, opts: RateLimitOptions) {
    const count = rateCounter(opts.db, WINDOW_MS);
    const route = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url}`;
    const limits = [
      { per: 'ip', max: opts.perIp, caller: (r: FastifyRequest) => r.ip },
      // A call without credentials (a console's login challenge) has only its IP's limit: otherwise
      // every such call, from every organisation's staff, would share one bucket.
      { per: 'device', max: opts.perDevice, caller: (r: FastifyRequest) => (r.headers.authorization ? deviceKey(r) : null) },
    ];

    async function enforce(request: FastifyRequest, reply: FastifyReply) {
      // Counted at once (one statement between them); the first limit exceeded is the answer.
      const counts = await Promise.all(limits.map(({ per, caller }) => {
        const who = caller(request);
        return who === null ? null : count(bucket(route(request), per, who));
      }));
      limits.forEach(({ per, max }, i) => {
        const counted = counts[i];
        if (!counted || counted.hits <= max) return;
        const { msLeft } = counted;
        const retryAfterSeconds = Math.max(1, Math.ceil(msLeft / 1000));
        reply.header('retry-after', String(retryAfterSeconds));
        // The detail names the limit, not the key: no IP address or credential hash in the log.
        throw new AppError('REQ_RATE_LIMITED', { detail: `${route(request)}: over the per-${per} limit`, details: { retryAfterSeconds } });
      });
    }

    app.addHook('onRoute', (routeOptions) => {
      if (!routeOptions.config?.rateLimited) return;
      const existing = routeOptions.onRequest;
      routeOptions.onRequest = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), enforce];
    });
  },
  { name: 'rate-limits' },
);
