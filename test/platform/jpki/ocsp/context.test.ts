import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOcspServer } from '../../../../platform/src/jpki/dev-center/index.js';
import { createJpkiContext, type JpkiContext } from '../../../../platform/src/jpki/index.js';
import { loadConfig } from '../../../../platform/src/config.js';
import { FIXTURE_TIME } from '../../../helpers/jpki-fixtures.js';
import { ocspWorld, type OcspWorld } from './world.js';

const DAY = 24 * 3600;
let w: OcspWorld;
let server: Awaited<ReturnType<typeof startOcspServer>>;
let closedUrl: string;

beforeAll(async () => {
  w = await ocspWorld();
  server = await startOcspServer({ dir: w.dir, port: 0 });
  const down = await startOcspServer({ dir: w.dir, port: 0 });
  closedUrl = down.url;
  await down.close();
});
afterAll(() => server.close());

/** A context of the copied center whose sign certificates (no AIA) are asked at `signUrl`, with the fixture sign CRLs. */
async function context(signUrl: string | null): Promise<JpkiContext> {
  const jpki = await createJpkiContext({
    jpkiMode: 'dev', jpkiDevDir: w.dir, certLookupSecret: 'test-secret-0123456789abcdef', crlMaxAgeSeconds: 365 * DAY,
    ocspUrls: { sign: signUrl, auth: null }, ocspTimeoutMs: 5000,
  });
  jpki.ingestCrl('sign', w.fixtures.crls.sign['03']!);
  return jpki;
}

const chainOf = async (jpki: JpkiContext, card: 'yamada-taro' | 'suzuki-jiro', which: 'sign' | 'auth') =>
  jpki.verify(jpki.parse(w.fixtures.cards[card][which === 'sign' ? 'signDer' : 'authDer']), which, FIXTURE_TIME);

describe('JpkiContext.decideRevocation with the configured policy', () => {
  it('reads the OCSP URL from the AIA of an auth certificate; a sign certificate uses the configured one', async () => {
    const jpki = await context('http://ocsp.example.test/sign');
    expect(jpki.ocspUrlOf(await chainOf(jpki, 'yamada-taro', 'auth'))).toBe('http://ocspauthnorm.jpki-test.invalid');
    expect(jpki.ocspUrlOf(await chainOf(jpki, 'yamada-taro', 'sign'))).toBe('http://ocsp.example.test/sign');
  });

  it('pension signature: OCSP from the dev responder answers, with the signed response', async () => {
    const jpki = await context(server.url);
    const d = await jpki.decideRevocation('pension-signature', await chainOf(jpki, 'yamada-taro', 'sign'), FIXTURE_TIME);
    expect(d).toMatchObject({ source: 'ocsp', fallback: null, ocsp: { state: 'good', signedBy: 'delegated' } });
    expect(d.ocsp!.der.length).toBeGreaterThan(1000);
    await expect(jpki.decideRevocation('pension-signature', await chainOf(jpki, 'suzuki-jiro', 'sign'), FIXTURE_TIME))
      .rejects.toMatchObject({ code: 'PKI_REVOKED', details: { reason: 'keyCompromise', source: 'ocsp' } });
  });

  it('pension signature: responder down → the fresh CRL answers, and the decision says why', async () => {
    const jpki = await context(closedUrl);
    const d = await jpki.decideRevocation('pension-signature', await chainOf(jpki, 'yamada-taro', 'sign'), FIXTURE_TIME);
    expect(d).toMatchObject({ source: 'crl', fallback: 'PKI_OCSP_UNAVAILABLE', crl: { purpose: 'sign' } });
    await expect(jpki.decideRevocation('pension-signature', await chainOf(jpki, 'suzuki-jiro', 'sign'), FIXTURE_TIME))
      .rejects.toMatchObject({ code: 'PKI_REVOKED', details: { source: 'crl' } });
  });

  it('login never asks OCSP: an auth certificate with no CRL loaded is unknown', async () => {
    const jpki = await context(closedUrl);
    await expect(jpki.decideRevocation('login', await chainOf(jpki, 'yamada-taro', 'auth'), FIXTURE_TIME))
      .rejects.toMatchObject({ code: 'PKI_REVOCATION_UNKNOWN', details: { cause: 'no-crl' } });
  });

  it('the policy and the OCSP settings are read from the environment once, with the config', () => {
    const config = loadConfig({ REVOCATION_POLICY: 'login=ocsp/refuse', OCSP_URL_SIGN: 'http://127.0.0.1:8319/', OCSP_TIMEOUT_MS: '1500' });
    expect(config.revocationPolicy.login).toEqual({ source: 'ocsp', unknown: 'refuse' });
    expect(config.revocationPolicy['shelter-check-in']).toEqual({ source: 'crl', unknown: 'accept' });
    expect(config).toMatchObject({ ocspUrls: { sign: 'http://127.0.0.1:8319/', auth: null }, ocspTimeoutMs: 1500, ocspSkewSeconds: 300 });
    expect(() => loadConfig({ REVOCATION_POLICY: 'login=maybe' })).toThrow(/REVOCATION_POLICY/);
    expect(() => loadConfig({ OCSP_URL_AUTH: 'ftp://x' })).toThrow(/OCSP_URL_AUTH/);
  });
});
