import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANY_ROUTE_ERRORS } from '../../platform/src/routes/schemas.js';
import { ERRORS, type ErrorCode } from '../../platform/src/shared/errors.js';
import { buildTestApp } from '../helpers/app.js';

/**
 * The error catalogue is whole: every code is produced somewhere in the source, documented in
 * platform/src/shared/ERRORS.md, and every route of the OpenAPI document says which codes it can
 * answer (`x-error-codes`, declared on the route with `errorCodes(…)`).
 */

const ROOT = resolve(import.meta.dirname, '../..');
const CATALOGUE = 'platform/src/shared/errors.ts';
const DOC = 'platform/src/shared/ERRORS.md';
const codes = Object.keys(ERRORS) as ErrorCode[];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') && path !== CATALOGUE ? [path] : [];
  });
}

/** The table ERRORS.md must hold, one row per code in catalogue order. */
const expectedTable = () =>
  ['| code | HTTP | meaning |', '|---|---|---|', ...codes.map((c) => `| \`${c}\` | ${ERRORS[c].status} | ${ERRORS[c].message} |`)].join('\n');

describe('error catalogue', () => {
  it('every code is produced somewhere in the source (a quoted code outside errors.ts)', () => {
    const text = ['platform', 'reader-driver', 'stb-ui'].flatMap(sources).map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const unused = codes.filter((c) => !new RegExp(`['"\`]${c}['"\`]`).test(text));
    expect(unused).toEqual([]);
  });

  it(`every code is documented in ${DOC}, with its status (the table is the catalogue's, in order)`, () => {
    const doc = readFileSync(join(ROOT, DOC), 'utf8');
    const start = doc.indexOf('| code | HTTP | meaning |');
    const table = start < 0 ? '' : doc.slice(start).split('\n\n')[0]!.trim();
    // On a mismatch, the expected side is the table to paste into the document.
    expect(table).toBe(expectedTable());
  });

});

describe('the OpenAPI document', async () => {
  const { app } = await buildTestApp();

  it('lists, for every route, the catalogue codes it can answer', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { 'x-error-codes'?: string[] }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, codes: op['x-error-codes'] })));
    expect(operations.length).toBeGreaterThan(10);
    const problems = operations.flatMap(({ route, codes: declared }) => {
      if (!declared) return [`${route}: no x-error-codes`];
      const unknown = declared.filter((c) => !(c in ERRORS));
      const missing = ANY_ROUTE_ERRORS.filter((c) => !declared.includes(c));
      return [...unknown.map((c) => `${route}: ${c} is not in the catalogue`), ...missing.map((c) => `${route}: lacks ${c}`)];
    });
    expect(problems).toEqual([]);
  });
});
