import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { AppError, ERRORS, toWire } from '../../platform/src/shared/errors.js';
import { withErrors } from '../../platform/src/routes/schemas.js';
import { buildTestApp } from '../helpers/app.js';

describe('error catalogue', () => {
  it('gives every code an HTTP status, a developer message and plain Japanese', () => {
    for (const [code, entry] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z0-9]+)*$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.message.length).toBeGreaterThan(3);
      expect(entry.ja).toMatch(/[ぁ-んァ-ヶ一-龯]/);
    }
  });

  it('puts the same body on every transport and keeps the internal detail off the wire', () => {
    const err = new AppError('CARD_PIN_WRONG', { detail: 'SW=63C2', details: { triesLeft: 2 } });
    expect(toWire(err)).toEqual({ code: 'CARD_PIN_WRONG', message: 'The PIN is wrong', ja: '暗証番号が違います。', details: { triesLeft: 2 } });
    expect(JSON.stringify(toWire(err))).not.toContain('63C2');
  });
});

describe('error handler', async () => {
  const { app } = await buildTestApp();
  app.post(
    '/test/echo',
    { schema: { body: Type.Object({ n: Type.Integer() }, { additionalProperties: false }), response: withErrors({ 200: Type.Object({ n: Type.Integer() }) }) } },
    async (req) => req.body as { n: number },
  );
  app.get('/test/boom', async () => {
    throw new Error('secret internal state');
  });
  app.get('/test/blocked', async () => {
    throw new AppError('CARD_PIN_BLOCKED');
  });

  it('answers a schema violation with REQ_INVALID and status 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: { n: 'one' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('REQ_INVALID');
  });

  it('answers malformed JSON with REQ_INVALID', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: '{"n":', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('REQ_INVALID');
  });

  it('answers an unsupported content type with REQ_UNSUPPORTED_MEDIA', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: 'n=1', headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('REQ_UNSUPPORTED_MEDIA');
  });

  it('answers an unknown route with REQ_NOT_FOUND', async () => {
    const res = await app.inject({ method: 'GET', url: '/no/such/thing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: toWire(new AppError('REQ_NOT_FOUND')) });
  });

  it('hides an unexpected error behind INTERNAL', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL');
    expect(res.body).not.toContain('secret internal state');
  });

  it('uses the catalogue status for an AppError', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/blocked' });
    expect(res.statusCode).toBe(423);
    expect(res.json().error.ja).toContain('市区町村窓口');
  });
});
