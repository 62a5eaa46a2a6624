import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { AppError, toWire } from '../shared/errors.js';

/** The three surfaces, each an entry page of the Vite build. */
export const UI_PAGES = ['tv', 'shelter', 'operator'] as const;

/** The page a listener of its own serves; requests on the main listener serve the TV page. */
type OwnOriginPage = Exclude<(typeof UI_PAGES)[number], 'tv'>;

/** Requests that arrived on a page's own listener (see `ownOriginHandler`), and which page's. */
const arrivedFor = new WeakMap<IncomingMessage, OwnOriginPage>();

/**
 * The request handler of a page's own listener (the operator console's, the shelter tablet's):
 * the same app (API, assets), but its own origin, so the browser keeps that page's storage apart
 * from the TV page's, and the reader driver can tell the pages apart by origin.
 */
export function ownOriginHandler(app: FastifyInstance, page: OwnOriginPage): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    arrivedFor.set(req, page);
    app.routing(req, res);
  };
}

/** The page the origin a request arrived on serves. */
const pageOfOrigin = (req: IncomingMessage): (typeof UI_PAGES)[number] => arrivedFor.get(req) ?? 'tv';

/**
 * Serves the built UI pages from `uiDir`, each only on its own origin: `/tv/` on the main one,
 * `/operator/` on the operator console's, `/shelter/` on the shelter tablet's. A page asked for on
 * another origin is REQ_NOT_FOUND.
 */
export default fp(
  async function uiPages(app: FastifyInstance, opts: { uiDir: string }) {
    app.get('/', { schema: { hide: true } }, async (req, reply) => reply.redirect(`/${pageOfOrigin(req.raw)}/`, 302));
    // The API's paths are never looked up among the UI's files: one no route answers is the API's
    // REQ_NOT_FOUND (any method), before the static wildcard below could serve or stat a file.
    const noSuchApi = async (req: FastifyRequest) => {
      throw new AppError('REQ_NOT_FOUND', { detail: `${req.method} ${req.url}` });
    };
    app.all('/api', { schema: { hide: true } }, noSuchApi);
    app.all('/api/*', { schema: { hide: true } }, noSuchApi);
    // The page routes in a context of their own, so the origin check (which decodes the URL)
    // runs for them only, not for every API request.
    await app.register(async (pages) => {
      pages.addHook('onRequest', async (req) => {
        const page = pageOf(req.url);
        if (page && page !== pageOfOrigin(req.raw)) throw new AppError('REQ_NOT_FOUND');
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
