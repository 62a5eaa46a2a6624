import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, toWire } from '../../../platform/src/shared/errors.js';
import { buildTestApp } from '../../helpers/app.js';

/**
 * The API's paths are never looked up among the UI's files: an unknown /api/... path is the
 * catalogue's REQ_NOT_FOUND from the API side, whatever the UI folder holds. A UI folder of its
 * own (not the build), so the static wildcard is registered whether or not the UI was built.
 */
const uiDir = mkdtempSync(join(tmpdir(), 'ui-pages-'));
mkdirSync(join(uiDir, 'tv'));
writeFileSync(join(uiDir, 'tv', 'index.html'), '<!doctype html><title>tv</title>');
mkdirSync(join(uiDir, 'api', 'v1'), { recursive: true });
writeFileSync(join(uiDir, 'api', 'v1', 'stray.json'), '{"served":"from the UI folder"}');
writeFileSync(join(uiDir, 'api', 'index.html'), 'stray');

describe('unknown API paths', async () => {
  const { app } = await buildTestApp({ uiDir });

  it('the UI folder is served (so the wildcard the API must not fall into is there)', async () => {
    const page = await app.inject({ method: 'GET', url: '/tv/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>tv</title>');
  });

  for (const [method, url] of [['GET', '/api/v1/stray.json'], ['GET', '/api/'], ['GET', '/api'], ['HEAD', '/api/v1/stray.json'], ['GET', '/api/v1/no-such-thing'], ['DELETE', '/api/v1/no-such-thing']] as const) {
    it(`${method} ${url} is 404 REQ_NOT_FOUND, not a file, and never cached`, async () => {
      const answer = await app.inject({ method, url });
      expect(answer.statusCode).toBe(404);
      expect(answer.headers['cache-control']).toBe('no-store');
      if (method !== 'HEAD') expect(answer.json()).toEqual({ error: toWire(new AppError('REQ_NOT_FOUND')) });
    });
  }

  it('a route that exists for another method is still REQ_NOT_FOUND, not a file', async () => {
    const answer = await app.inject({ method: 'GET', url: '/api/v1/nonces' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json().error.code).toBe('REQ_NOT_FOUND');
  });
});
