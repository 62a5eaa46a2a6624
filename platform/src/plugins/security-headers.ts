import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { UI_PAGES } from './ui-pages.js';

export interface SecurityHeadersOptions {
  /** Built UI pages: their inline `<style>` blocks are allowed by hash, nothing else inline. */
  uiDir: string;
  /** The reader driver's loopback port: the TV page's only WebSocket besides its own origin. */
  readerPort: number;
}

/** `'sha256-…'` of every inline `<style>` in the built pages (Vite keeps the critical background inline). */
export function inlineStyleHashes(uiDir: string): string[] {
  const hashes = new Set<string>();
  for (const page of UI_PAGES) {
    const file = join(uiDir, page, 'index.html');
    if (!existsSync(file)) continue;
    for (const [, css] of readFileSync(file, 'utf8').matchAll(/<style>([\s\S]*?)<\/style>/g)) {
      hashes.add(`'sha256-${createHash('sha256').update(css!, 'utf8').digest('base64')}'`);
    }
  }
  return [...hashes];
}

/**
 * The content security policy of every answer. Scripts only from our own files; no inline
 * script, no eval, no plugins, no framing, no foreign forms. Styles: the pages' own files and
 * inline `<style>` blocks by hash; Lit templates set `style="…"` attributes (the TV keyboard grid),
 * which CSP can only allow for all attributes, so `style-src-attr` is the one inline allowance
 * (a style attribute cannot run code). Connections: our origin (API) and the reader driver on
 * the device's loopback, under both names a page may use for it.
 */
export function contentSecurityPolicy(opts: SecurityHeadersOptions): Record<string, string[]> {
  const reader = [`ws://127.0.0.1:${opts.readerPort}`, `ws://localhost:${opts.readerPort}`];
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src-elem': ["'self'", ...inlineStyleHashes(opts.uiDir)],
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...reader],
    'manifest-src': ["'self'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
  };
}

/** API answers carry personal data and session state: never kept by a browser or a proxy. */
function noStoreForApi(url: string, reply: FastifyReply): void {
  if (url.startsWith('/api/') || url === '/api') reply.header('cache-control', 'no-store');
}

/**
 * Every security header of an answer, computed once: the CSP above, and what helmet 8 sends with
 * `X-Frame-Options: DENY` (beside `frame-ancestors 'none'`, for old browsers), nosniff,
 * `Referrer-Policy: no-referrer`, same-origin opener and resource policies. These are exactly the
 * headers @fastify/helmet sent (test/platform/plugins/security.test.ts compares them with it), but
 * @fastify/helmet builds helmet's middleware anew on every request, re-parsing the whole policy:
 * about a tenth of the server's CPU per login under load (issue 10's login benchmark).
 */
export function securityHeaderTable(opts: SecurityHeadersOptions): ReadonlyArray<readonly [string, string]> {
  const csp = Object.entries(contentSecurityPolicy(opts)).map(([name, values]) => `${name} ${values.join(' ')}`).join(';');
  return [
    ['Content-Security-Policy', csp],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Origin-Agent-Cluster', '?1'],
    ['Referrer-Policy', 'no-referrer'],
    ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-DNS-Prefetch-Control', 'off'],
    ['X-Download-Options', 'noopen'],
    ['X-Frame-Options', 'DENY'],
    ['X-Permitted-Cross-Domain-Policies', 'none'],
    ['X-XSS-Protection', '0'],
  ];
}

/**
 * Security headers on every answer (pages, API, errors): `securityHeaderTable`, set on the raw
 * response before routing so that refusals and framework errors carry them too; and
 * `Cache-Control: no-store` on /api/. No CORS plugin is registered, on purpose: the API is for
 * the platform's own pages and devices, so a cross-origin preflight gets no allow headers.
 */
export default fp(
  async function securityHeaders(app: FastifyInstance, opts: SecurityHeadersOptions) {
    const headers = securityHeaderTable(opts);
    app.addHook('onRequest', (request, reply, done) => {
      const raw = reply.raw;
      for (const [name, value] of headers) raw.setHeader(name, value);
      noStoreForApi(request.url, reply);
      done();
    });
  },
  { name: 'security-headers' },
);
