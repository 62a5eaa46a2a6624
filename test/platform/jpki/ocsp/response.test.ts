import { spawnSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  answerFromCenter, buildOcspResponse, issueResponderCertificate, ocspErrorResponse, type OcspSigner, type ResponderStatus,
} from '../../../../platform/src/jpki/dev-center/index.js';
import { buildOcspRequest, certIdFor, newNonce, verifyOcspResponse, type CertIdentity } from '../../../../platform/src/jpki/ocsp/index.js';
import { FIXTURE_TIME } from '../../../helpers/jpki-fixtures.js';
import { ocspWorld } from './world.js';

const HOUR = 3600_000;
const SKEW = 5 * 60_000;
const verify = (der: Uint8Array, issuer: Uint8Array, id: CertIdentity, nonce: Uint8Array, now = FIXTURE_TIME.getTime()) =>
  verifyOcspResponse(der, { issuer, id, nonce, now, skewMs: SKEW, maxAgeMs: 24 * HOUR });
const expectCode = (fn: () => unknown, code: string) => expect(fn).toThrow(expect.objectContaining({ code }));

/** Asks the fixture center's responder about the auth certificate of a card (or a serial). */
async function askCenter(serial: string | ((w: Awaited<ReturnType<typeof ocspWorld>>) => string)) {
  const w = await ocspWorld();
  const id = certIdFor(w.auth03.der, typeof serial === 'string' ? serial : serial(w));
  const nonce = newNonce();
  const der = answerFromCenter(buildOcspRequest(id, nonce), w.state, w.responders, FIXTURE_TIME, HOUR);
  return { w, id, nonce, der };
}

/** A response signed by `signer` about the yamada-taro auth certificate, good unless told. */
async function signedBy(signer: OcspSigner, opts: { status?: ResponderStatus; nonce?: Uint8Array | null; nextUpdate?: Date | null } = {}) {
  const w = await ocspWorld();
  const id = certIdFor(w.auth03.der, w.fixtures.cards['yamada-taro'].auth.serial);
  const nonce = newNonce();
  const der = buildOcspResponse({
    signer, responses: [{ id, status: opts.status ?? { state: 'good' } }], nonce: opts.nonce === undefined ? nonce : opts.nonce,
    producedAt: FIXTURE_TIME, thisUpdate: FIXTURE_TIME, nextUpdate: opts.nextUpdate === undefined ? new Date(FIXTURE_TIME.getTime() + HOUR) : opts.nextUpdate,
  });
  return { w, id, nonce, der };
}

async function responderCert(issuer: { der: Buffer; key: KeyObject }, ocspSigning: boolean) {
  const w = await ocspWorld();
  return issueResponderCertificate({
    issuerCertificate: issuer.der, issuerKey: issuer.key, key: w.otherKey, serial: 0x7f000001,
    subject: [['C', 'JP'], ['O', 'JPKI-TEST'], ['CN', 'Made-up responder']],
    notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z'), ocspSigning,
  });
}

describe('OCSP answers from the dev center, verified', () => {
  it('good: a certificate the CA issued and did not revoke, signed by the delegated responder', async () => {
    const { w, id, nonce, der } = await askCenter((w) => w.fixtures.cards['yamada-taro'].auth.serial);
    const answer = verify(der, w.auth03.der, id, nonce);
    expect(answer).toMatchObject({ state: 'good', reason: null, revokedAt: null, signedBy: 'delegated' });
    expect(answer.responder).toContain('OCSP Responder auth 03');
    expect(answer.thisUpdate).toEqual(FIXTURE_TIME);
    expect(answer.nextUpdate).toEqual(new Date(FIXTURE_TIME.getTime() + HOUR));
    expect(Buffer.from(answer.der).equals(Buffer.from(der))).toBe(true);
  });

  it('revoked: with the reason and the time the center recorded', async () => {
    const { w, id, nonce, der } = await askCenter((w) => w.fixtures.cards['suzuki-jiro'].auth.serial);
    expect(verify(der, w.auth03.der, id, nonce)).toMatchObject({ state: 'revoked', reason: 'certificateHold', revokedAt: new Date('2025-01-15T03:00:00Z') });
  });

  it('unknown: a serial this CA never issued', async () => {
    const { w, id, nonce, der } = await askCenter('7EDCBA98');
    expect(verify(der, w.auth03.der, id, nonce).state).toBe('unknown');
  });

  it('a response the CA signs itself is accepted', async () => {
    const w = await ocspWorld();
    const { id, nonce, der } = await signedBy({ caCertificate: w.auth03.der, certificate: null, key: w.auth03.key });
    expect(verify(der, w.auth03.der, id, nonce)).toMatchObject({ state: 'good', signedBy: 'ca' });
  });

  it('bad signature: a good turned into unknown after signing → PKI_OCSP_SIGNATURE_INVALID', async () => {
    const { w, id, nonce, der } = await askCenter((w) => w.fixtures.cards['yamada-taro'].auth.serial);
    const bytes = Buffer.from(der);
    // The serial INTEGER of the CertID followed by good ([0] IMPLICIT NULL = 80 00).
    const at = bytes.indexOf(Buffer.concat([Buffer.of(0x02, id.serial.length), id.serial, Buffer.of(0x80, 0x00)]));
    expect(at).toBeGreaterThan(0);
    bytes[at + 2 + id.serial.length] = 0x82; // unknown [2]
    expectCode(() => verify(bytes, w.auth03.der, id, nonce), 'PKI_OCSP_SIGNATURE_INVALID');
  });

  it('bad signature on a CA-signed response → PKI_OCSP_SIGNATURE_INVALID', async () => {
    const w = await ocspWorld();
    const { id, nonce, der } = await signedBy({ caCertificate: w.auth03.der, certificate: null, key: w.auth03.key });
    const bytes = Buffer.from(der);
    bytes[bytes.length - 1]! ^= 0x01; // the signature is the last field when no certificate follows
    expectCode(() => verify(bytes, w.auth03.der, id, nonce), 'PKI_OCSP_SIGNATURE_INVALID');
  });

  it('a responder certificate without id-kp-OCSPSigning → PKI_OCSP_RESPONDER_UNAUTHORISED', async () => {
    const w = await ocspWorld();
    const certificate = await responderCert(w.auth03, false);
    const { id, nonce, der } = await signedBy({ caCertificate: w.auth03.der, certificate, key: w.otherKey });
    expectCode(() => verify(der, w.auth03.der, id, nonce), 'PKI_OCSP_RESPONDER_UNAUTHORISED');
  });

  it('a responder certificate from another CA (same DN, other key: generation 02) → PKI_OCSP_RESPONDER_UNAUTHORISED', async () => {
    const w = await ocspWorld();
    const certificate = await responderCert(w.auth02, true);
    const { id, nonce, der } = await signedBy({ caCertificate: w.auth02.der, certificate, key: w.otherKey });
    expectCode(() => verify(der, w.auth03.der, id, nonce), 'PKI_OCSP_RESPONDER_UNAUTHORISED');
  });

  it('a responder with the EKU, from the right CA, made up by a test, is accepted (the check is not by name)', async () => {
    const w = await ocspWorld();
    const certificate = await responderCert(w.auth03, true);
    const { id, nonce, der } = await signedBy({ caCertificate: w.auth03.der, certificate, key: w.otherKey });
    expect(verify(der, w.auth03.der, id, nonce)).toMatchObject({ state: 'good', signedBy: 'delegated' });
  });

  it('nonce mismatch: another nonce, or none → PKI_OCSP_NONCE_MISMATCH', async () => {
    const { w, id, der } = await askCenter((w) => w.fixtures.cards['yamada-taro'].auth.serial);
    expectCode(() => verify(der, w.auth03.der, id, newNonce()), 'PKI_OCSP_NONCE_MISMATCH');
    const none = await signedBy(w.signer03, { nonce: null });
    expectCode(() => verify(none.der, w.auth03.der, none.id, none.nonce), 'PKI_OCSP_NONCE_MISMATCH');
  });

  it('stale: past nextUpdate (beyond the skew), thisUpdate ahead of now, or old without nextUpdate → PKI_OCSP_STALE', async () => {
    const { w, id, nonce, der } = await askCenter((w) => w.fixtures.cards['yamada-taro'].auth.serial);
    const t = FIXTURE_TIME.getTime();
    expect(verify(der, w.auth03.der, id, nonce, t + HOUR + SKEW).state).toBe('good');
    expectCode(() => verify(der, w.auth03.der, id, nonce, t + HOUR + SKEW + 1000), 'PKI_OCSP_STALE');
    expect(verify(der, w.auth03.der, id, nonce, t - SKEW).state).toBe('good');
    expectCode(() => verify(der, w.auth03.der, id, nonce, t - SKEW - 1000), 'PKI_OCSP_STALE');
    const open = await signedBy(w.signer03, { nextUpdate: null });
    expectCode(() => verify(open.der, w.auth03.der, open.id, open.nonce, t + 25 * HOUR), 'PKI_OCSP_STALE');
  });

  it('unsuccessful statuses: tryLater/internalError → PKI_OCSP_UNAVAILABLE; unauthorized/malformedRequest → PKI_OCSP_REFUSED; garbage → PKI_OCSP_MALFORMED', async () => {
    const { w, id, nonce } = await askCenter('01');
    expectCode(() => verify(ocspErrorResponse(3), w.auth03.der, id, nonce), 'PKI_OCSP_UNAVAILABLE');
    expectCode(() => verify(ocspErrorResponse(2), w.auth03.der, id, nonce), 'PKI_OCSP_UNAVAILABLE');
    expectCode(() => verify(ocspErrorResponse(6), w.auth03.der, id, nonce), 'PKI_OCSP_REFUSED');
    expectCode(() => verify(ocspErrorResponse(1), w.auth03.der, id, nonce), 'PKI_OCSP_REFUSED');
    expectCode(() => verify(Uint8Array.of(0x30, 0x03, 0x0a, 0x01), w.auth03.der, id, nonce), 'PKI_OCSP_MALFORMED');
  });

  it('an answer about another certificate → PKI_OCSP_MALFORMED', async () => {
    const { w, nonce, der } = await askCenter((w) => w.fixtures.cards['yamada-taro'].auth.serial);
    const other = certIdFor(w.auth03.der, w.fixtures.cards['yamada-hanako'].auth.serial);
    expectCode(() => verify(der, w.auth03.der, other, nonce), 'PKI_OCSP_MALFORMED');
  });

  it('the center refuses a CA it does not run (unauthorized) and an unreadable request (malformedRequest)', async () => {
    const w = await ocspWorld();
    const id = certIdFor(w.auth03.der, '01');
    const foreign = { ...id, issuerKeyHash: new Uint8Array(20), key: `${id.key.split(':')[0]}:${'00'.repeat(20)}:01` };
    const nonce = newNonce();
    expectCode(() => verify(answerFromCenter(buildOcspRequest(foreign, nonce), w.state, w.responders, FIXTURE_TIME, HOUR), w.auth03.der, id, nonce), 'PKI_OCSP_REFUSED');
    expectCode(() => verify(answerFromCenter(Uint8Array.of(1, 2, 3), w.state, w.responders, FIXTURE_TIME, HOUR), w.auth03.der, id, nonce), 'PKI_OCSP_REFUSED');
  });

  it('OpenSSL verifies the dev responder\'s answers too (delegated signer, EKU, chain to the CA)', async () => {
    const { w, der } = await askCenter((w) => w.fixtures.cards['suzuki-jiro'].auth.serial);
    const dir = mkdtempSync(join(tmpdir(), 'ocsp-openssl-'));
    try {
      writeFileSync(join(dir, 'resp.der'), der);
      writeFileSync(join(dir, 'ca.der'), w.auth03.der);
      const ca = spawnSync('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'ca.der'), '-out', join(dir, 'ca.pem')]);
      expect(ca.status).toBe(0);
      const r = spawnSync('openssl', ['ocsp', '-respin', join(dir, 'resp.der'), '-CAfile', join(dir, 'ca.pem'), '-resp_text'], { encoding: 'utf8' });
      expect(r.stderr).toContain('Response verify OK');
      expect(r.stdout).toContain('Cert Status: revoked');
      expect(r.stdout).toContain('Revocation Reason: certificateHold');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
