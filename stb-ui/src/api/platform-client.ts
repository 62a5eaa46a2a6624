import type { WireError } from '../../../platform/src/errors.js';

/** What `GET /healthz` answers. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  database: { kind: 'pglite' | 'postgres'; ok: boolean; latencyMs: number };
}

/** A platform call that failed, carrying the catalogue error from the body. */
export class PlatformError extends Error {
  constructor(readonly error: WireError) {
    super(error.message);
    this.name = 'PlatformError';
  }
}

/** Typed fetch for the platform's JSON routes; same-origin, so no base URL is needed. */
async function getJson<T>(path: string, okStatuses: number[] = [200]): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await res.json()) as T | { error: WireError };
  if (!okStatuses.includes(res.status)) throw new PlatformError((body as { error: WireError }).error);
  return body as T;
}

export const fetchHealth = () => getJson<HealthReport>('/healthz', [200, 503]);
