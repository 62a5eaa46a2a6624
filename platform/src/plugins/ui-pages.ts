import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { AppError, toWire } from '../shared/errors.js';

/** The three surfaces, each an entry page of the Vite build. */
export const UI_PAGES = ['tv', 'shelter', 'operator'] as const;

/** Serves the built UI pages (`/tv/`, `/shelter/`, `/operator/`) from `uiDir`. */
export default fp(
  async function uiPages(app: FastifyInstance, opts: { uiDir: string }) {
    if (!existsSync(opts.uiDir)) {
      app.log.warn({ uiDir: opts.uiDir }, 'UI is not built; run `npm run build:ui`');
      for (const page of UI_PAGES) {
        app.get(`/${page}/*`, { schema: { hide: true } }, async (_req, reply) =>
          reply.code(503).send({ error: toWire(new AppError('INTERNAL', { detail: 'UI not built' })) }),
        );
      }
      return;
    }
    await app.register(fastifyStatic, { root: opts.uiDir, prefix: '/', wildcard: true, index: ['index.html'] });
    for (const page of UI_PAGES) {
      app.get(`/${page}`, { schema: { hide: true } }, async (_req, reply) => reply.redirect(`/${page}/`, 301));
    }
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/tv/', 302));
  },
  { name: 'ui-pages' },
);
