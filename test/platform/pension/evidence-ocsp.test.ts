import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalJson } from '../../../platform/src/identity/canonical-json.js';
import { answerFromCenter, centerResponders, startOcspServer } from '../../../platform/src/jpki/dev-center/index.js';
import { loadState } from '../../../platform/src/jpki/dev-center/store.js';
import { buildOcspRequest, certIdFor, newNonce, OCSP_RESPONSE_TYPE } from '../../../platform/src/jpki/ocsp/index.js';
import { createJpkiContext, signStatement, type JpkiContext } from '../../../platform/src/jpki/index.js';
import { serializeBundle, verifyBundle, type EvidenceBundle, type OcspStatement } from '../../../platform/src/pension/evidence-bundle.js';
import { completePending, sealSubmission, type SealContext } from '../../../platform/src/pension/seal.js';
import { pensionRevocation } from '../../../platform/src/pension/seal-services.js';
import { jpkiFixtures } from '../../helpers/jpki-fixtures.js';
import { cardSigned, DAY, NOW, sealWorld } from './seal-world.js';

/**
 * The pension signature asks OCSP first (REVOCATION_POLICY pension-signature=ocsp/refuse): the
 * bundle then keeps the responder's signed response, and the offline verifier checks it (issue 17).
 * The Date clock is pinned to the seal world's NOW, so the dev responder answers at that time.
 */
let world: Awaited<ReturnType<typeof sealWorld>>;
let server: Awaited<ReturnType<typeof startOcspServer>>;
let closedUrl: string;
/** A responder on the plain-HTTP path answering what the test sets (a responder that cannot decide, or a forger). */
let odd: Server;
let oddUrl: string;
let oddAnswer: (request: Uint8Array) => Promise<Uint8Array | string> = async () => '';

beforeAll(async () => {
  world = await sealWorld();
  server = await startOcspServer({ dir: world.dir, port: 0 });
  const down = await startOcspServer({ dir: world.dir, port: 0 });
  closedUrl = down.url;
  await down.close();
  odd = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void oddAnswer(Buffer.concat(chunks)).then((body) => res.writeHead(200, { 'content-type': OCSP_RESPONSE_TYPE }).end(Buffer.from(body))));
  });
  await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
  oddUrl = `http://127.0.0.1:${(odd.address() as { port: number }).port}/`;
});
afterAll(async () => {
  odd?.closeAllConnections();
  await new Promise((resolve) => odd?.close(resolve));
  await server?.close();
  await world?.tsa.close();
});
beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** The seal world's context, deciding revocation with sign certificates asked at `url` (CRLs: the world's, or none). */
async function sealContext(url: string, crls = true): Promise<SealContext> {
  const jpki: JpkiContext = await createJpkiContext({
    jpkiMode: 'dev', jpkiDevDir: world.dir, certLookupSecret: 'test-secret-0123456789abcdef', crlMaxAgeSeconds: 365 * DAY,
    ocspUrls: { sign: url, auth: null }, ocspTimeoutMs: 5000,
  });
  if (crls) {
    const fx = await jpkiFixtures();
    jpki.ingestCrl('sign', fx.crls.sign['03']!);
    jpki.ingestCrl('sign', fx.crls.sign['02']!);
  }
  return { ...world.ctx, revocation: pensionRevocation(jpki) };
}

async function sealedBundle(url = server.url): Promise<EvidenceBundle> {
  const outcome = await sealSubmission(await cardSigned(), await sealContext(url));
  if (outcome.state !== 'sealed') throw new Error(`expected sealed, got ${outcome.state}`);
  return outcome.bundle;
}

/** The bundle with its statement replaced by `statement`, signed again by the platform key (an insider's forgery). */
function resigned(bundle: EvidenceBundle, statement: OcspStatement): string {
  const signature = signStatement(new TextEncoder().encode(canonicalJson(statement)), world.ctx.signer);
  return serializeBundle({ ...bundle, revocation: { ...bundle.revocation, statement, signature: Buffer.from(signature).toString('base64') } });
}

const ocspOf = (bundle: EvidenceBundle): OcspStatement => {
  const s = bundle.revocation.statement;
  if (s.source !== 'ocsp') throw new Error(`expected an OCSP statement, got ${s.source}`);
  return s;
};

describe('sealing with OCSP', () => {
  it('keeps the signed OCSP response in the bundle, and the bundle verifies offline', async () => {
    const bundle = await sealedBundle();
    const s = ocspOf(bundle);
    expect(s).toMatchObject({ status: 'good', maxAgeSeconds: 2 * DAY, ocsp: { producedAt: NOW.toISOString() } });
    expect(Buffer.from(s.ocsp.response, 'base64').length).toBeGreaterThan(1000);
    expect(bundle.report.revocation).toEqual({ status: 'good', source: 'ocsp', producedAt: NOW.toISOString(), checkedAt: NOW.toISOString() });
    const verified = await verifyBundle(serializeBundle(bundle), world.trust);
    expect(verified).toMatchObject({ ok: true, report: { revocation: { source: 'ocsp' } } });
  });

  it('refuses a certificate the responder says is revoked (PKI_REVOKED from OCSP)', async () => {
    await expect(sealSubmission(await cardSigned('suzuki-jiro'), await sealContext(server.url)))
      .rejects.toMatchObject({ code: 'PKI_REVOKED', details: { source: 'ocsp' } });
  });

  it('responder down: the fresh CRL answers and the statement is a CRL one, as before', async () => {
    const bundle = await sealedBundle(closedUrl);
    expect(bundle.revocation.statement.source).toBe('crl');
    expect(await verifyBundle(serializeBundle(bundle), world.trust)).toMatchObject({ ok: true });
  });

  it('responder down and no CRL: the submission waits (revocation pending)', async () => {
    const outcome = await sealSubmission(await cardSigned(), await sealContext(closedUrl, false));
    expect(outcome.state).toBe('revocation-pending');
  });
});

describe('the verifier checks the kept OCSP response itself', () => {
  it('a response whose signature does not verify → EVIDENCE_REVOCATION_INVALID', async () => {
    const bundle = await sealedBundle();
    const s = ocspOf(bundle);
    const der = Buffer.from(s.ocsp.response, 'base64');
    // One second later in producedAt (inside the signed tbsResponseData): the signature no longer covers it.
    const at = der.indexOf(Buffer.from('20250601010000Z'));
    expect(at).toBeGreaterThan(0);
    der[at + 13] = 0x31;
    const result = await verifyBundle(resigned(bundle, { ...s, ocsp: { ...s.ocsp, response: der.toString('base64') } }), world.trust);
    expect(result).toMatchObject({ ok: false, code: 'EVIDENCE_REVOCATION_INVALID' });
    expect(result.ok === false && result.detail).toContain('PKI_OCSP_SIGNATURE_INVALID');
  });

  it('a genuine response produced far from the signature timestamp → EVIDENCE_REVOCATION_INVALID', async () => {
    const bundle = await sealedBundle();
    const s = ocspOf(bundle);
    const fx = await jpkiFixtures();
    const chain = await world.jpki.verify(world.jpki.parse(fx.cards['yamada-taro'].signDer), 'sign', NOW);
    const producedAt = new Date(NOW.getTime() - 3 * DAY * 1000);
    const old = answerFromCenter(buildOcspRequest(certIdFor(chain.root.certificate.der, chain.serial), newNonce()),
      await loadState(world.dir), await centerResponders(world.dir), producedAt, 7 * DAY * 1000);
    const forged: OcspStatement = { ...s, ocsp: { ...s.ocsp, response: Buffer.from(old).toString('base64'), producedAt: producedAt.toISOString() } };
    const result = await verifyBundle(resigned(bundle, forged), world.trust);
    expect(result).toMatchObject({ ok: false, code: 'EVIDENCE_REVOCATION_INVALID' });
    expect(result.ok === false && result.detail).toContain('not produced near the timestamp');
  });

  it('npm run evidence -- verify accepts a bundle with an OCSP response', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pension-ocsp-cli-'));
    const file = join(work, 'bundle.json');
    writeFileSync(file, serializeBundle(await sealedBundle()));
    const out = JSON.parse(execFileSync('npx', ['tsx', 'platform/src/cli/evidence.ts', 'verify', file, '--roots', world.dir], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toMatchObject({ ok: true, signedAt: NOW.toISOString() });
  }, 30_000);
});

describe('a responder that answers but cannot decide: the submission waits, as for a late CRL (never refused, never accepted)', () => {
  const HOUR = 3600_000;
  /** The dev center's answer as if its CA had never issued the certificate: a signed, genuine `unknown`. */
  const unknownAnswer = async (request: Uint8Array) => answerFromCenter(request, { ...(await loadState(world.dir)), certificates: [] }, await centerResponders(world.dir), NOW, HOUR);

  it('OCSP unknown, a fresh CRL shows it good: sealed on the CRL, and the bundle verifies offline', async () => {
    oddAnswer = unknownAnswer;
    const outcome = await sealSubmission(await cardSigned(), await sealContext(oddUrl));
    expect(outcome.state).toBe('sealed');
    if (outcome.state !== 'sealed') return;
    expect(outcome.bundle.revocation.statement).toMatchObject({ status: 'good', source: 'crl' });
    expect(await verifyBundle(serializeBundle(outcome.bundle), world.trust)).toMatchObject({ ok: true });
  });

  it('OCSP unknown and no fresh CRL: revocation pending, sealed once a CRL arrives', async () => {
    oddAnswer = unknownAnswer;
    const first = await sealSubmission(await cardSigned(), await sealContext(oddUrl, false));
    expect(first.state).toBe('revocation-pending');
    if (first.state !== 'revocation-pending') return;
    // The responder still cannot say; the CRL that arrived decides.
    const done = await completePending(first.pending, await sealContext(oddUrl, true));
    expect(done.state).toBe('sealed');
    if (done.state !== 'sealed') return;
    expect(await verifyBundle(serializeBundle(done.bundle), world.trust)).toMatchObject({ ok: true });
  });

  it('an unreadable answer (a captive portal page) is the same: pending without a fresh CRL', async () => {
    oddAnswer = async () => '<html>captive portal</html>';
    expect((await sealSubmission(await cardSigned(), await sealContext(oddUrl, false))).state).toBe('revocation-pending');
  });

  it('OCSP unknown and the CRL lists the certificate revoked: PKI_REVOKED from the CRL', async () => {
    oddAnswer = unknownAnswer;
    await expect(sealSubmission(await cardSigned('suzuki-jiro'), await sealContext(oddUrl))).rejects.toMatchObject({ code: 'PKI_REVOKED' });
  });

  it('an answer whose signature does not verify is a forgery to report: PKI_OCSP_SIGNATURE_INVALID, even with a fresh CRL', async () => {
    oddAnswer = async (request) => {
      const der = Buffer.from(answerFromCenter(request, await loadState(world.dir), await centerResponders(world.dir), NOW, HOUR));
      const at = der.indexOf(Buffer.from('20250601010000Z'));
      der[at + 13] = 0x31; // producedAt one second later: the responder's signature no longer covers it
      return der;
    };
    await expect(sealSubmission(await cardSigned(), await sealContext(oddUrl))).rejects.toMatchObject({ code: 'PKI_OCSP_SIGNATURE_INVALID' });
  });
});
