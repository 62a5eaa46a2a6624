import type { FastifyServerOptions } from 'fastify';

/** Fastify's own ajv instance type (ajv is Fastify's dependency, not ours). */
type Ajv = Parameters<NonNullable<NonNullable<FastifyServerOptions['ajv']>['onCreate']>>[0];
type Format = Parameters<Ajv['addFormat']>[1];

/**
 * Tightens three of ajv-formats' string formats to what the platform can store. ajv-formats
 * accepts more than PostgreSQL and `Date` do, and the difference reached the database as a 500:
 * `uuid` allows a `urn:uuid:` prefix (PostgreSQL's uuid type refuses it), `date`/`date-time` allow
 * year 0000 (PostgreSQL has no year 0) and a leap second `23:59:60` (`new Date()` makes an Invalid
 * Date, whose toISOString throws). Such a request is now REQ_INVALID like any other bad field.
 */
export function strictRequestFormats(ajv: Ajv): void {
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  narrow(ajv, 'date', (value) => storableYear(new Date(`${value}T00:00:00Z`)));
  narrow(ajv, 'date-time', (value) => storableYear(new Date(value)));
}

/** Years 1–9999 in UTC: PostgreSQL's date and timestamptz hold them, and toISOString writes them plainly. */
function storableYear(date: Date): boolean {
  const year = date.getUTCFullYear();
  return Number.isFinite(year) && year >= 1 && year <= 9999;
}

/** Keeps ajv-formats' own check (and its comparison, for formatMinimum) and adds `also`. */
function narrow(ajv: Ajv, name: string, also: (value: string) => boolean): void {
  const original = ajv.formats[name] as Format | undefined;
  if (!original || typeof original !== 'object' || !('validate' in original) || typeof original.validate !== 'function') {
    throw new Error(`ajv-formats no longer defines ${name} as expected`);
  }
  const check = original.validate as (value: string) => boolean;
  ajv.addFormat(name, { ...original, validate: (value: string) => check(value) && also(value) } as Format);
}
