import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildOcspResponse, startOcspServer } from '../../../../platform/src/jpki/dev-center/index.js';
import { certIdFor, newNonce, OcspClient, verifyOcspResponse } from '../../../../platform/src/jpki/ocsp/index.js';
import { FIXTURE_TIME } from '../../../helpers/jpki-fixtures.js';
import { ocspWorld, type OcspWorld } from './world.js';

// A responder (or whoever sits on its plain-HTTP path) that answers oddly: each is a coded
// refusal, and none makes the platform follow it elsewhere or hold more than the size limit.
const HOUR = 3600_000;
const options = { timeoutMs: 3000, skewMs: 5 * 60_000, maxAgeMs: 24 * HOUR };

let w: OcspWorld;
let real: Awaited<ReturnType<typeof startOcspServer>>;
let realRequests = 0;
let hostile: Server;
let hostileUrl = '';
let behaviour: (res: import('node:http').ServerResponse) => void = (res) => res.end();

beforeAll(async () => {
  w = await ocspWorld();
  real = await startOcspServer({ dir: w.dir, port: 19810, validityMs: HOUR });
  real.server.on('request', () => realRequests++);
  hostile = createServer((req, res) => {
    req.resume();
    req.on('end', () => behaviour(res));
  });
  await new Promise<void>((resolve) => hostile.listen(19811, '127.0.0.1', resolve));
  hostileUrl = 'http://127.0.0.1:19811/';
});
afterAll(async () => {
  await real.close();
  hostile.closeAllConnections();
  await new Promise((resolve) => hostile.close(resolve));
});

const query = () => ({ serial: w.fixtures.cards['yamada-taro'].auth.serial, issuer: w.auth03.der, url: hostileUrl });

describe('OcspClient against a hostile responder', () => {
  it('does not follow a redirect (to the real responder or anywhere else): PKI_OCSP_UNAVAILABLE, nothing asked there', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: FIXTURE_TIME });
    try {
      // 303 (and 301/302) would be followed as a GET: a request to any URL the path's owner names.
      for (const status of [303, 307]) {
        behaviour = (res) => res.writeHead(status, { location: real.url }).end();
        const before = realRequests;
        await expect(new OcspClient(options).check(query())).rejects.toMatchObject({ code: 'PKI_OCSP_UNAVAILABLE', detail: `the responder answered HTTP ${status}` });
        expect(realRequests).toBe(before);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops reading a body past the size limit that declares no length: PKI_OCSP_MALFORMED, not a wait for the timeout', async () => {
    // 8 MiB in chunks, no content-length, and then never ends: read to the end, it is a timeout.
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      const chunk = Buffer.alloc(64 * 1024, 0x30);
      for (let i = 0; i < 128; i++) res.write(chunk);
    };
    await expect(new OcspClient(options).check(query())).rejects.toMatchObject({ code: 'PKI_OCSP_MALFORMED', detail: 'the response is too large' });
  });

  it('answers a non-DER body PKI_OCSP_MALFORMED', async () => {
    behaviour = (res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end('<html>captive portal</html>');
    await expect(new OcspClient(options).check(query())).rejects.toMatchObject({ code: 'PKI_OCSP_MALFORMED' });
  });
});

describe('a response with several SingleResponses', () => {
  const build = (states: ('good' | 'revoked')[], serials?: string[]) => {
    const id = certIdFor(w.auth03.der, w.fixtures.cards['yamada-taro'].auth.serial);
    const nonce = newNonce();
    const der = buildOcspResponse({
      signer: w.signer03, nonce, producedAt: FIXTURE_TIME, thisUpdate: FIXTURE_TIME, nextUpdate: new Date(FIXTURE_TIME.getTime() + HOUR),
      responses: states.map((state, i) => ({
        id: serials?.[i] ? certIdFor(w.auth03.der, serials[i]!) : id,
        status: state === 'good' ? { state: 'good' as const } : { state: 'revoked' as const, revokedAt: new Date('2025-01-01T00:00:00Z'), reason: null },
      })),
    });
    return () => verifyOcspResponse(der, { issuer: w.auth03.der, id, nonce, now: FIXTURE_TIME.getTime(), skewMs: options.skewMs, maxAgeMs: options.maxAgeMs });
  };

  it('refuses two answers for the asked certificate (they could disagree), whichever comes first', () => {
    expect(build(['good', 'revoked'])).toThrow(expect.objectContaining({ code: 'PKI_OCSP_MALFORMED' }));
    expect(build(['revoked', 'good'])).toThrow(expect.objectContaining({ code: 'PKI_OCSP_MALFORMED' }));
  });

  it('picks the answer for the asked serial among answers for others', () => {
    expect(build(['revoked', 'good'], ['7EDCBA98', '']).call(null).state).toBe('good');
    expect(build(['revoked'], ['7EDCBA98'])).toThrow(expect.objectContaining({ code: 'PKI_OCSP_MALFORMED' }));
  });
});
