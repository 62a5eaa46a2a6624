import { describe, expect, it } from 'vitest';
import {
  decideByCrl, decideRevocation, DEFAULT_REVOCATION_POLICY, parseRevocationPolicy, type OcspResult, type RevocationSources,
} from '../../../../platform/src/jpki/ocsp/index.js';
import type { CrlInfo, RevocationStatus } from '../../../../platform/src/jpki/revocation/index.js';
import { AppError } from '../../../../platform/src/shared/errors.js';

const crl: CrlInfo = {
  purpose: 'sign', generation: 'signca03', issuerKeyId: 'ab', distributionPoint: 'C=JP, CN=Nanto-shi CRLDP', crlNumber: 3n, thisUpdate: new Date('2025-06-01T00:00:00Z'),
  nextUpdate: new Date('2025-06-02T00:00:00Z'), signatureAlgorithm: 'sha256WithRSAEncryption', entryCount: 1, indexBytes: 100, derSha256: '00',
};
const crlGood: RevocationStatus = { state: 'good', crl };
const crlUnknown: RevocationStatus = { state: 'unknown', cause: 'no-crl', crl: null };
const crlRevoked: RevocationStatus = { state: 'revoked', reason: 'keyCompromise', revokedAt: new Date('2025-05-01T00:00:00Z'), invalidityDate: null, crl };
const answer = (state: OcspResult['state']): OcspResult => ({
  state, reason: state === 'revoked' ? 'keyCompromise' : null, revokedAt: state === 'revoked' ? new Date('2025-05-01T00:00:00Z') : null,
  thisUpdate: new Date('2025-06-01T00:00:00Z'), nextUpdate: new Date('2025-06-01T01:00:00Z'), producedAt: new Date('2025-06-01T00:00:00Z'),
  signedBy: 'delegated', responder: 'CN=OCSP Responder', der: Uint8Array.of(0x30, 0), cached: false,
});
const ocsp = (state: OcspResult['state']) => async () => answer(state);
const ocspFails = (code: 'PKI_OCSP_UNAVAILABLE' | 'PKI_OCSP_SIGNATURE_INVALID' | 'PKI_OCSP_STALE' | 'PKI_OCSP_NONCE_MISMATCH') => async (): Promise<OcspResult> => {
  throw new AppError(code);
};
const never = () => {
  throw new Error('must not be asked');
};
const decide = (op: Parameters<typeof decideRevocation>[0], sources: RevocationSources) => decideRevocation(op, DEFAULT_REVOCATION_POLICY, sources);

describe('revocation policy per operation', () => {
  it('pension signature: OCSP answers, its signed response is kept', async () => {
    const d = await decide('pension-signature', { crl: never, ocsp: ocsp('good') });
    expect(d).toMatchObject({ source: 'ocsp', revocationUnknown: false, fallback: null, crl: null });
    expect(d.ocsp?.der).toEqual(Uint8Array.of(0x30, 0));
  });

  it('pension signature: OCSP unreachable falls back to a fresh CRL and says so', async () => {
    const d = await decide('pension-signature', { crl: () => crlGood, ocsp: ocspFails('PKI_OCSP_UNAVAILABLE') });
    expect(d).toMatchObject({ source: 'crl', fallback: 'PKI_OCSP_UNAVAILABLE', crl, ocsp: null });
  });

  it('pension signature: OCSP unreachable and no fresh CRL → PKI_REVOCATION_UNKNOWN', async () => {
    await expect(decide('pension-signature', { crl: () => crlUnknown, ocsp: ocspFails('PKI_OCSP_UNAVAILABLE') }))
      .rejects.toMatchObject({ code: 'PKI_REVOCATION_UNKNOWN', details: { cause: 'no-crl', source: 'crl' } });
  });

  it('pension signature: a wrong OCSP answer is not routed around — its own code', async () => {
    for (const code of ['PKI_OCSP_SIGNATURE_INVALID', 'PKI_OCSP_STALE', 'PKI_OCSP_NONCE_MISMATCH'] as const) {
      await expect(decide('pension-signature', { crl: never, ocsp: ocspFails(code) })).rejects.toMatchObject({ code });
    }
  });

  it('revoked by OCSP → PKI_REVOKED with reason, time and source', async () => {
    await expect(decide('staff-login', { crl: never, ocsp: ocsp('revoked') }))
      .rejects.toMatchObject({ code: 'PKI_REVOKED', details: { reason: 'keyCompromise', revokedAt: '2025-05-01T00:00:00.000Z', source: 'ocsp' } });
  });

  it('OCSP unknown for a staff login → PKI_REVOCATION_UNKNOWN (cause ocsp-unknown)', async () => {
    await expect(decide('staff-login', { crl: never, ocsp: ocsp('unknown') }))
      .rejects.toMatchObject({ code: 'PKI_REVOCATION_UNKNOWN', details: { cause: 'ocsp-unknown', source: 'ocsp' } });
  });

  it('no responder known (a sign certificate has no AIA) → the CRL, fallback no-responder', async () => {
    expect(await decide('pension-signature', { crl: () => crlGood, ocsp: null })).toMatchObject({ source: 'crl', fallback: 'no-responder' });
  });

  it('login uses CRLs only: OCSP is never asked; unknown is refused', async () => {
    expect(await decide('login', { crl: () => crlGood, ocsp: never })).toMatchObject({ source: 'crl', fallback: null, revocationUnknown: false });
    await expect(decide('login', { crl: () => crlUnknown, ocsp: never })).rejects.toMatchObject({ code: 'PKI_REVOCATION_UNKNOWN' });
    await expect(decide('login', { crl: () => crlRevoked, ocsp: never })).rejects.toMatchObject({ code: 'PKI_REVOKED', details: { source: 'crl' } });
  });

  it('shelter check-in: unknown passes and is recorded; revoked is still refused', async () => {
    expect(await decide('shelter-check-in', { crl: () => crlUnknown, ocsp: never })).toMatchObject({ source: 'crl', revocationUnknown: true, cause: 'no-crl' });
    await expect(decide('shelter-check-in', { crl: () => crlRevoked, ocsp: never })).rejects.toMatchObject({ code: 'PKI_REVOKED' });
  });

  it('REVOCATION_POLICY overrides named operations and reports bad entries', () => {
    const problems: string[] = [];
    const policy = parseRevocationPolicy('staff-login=crl/refuse, shelter-check-in = ocsp/accept', problems);
    expect(problems).toEqual([]);
    expect(policy).toEqual({ ...DEFAULT_REVOCATION_POLICY, 'staff-login': { source: 'crl', unknown: 'refuse' }, 'shelter-check-in': { source: 'ocsp', unknown: 'accept' } });
    parseRevocationPolicy('lunch=crl/refuse,login=ocsp', problems);
    expect(problems).toHaveLength(2);
    expect(parseRevocationPolicy('registration=ocsp/refuse', [])).toEqual({ ...DEFAULT_REVOCATION_POLICY, registration: { source: 'ocsp', unknown: 'refuse' } });
    expect(parseRevocationPolicy(undefined, [])).toEqual(DEFAULT_REVOCATION_POLICY);
  });

  it('the defaults are what issue 17 asks', () => {
    expect(DEFAULT_REVOCATION_POLICY).toEqual({
      login: { source: 'crl', unknown: 'refuse' },
      'staff-login': { source: 'ocsp', unknown: 'refuse' },
      'shelter-check-in': { source: 'crl', unknown: 'accept' },
      'pension-signature': { source: 'ocsp', unknown: 'refuse' },
      registration: { source: 'crl', unknown: 'refuse' },
    });
  });

  it('a CRL-only operation is decided synchronously (no promise), an OCSP one is not decided there', () => {
    const d = decideByCrl('login', DEFAULT_REVOCATION_POLICY, () => crlGood);
    expect(d).not.toBeInstanceOf(Promise);
    expect(d).toMatchObject({ operation: 'login', source: 'crl', fallback: null, crl });
    expect(decideByCrl('registration', DEFAULT_REVOCATION_POLICY, () => crlGood)).toMatchObject({ operation: 'registration', source: 'crl' });
    expect(() => decideByCrl('login', DEFAULT_REVOCATION_POLICY, () => crlRevoked)).toThrow(expect.objectContaining({ code: 'PKI_REVOKED', details: expect.objectContaining({ source: 'crl' }) }));
    expect(decideByCrl('staff-login', DEFAULT_REVOCATION_POLICY, never)).toBeNull();
  });
});
