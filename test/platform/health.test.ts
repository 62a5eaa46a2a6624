import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { TEST_DB_KIND } from '../helpers/database.js';

describe('GET /healthz', async () => {
  const { app, database } = await buildTestApp();

  it('reports the database kind and that it answers', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: { kind: TEST_DB_KIND, ok: true } });
  });

  it('serves an OpenAPI document that lists the route', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toContain('/healthz');
  });

  it('answers 503 degraded when the database is gone', async () => {
    const ping = database.ping;
    database.ping = async () => {
      throw new Error('connection refused');
    };
    try {
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'degraded', database: { ok: false } });
    } finally {
      database.ping = ping;
    }
  });
});
