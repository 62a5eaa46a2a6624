import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { AppError, toWire } from '../shared/errors.js';

/** The three surfaces, each an entry page of the Vite build. */
export const UI_PAGES = ['tv', 'shelter', 'operator'] as const;

/** Requests that arrived on the operator console's own listener (see `operatorConsoleHandler`). */
const onOperatorOrigin = new WeakSet<IncomingMessage>();

/**
 * The request handler of the operator console's listener: the same app (API, assets), but its
 * own origin, so the browser keeps the console's storage apart from the TV page's.
 */
export function operatorConsoleHandler(app: FastifyInstance): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    onOperatorOrigin.add(req);
    app.routing(req, res);
  };
}

/**
 * Serves the built UI pages from `uiDir`: `/tv/` and `/shelter/` on the main origin, `/operator/`
 * only on the operator console's origin. A page asked for on the wrong origin is REQ_NOT_FOUND.
 */
export default fp(
  async function uiPages(app: FastifyInstance, opts: { uiDir: string }) {
    app.get('/', { schema: { hide: true } }, async (req, reply) => reply.redirect(onOperatorOrigin.has(req.raw) ? '/operator/' : '/tv/', 302));
    // The page routes in a context of their own, so the origin check (which decodes the URL)
    // runs for them only, not for every API request.
    await app.register(async (pages) => {
      pages.addHook('onRequest', async (req) => {
        const page = pageOf(req.url);
        if (page && (page === 'operator') !== onOperatorOrigin.has(req.raw)) throw new AppError('REQ_NOT_FOUND');
      });
      if (!existsSync(opts.uiDir)) {
        pages.log.warn({ uiDir: opts.uiDir }, 'UI is not built; run `npm run build:ui`');
        for (const page of UI_PAGES) {
          pages.get(`/${page}/*`, { schema: { hide: true } }, async (_req, reply) =>
            reply.code(503).send({ error: toWire(new AppError('INTERNAL', { detail: 'UI not built' })) }),
          );
        }
        return;
      }
      await pages.register(fastifyStatic, { root: opts.uiDir, prefix: '/', wildcard: true, index: ['index.html'] });
      for (const page of UI_PAGES) {
        pages.get(`/${page}`, { schema: { hide: true } }, async (_req, reply) => reply.redirect(`/${page}/`, 301));
      }
    });
  },
  { name: 'ui-pages' },
);

/** The UI page a URL points into (decoded, case-folded, so `/%54V/` is still the TV page), or null. */
function pageOf(url: string): (typeof UI_PAGES)[number] | null {
  let path = url.split('?')[0] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // bad percent-encoding: the router answers it; the raw path is checked as it is
  }
  const first = path.split(/[/\\]+/).find(Boolean)?.toLowerCase();
  return UI_PAGES.find((page) => page === first) ?? null;
}
