import { verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCrl } from '../../../../platform/src/jpki/revocation/index.js';
import { bool, extension, integer, oid, seq, tlv } from '../../../bench/lib/der-writer.js';
import { serialAt } from '../../../bench/lib/crl-writer.js';
import { jpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import { crl, DAY, NEXT_UPDATE, opensslEntries, testCas, THIS_UPDATE } from './fixtures.js';

const { auth03 } = testCas();
const REASONS = [null, 0, 1, 2, 3, 4, 5, 6, 9, 10] as const;

const expectCode = (fn: () => unknown, code: string) => expect(fn).toThrow(expect.objectContaining({ code }));

describe('parseCrl', () => {
  it('reads the dev JPKI center CRLs as openssl does', async () => {
    const { crls, center } = await jpkiFixtures();
    let listed = 0;
    for (const purpose of ['sign', 'auth'] as const) {
      for (const [generation, der] of Object.entries(crls[purpose])) {
        const parsed = parseCrl(der);
        const root = center.roots[purpose].find((r) => r.generation === generation)!;
        expect(parsed.authorityKeyId).toBe(root.keyId.toLowerCase());
        expect(parsed.signatureAlgorithm.name).toBe('sha256WithRSAEncryption');
        expect(verify('sha256', parsed.tbs, new X509Certificate(root.der).publicKey, parsed.signature)).toBe(true);
        const theirs = opensslEntries(der);
        expect(parsed.entries.count).toBe(theirs.length);
        theirs.forEach((e, i) => {
          const ours = parsed.entries.get(i);
          expect(ours.serial).toBe(e.serial);
          // The dev center leaves reasonCode out for `unspecified` (RFC 5280 §5.3.1).
          expect(ours.reason).toBe(e.reason);
        });
        listed += theirs.length;
      }
    }
    expect(listed).toBeGreaterThan(0);
  });

  it('agrees with openssl on every entry of a 3,000-entry CRL', () => {
    const der = crl(auth03, {
      count: 3000,
      entry: (i, out) => {
        out.serial = i % 500 === 3 ? (1n << 150n) + BigInt(i) : i % 700 === 5 ? 0x1_0000_0000 + i : serialAt(i);
        out.revokedAt = THIS_UPDATE.getTime() / 1000 - i * 60;
        out.reason = REASONS[i % REASONS.length]!;
        out.invalidityDate = i % 10 === 0 ? out.revokedAt - DAY : null;
      },
    });
    const parsed = parseCrl(der);
    const theirs = opensslEntries(der);
    expect(parsed.entries.count).toBe(3000);
    expect(theirs).toHaveLength(3000);
    theirs.forEach((e, i) => {
      const ours = parsed.entries.get(i);
      expect(ours.serial).toBe(e.serial);
      expect(ours.reason).toBe(e.reason);
      expect(ours.revokedAt.getTime()).toBe(THIS_UPDATE.getTime() - i * 60_000);
      expect(ours.invalidityDate?.getTime() ?? null).toBe(i % 10 === 0 ? THIS_UPDATE.getTime() - i * 60_000 - DAY * 1000 : null);
    });
  });

  it('extracts issuer, dates, CRL number, AKI, algorithm, TBS bytes and signature', () => {
    const der = crl(auth03, { crlNumber: 2n ** 100n, list: [{ serial: 0x018c453e, reason: 1 }] });
    const parsed = parseCrl(der);
    expect(parsed.issuerDer.equals(auth03.subjectDer)).toBe(true);
    expect(parsed.thisUpdate).toEqual(THIS_UPDATE);
    expect(parsed.nextUpdate).toEqual(NEXT_UPDATE);
    expect(parsed.crlNumber).toBe(2n ** 100n);
    expect(parsed.authorityKeyId).toBe(auth03.skiHex);
    expect(parsed.signatureAlgorithm).toMatchObject({ name: 'sha256WithRSAEncryption', hash: 'sha256' });
    expect(der.indexOf(parsed.tbs)).toBe(4);
    expect(parsed.signature).toHaveLength(256);
    expect(verify('sha256', parsed.tbs, auth03.publicKey, parsed.signature)).toBe(true);
    expect(parsed.entries.get(0)).toEqual({ serial: '018C453E', revokedAt: new Date(THIS_UPDATE.getTime() - DAY * 1000), reason: 'keyCompromise', invalidityDate: null });
  });

  it('reads GeneralizedTime dates (2050 and later) and a CRL without nextUpdate or entries', () => {
    const later = crl(auth03, { thisUpdate: new Date('2051-02-28T23:59:59Z'), nextUpdate: new Date('2052-02-29T12:00:00Z'), list: [{ revokedAt: Date.parse('2050-12-31T00:00:00Z') / 1000 }] });
    const parsed = parseCrl(later);
    expect(parsed.thisUpdate.toISOString()).toBe('2051-02-28T23:59:59.000Z');
    expect(parsed.nextUpdate?.toISOString()).toBe('2052-02-29T12:00:00.000Z');
    expect(parsed.entries.get(0).revokedAt.toISOString()).toBe('2050-12-31T00:00:00.000Z');
    const empty = parseCrl(crl(auth03, { nextUpdate: null, crlNumber: null }));
    expect(empty).toMatchObject({ nextUpdate: null, crlNumber: null });
    expect(empty.entries.count).toBe(0);
  });

  it('accepts SHA-384 and SHA-512 and refuses SHA-1 with PKI_WEAK_ALGORITHM', () => {
    expect(parseCrl(crl(auth03, { hash: 'sha384' })).signatureAlgorithm.hash).toBe('sha384');
    expect(parseCrl(crl(auth03, { hash: 'sha512' })).signatureAlgorithm.hash).toBe('sha512');
    expectCode(() => parseCrl(crl(auth03, { hash: 'sha1' })), 'PKI_WEAK_ALGORITHM');
    expectCode(() => parseCrl(crl(auth03, { signatureOid: '1.2.840.113549.1.1.4' })), 'PKI_WEAK_ALGORITHM');
  });

  it('refuses an unknown algorithm, delta CRLs, a partition not named by one DirName, and indirect CRLs with PKI_CRL_UNSUPPORTED', () => {
    expectCode(() => parseCrl(crl(auth03, { signatureOid: '1.2.840.113549.1.1.10' })), 'PKI_CRL_UNSUPPORTED');
    expectCode(() => parseCrl(crl(auth03, { extraExtensions: [extension('2.5.29.27', integer(1), true)] })), 'PKI_CRL_UNSUPPORTED');
    const partitioned = seq(tlv(0xa0, tlv(0xa0, Buffer.from('3000', 'hex'))));
    expectCode(() => parseCrl(crl(auth03, { extraExtensions: [extension('2.5.29.28', partitioned, true)] })), 'PKI_CRL_UNSUPPORTED');
    expectCode(() => parseCrl(crl(auth03, { extraExtensions: [extension('1.2.3.4', seq(), true)] })), 'PKI_CRL_UNSUPPORTED');
    expectCode(() => parseCrl(crl(auth03, { list: [{}], entryExtensions: () => [extension('2.5.29.29', seq(), true)] })), 'PKI_CRL_UNSUPPORTED');
    expectCode(() => parseCrl(crl(auth03, { list: [{}], entryExtensions: () => [extension('1.2.3.4', seq(), true)] })), 'PKI_CRL_UNSUPPORTED');
  });

  it('accepts onlyContainsUserCerts and ignores unknown non-critical extensions', () => {
    const userOnly = seq(Buffer.of(0x81, 0x01, 0xff));
    const parsed = parseCrl(crl(auth03, { list: [{}], extraExtensions: [extension('2.5.29.28', userOnly, true), extension('1.2.3.4', bool(true))], entryExtensions: () => [extension('1.2.3.5', seq())] }));
    expect(parsed.onlyUserCerts).toBe(true);
    expect(parsed.entries.count).toBe(1);
  });

  describe('refuses malformed DER with PKI_MALFORMED', () => {
    const der = crl(auth03, { list: Array.from({ length: 40 }, (_, i) => ({ serial: serialAt(i), reason: i % 3 ? 1 : null, invalidityDate: i === 7 ? 1_700_000_000 : null })) });

    it('when truncated anywhere', () => {
      const cuts = [0, 1, 2, 3, 4, 10, 100, 200, 500, 1000, der.length - 300, der.length - 257, der.length - 1];
      for (let cut = 5; cut < der.length; cut += 97) cuts.push(cut);
      for (const cut of cuts) expectCode(() => parseCrl(der.subarray(0, cut)), 'PKI_MALFORMED');
    });

    it('with trailing bytes, a bad outer length or an indefinite length', () => {
      expectCode(() => parseCrl(Buffer.concat([der, Buffer.of(0)])), 'PKI_MALFORMED');
      const longer = Buffer.from(der);
      longer.writeUInt16BE(der.readUInt16BE(2) + 1, 2);
      expectCode(() => parseCrl(longer), 'PKI_MALFORMED');
      const indefinite = Buffer.from(der);
      indefinite[1] = 0x80;
      expectCode(() => parseCrl(indefinite), 'PKI_MALFORMED');
      expectCode(() => parseCrl(Buffer.alloc(0)), 'PKI_MALFORMED');
      expectCode(() => parseCrl('not a buffer' as unknown as Buffer), 'PKI_MALFORMED');
    });

    it('with a non-minimal length or serial', () => {
      const nonMinimal = Buffer.concat([Buffer.of(0x30, 0x83, 0x00), der.subarray(2)]);
      expectCode(() => parseCrl(nonMinimal), 'PKI_MALFORMED');
      expectCode(() => parseCrl(crl(auth03, { list: [{ serial: Buffer.of(0x00, 0x01) }] })), 'PKI_MALFORMED');
      expectCode(() => parseCrl(crl(auth03, { list: [{ serial: Buffer.alloc(0) }] })), 'PKI_MALFORMED');
    });

    it('with an invalid reason, time or algorithm pair', () => {
      expectCode(() => parseCrl(crl(auth03, { list: [{ reason: 7 }] })), 'PKI_MALFORMED');
      expectCode(() => parseCrl(crl(auth03, { list: [{ reason: 8 }] })), 'PKI_MALFORMED');
      expectCode(() => parseCrl(crl(auth03, { list: [{ reason: 11 }] })), 'PKI_MALFORMED');
      const badMonth = Buffer.from(der);
      const t = badMonth.indexOf(Buffer.from('250601000000Z', 'latin1'));
      badMonth.write('13', t + 2, 'latin1');
      expectCode(() => parseCrl(badMonth), 'PKI_MALFORMED');
      const noZ = Buffer.from(der);
      noZ[t + 12] = 0x30;
      expectCode(() => parseCrl(noZ), 'PKI_MALFORMED');
      // Outer signatureAlgorithm differs from TBSCertList.signature (sha256 inside, sha384 outside).
      const swapped = Buffer.from(der);
      const alg = oid('1.2.840.113549.1.1.11');
      swapped[swapped.lastIndexOf(alg) + alg.length - 1] = 0x0c;
      expectCode(() => parseCrl(swapped), 'PKI_MALFORMED');
    });

    it('with a signature BIT STRING that has unused bits', () => {
      const bits = Buffer.from(der);
      bits[der.length - 257] = 1;
      expectCode(() => parseCrl(bits), 'PKI_MALFORMED');
    });
  });
});
