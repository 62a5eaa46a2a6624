import { existsSync } from 'node:fs';
import { request } from 'node:http';
import helmet from '@fastify/helmet';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaderTable } from '../../../platform/src/plugins/security-headers.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { ERRORS } from '../../../platform/src/shared/errors.js';
import { buildTestApp } from '../../helpers/app.js';

/**
 * Web protections, over a real socket (inject() normalises `..` away): static paths that leave
 * the UI folder and URLs that cannot be percent-decoded get a coded 4xx with the catalogue body;
 * every answer carries the security headers; API answers are never cached; CORS stays closed.
 * Needs the built UI (`npm run build:ui`).
 */
const READER_PORT = 19_471;
const t = await buildTestApp({ readerPort: READER_PORT, rateLimitPerDevice: 1000, rateLimitPerIp: 1000 }, { demo: true });
const TV = `Device ${DEMO_HOUSEHOLDS[0].tv.id}:${DEMO_HOUSEHOLDS[0].tv.secret}`;
let port: number;

beforeAll(async () => {
  expect(existsSync('dist/stb-ui/tv/index.html'), 'run `npm run build:ui` first').toBe(true);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as { port: number }).port;
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with the path sent byte for byte as given. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectCatalogue(answer: Answer, code: keyof typeof ERRORS) {
  expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({
    status: ERRORS[code].status,
    body: { error: { code, message: ERRORS[code].message, ja: ERRORS[code].ja } },
  });
}

function expectSecurityHeaders(answer: Answer, label: string) {
  const csp = String(answer.headers['content-security-policy']);
  expect(csp, label).toContain("frame-ancestors 'none'");
  expect(csp, label).toContain("script-src 'self'");
  expect(csp, label).toContain("object-src 'none'");
  expect(answer.headers['x-content-type-options'], label).toBe('nosniff');
  expect(answer.headers['referrer-policy'], label).toBe('no-referrer');
  expect(answer.headers['x-frame-options'], label).toBe('DENY');
}

describe('static pages: paths outside the UI folder', () => {
  for (const path of ['/tv/../../package.json', '/tv/%2e%2e/%2e%2e/package.json', '/tv/..%5c..%5cpackage.json', '/tv/..\\..\\package.json', '/%2e%2e/package.json', '/tv/index.html%00', '/assets/%2e%2e/%2e%2e/package.json']) {
    it(`GET ${path} is 404 REQ_NOT_FOUND with the catalogue body, never 500 or a file`, async () => {
      const answer = await raw('GET', path);
      expectCatalogue(answer, 'REQ_NOT_FOUND');
      expect(answer.body).not.toContain('"name"');
      expectSecurityHeaders(answer, path);
    });
  }
});

describe('URLs that cannot be percent-decoded', () => {
  for (const path of ['/tv/%', '/tv/%E0%A4%A', '/api/v1/%zz', '/%c0%ae%c0%ae/', '/api/v1/registrations/%ff%fe']) {
    it(`GET ${path} is 400 REQ_INVALID with the catalogue body and the security headers, not Fastify's own`, async () => {
      const answer = await raw('GET', path);
      expectCatalogue(answer, 'REQ_INVALID');
      expectSecurityHeaders(answer, path);
    });
  }
});

describe('security headers', () => {
  it('the TV page: strict CSP that lets it reach only its origin and the reader driver on loopback', async () => {
    const answer = await raw('GET', '/tv/');
    expect(answer.status).toBe(200);
    expectSecurityHeaders(answer, '/tv/');
    const csp = String(answer.headers['content-security-policy']);
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['connect-src']).toEqual(["'self'", `ws://127.0.0.1:${READER_PORT}`, `ws://localhost:${READER_PORT}`]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['script-src-attr']).toEqual(["'none'"]);
    // The one inline <style> of the built page is allowed by its hash, no other inline style element.
    expect(directives['style-src-elem']![0]).toBe("'self'");
    expect(directives['style-src-elem']!.slice(1).every((v: string) => /^'sha256-[A-Za-z0-9+/]+=*'$/.test(v))).toBe(true);
    expect(directives['style-src-elem']!.length).toBeGreaterThan(1);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('upgrade-insecure-requests'); // would turn the reader's ws:// into wss://
  });

  for (const path of ['/shelter/', '/operator/', '/assets/', '/healthz', '/openapi.json', '/no/such/page']) {
    it(`GET ${path} carries the security headers`, async () => {
      expectSecurityHeaders(await raw('GET', path), path);
    });
  }

  it('API answers, success and refusal, are Cache-Control: no-store and carry the headers', async () => {
    const ok = await raw('POST', '/api/v1/nonces', { authorization: TV, 'content-type': 'application/json' }, JSON.stringify({ purpose: 'login' }));
    expect(ok.status).toBe(201);
    const refused = await raw('GET', '/api/v1/sessions/current', { authorization: 'Bearer nope', 'x-device': 'x' });
    expect(refused.status).toBe(401);
    const unknown = await raw('GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    for (const answer of [ok, refused, unknown]) {
      expect(answer.headers['cache-control']).toBe('no-store');
      expectSecurityHeaders(answer, 'api');
    }
  });
});

describe('CORS stays closed', () => {
  it('a cross-origin preflight gets no Access-Control-Allow-* header', async () => {
    const answer = await raw('OPTIONS', '/api/v1/nonces', {
      origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type',
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('a cross-origin POST is answered without Access-Control-Allow-Origin (the browser withholds it)', async () => {
    const answer = await raw('POST', '/api/v1/nonces', { origin: 'https://evil.example', authorization: TV, 'content-type': 'application/json' }, JSON.stringify({ purpose: 'login' }));
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

describe('the security header table', () => {
  it('is what @fastify/helmet sends with the same policy (computed once instead of per request)', async () => {
    const opts = { uiDir: 'dist/stb-ui', readerPort: READER_PORT };
    const reference = Fastify();
    await reference.register(helmet, {
      global: true,
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(opts) },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });
    reference.get('/', async () => 'x');
    const answer = await reference.inject({ method: 'GET', url: '/' });
    await reference.close();
    const fromHelmet = Object.fromEntries(
      Object.entries(answer.headers).filter(([name]) => !['content-type', 'content-length', 'date', 'connection', 'keep-alive'].includes(name)),
    );
    const ours = Object.fromEntries(securityHeaderTable(opts).map(([name, value]) => [name.toLowerCase(), value]));
    expect(ours).toEqual(fromHelmet);
  });
});
