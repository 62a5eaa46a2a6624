import { AppError } from '../../shared/errors.js';
import { certIdFor } from './cert-id.js';
import { buildOcspRequest, newNonce, OCSP_REQUEST_TYPE } from './request.js';
import { verifyOcspResponse, type OcspAnswer } from './response.js';

/** Options of an OcspClient; the platform's config owns the values. */
export interface OcspClientOptions {
  /** A responder that does not answer within this is PKI_OCSP_UNAVAILABLE. */
  timeoutMs: number;
  /** Tolerated clock difference with the responder. */
  skewMs: number;
  /** Age after which a response without nextUpdate is stale. */
  maxAgeMs: number;
  /** At most this many answers are cached (the oldest goes first). */
  maxCached?: number;
  /** For tests: the HTTP client (default the global fetch). */
  fetch?: typeof fetch;
}

/** What to ask about: a certificate's serial, the DER of its CA, and the responder URL. */
export interface OcspQuery {
  /** Upper-case hex serial, as `ChainResult.serial`. */
  serial: string;
  issuer: Uint8Array;
  url: string;
}

/** An answer, and whether it came from the cache (then its nonce was that of the earlier request). */
export interface OcspResult extends OcspAnswer {
  cached: boolean;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Asks OCSP responders (RFC 6960, POST over HTTP) and keeps each verified answer until its
 * nextUpdate: within that window the responder would say the same, and a cached signed response
 * is as good evidence as a new one. Answers without nextUpdate are never cached. The clock is
 * `Date.now()` (fake timers move it in tests); the timeout is a `setTimeout`, for the same reason.
 */
export class OcspClient {
  private readonly _cache = new Map<string, OcspAnswer>();
  private readonly _fetch: typeof fetch;
  private readonly _maxCached: number;

  constructor(private readonly _options: OcspClientOptions) {
    this._fetch = _options.fetch ?? fetch;
    this._maxCached = _options.maxCached ?? 10_000;
  }

  /**
   * The status of one certificate. Throws the PKI_OCSP_* code of `verifyOcspResponse`, or
   * PKI_OCSP_UNAVAILABLE when the responder cannot be reached, times out or answers non-200.
   */
  async check(query: OcspQuery): Promise<OcspResult> {
    const id = certIdFor(query.issuer, query.serial);
    const now = Date.now();
    const hit = this._cache.get(id.key);
    if (hit) {
      if (hit.nextUpdate && now <= hit.nextUpdate.getTime()) return { ...hit, cached: true };
      this._cache.delete(id.key);
    }
    const nonce = newNonce();
    const body = await this._post(query.url, buildOcspRequest(id, nonce));
    const { skewMs, maxAgeMs } = this._options;
    const answer = verifyOcspResponse(body, { issuer: query.issuer, id, nonce, now: Date.now(), skewMs, maxAgeMs });
    if (answer.nextUpdate) {
      if (this._cache.size >= this._maxCached) this._cache.delete(this._cache.keys().next().value!);
      this._cache.set(id.key, answer);
    }
    return { ...answer, cached: false };
  }

  /** Forgets every cached answer. */
  clear(): void {
    this._cache.clear();
  }

  private async _post(url: string, der: Uint8Array): Promise<Uint8Array> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this._options.timeoutMs);
    const unavailable = (detail: string, cause?: unknown) => new AppError('PKI_OCSP_UNAVAILABLE', { detail, cause });
    try {
      const res = await this._fetch(url, {
        method: 'POST',
        headers: { 'content-type': OCSP_REQUEST_TYPE },
        body: new Uint8Array(der),
        signal: controller.signal,
        // A redirect is answered, not followed: the URL is plain HTTP, so whoever is on its path
        // could otherwise send the platform to any address (a 303 becomes a GET there).
        redirect: 'manual',
      }).catch((cause: unknown) => {
        throw unavailable(controller.signal.aborted ? `no answer within ${this._options.timeoutMs} ms` : 'the responder cannot be reached', cause);
      });
      if (res.status !== 200) throw unavailable(`the responder answered HTTP ${res.status}`);
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > MAX_RESPONSE_BYTES) throw new AppError('PKI_OCSP_MALFORMED', { detail: 'the response is too large' });
      return await readAtMost(res, MAX_RESPONSE_BYTES, (cause) =>
        unavailable(controller.signal.aborted ? `no answer within ${this._options.timeoutMs} ms` : 'the response was cut off', cause));
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The body, read chunk by chunk and given up past `limit` bytes (PKI_OCSP_MALFORMED): a body that
 * declares no length must not be held whole before its size is known.
 */
async function readAtMost(res: Response, limit: number, cutOff: (cause: unknown) => Error): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((cause: unknown) => {
      throw cutOff(cause);
    });
    if (done) return Buffer.concat(parts);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new AppError('PKI_OCSP_MALFORMED', { detail: 'the response is too large' });
    }
    parts.push(value);
  }
}
