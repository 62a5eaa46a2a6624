import { describe, expect, it } from 'vitest';
import { acceptUnknown, requireGood, type CrlInfo, type RevocationStatus } from '../../../../platform/src/jpki/revocation/index.js';
import { toWire } from '../../../../platform/src/shared/errors.js';

const crl: CrlInfo = {
  purpose: 'auth', generation: 'authca03', issuerKeyId: 'ab', distributionPoint: null, crlNumber: 7n, thisUpdate: new Date('2025-06-01T00:00:00Z'),
  nextUpdate: new Date('2025-06-02T00:00:00Z'), signatureAlgorithm: 'sha256WithRSAEncryption', entryCount: 1, indexBytes: 100,
};
const good: RevocationStatus = { state: 'good', crl };
const revoked: RevocationStatus = { state: 'revoked', reason: 'keyCompromise', revokedAt: new Date('2025-05-01T00:00:00Z'), invalidityDate: null, crl };
const unknown: RevocationStatus = { state: 'unknown', cause: 'crl-expired', crl };

describe('requireGood (login, signing)', () => {
  it('passes a good status', () => {
    expect(requireGood(good)).toBe(good);
  });

  it('refuses revoked with PKI_REVOKED, reason and date in details', () => {
    expect(() => requireGood(revoked)).toThrow(expect.objectContaining({ code: 'PKI_REVOKED', details: { reason: 'keyCompromise', revokedAt: '2025-05-01T00:00:00.000Z' } }));
  });

  it('refuses unknown with PKI_REVOCATION_UNKNOWN and the cause', () => {
    expect(() => requireGood(unknown)).toThrow(expect.objectContaining({ code: 'PKI_REVOCATION_UNKNOWN', details: { cause: 'crl-expired' } }));
    let wire;
    try {
      requireGood({ state: 'unknown', cause: 'no-crl', crl: null });
    } catch (e) {
      wire = toWire(e as never);
    }
    expect(wire).toMatchObject({ code: 'PKI_REVOCATION_UNKNOWN', details: { cause: 'no-crl' } });
  });
});

describe('acceptUnknown (shelter check-in)', () => {
  it('passes good without a flag and unknown with one', () => {
    expect(acceptUnknown(good)).toEqual({ revocationUnknown: false, cause: null, crl });
    expect(acceptUnknown(unknown)).toEqual({ revocationUnknown: true, cause: 'crl-expired', crl });
    expect(acceptUnknown({ state: 'unknown', cause: 'no-crl', crl: null })).toEqual({ revocationUnknown: true, cause: 'no-crl', crl: null });
  });

  it('still refuses revoked with PKI_REVOKED', () => {
    expect(() => acceptUnknown(revoked)).toThrow(expect.objectContaining({ code: 'PKI_REVOKED' }));
  });
});
