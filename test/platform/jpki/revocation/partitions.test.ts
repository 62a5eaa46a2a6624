import { describe, expect, it } from 'vitest';
import { distributionPointOfExtension, parseCrl, RevocationStore } from '../../../../platform/src/jpki/revocation/index.js';
import { tlv } from '../../../bench/lib/der-writer.js';
import { crlDpExtensionValue, dpKey, dpNameDer, idpExtension } from '../../../bench/lib/distribution-points.js';
import { crl, DAY, testCas, THIS_UPDATE } from './fixtures.js';

const { auth03, trusted } = testCas();
const AT = THIS_UPDATE.getTime() + 3600_000;
const expectCode = (fn: () => unknown, code: string) => expect(fn).toThrow(expect.objectContaining({ code }));
const store = () => new RevocationStore({ issuers: trusted, maxAgeSeconds: 7 * DAY });

const NAKA = dpNameDer('Kanagawa-ken', 'Yokohama-shi-Naka-ku');
const NANTO = dpNameDer('Toyama-ken', 'Nanto-shi');
const NAKA_KEY = dpKey('Kanagawa-ken', 'Yokohama-shi-Naka-ku');
const NANTO_KEY = dpKey('Toyama-ken', 'Nanto-shi');

/** A partition of authca03 for `dpName`, listing `serials`. */
function partition(dpName: Buffer, serials: number[], crlNumber = 1, critical = true): Buffer {
  return crl(auth03, { crlNumber, list: serials.map((serial) => ({ serial })), extraExtensions: [idpExtension(dpName, critical)] });
}

/**
 * cRLDistributionPoints extnValue of a real J-LIS user-authentication certificate (authca02,
 * issued 2023-05-19, public in MynaWallet/monorepo packages/certs/myna_new_cert.pem): only the
 * extension, byte for byte, so no holder data is kept here.
 */
const REAL_JLIS_CRLDP = Buffer.from(
  '3081B03081ADA081AAA081A7A481A43081A1310B3009060355040613024A50310D300B060355040A0C044A504B4931253023060355040B0C1C4A504B4920666F7220757365722061757468656E7469636174696F6E3120301E060355040B0C1743524C20446973747269627574696F6E20506F696E747331153013060355040B0C0C4B616E61676177612D6B656E3123302106035504030C1A596F6B6F68616D612D7368692D4E616B612D6B752043524C4450',
  'hex',
);

describe('distribution points', () => {
  it('reads the DP of a real J-LIS certificate', () => {
    expect(distributionPointOfExtension(REAL_JLIS_CRLDP)).toBe(
      'C=JP, O=JPKI, OU=JPKI for user authentication, OU=CRL Distribution Points, OU=Kanagawa-ken, CN=Yokohama-shi-Naka-ku CRLDP',
    );
    expect(distributionPointOfExtension(REAL_JLIS_CRLDP)).toBe(NAKA_KEY);
    expect(distributionPointOfExtension(crlDpExtensionValue(NAKA))).toBe(NAKA_KEY);
  });

  it('reads the partition a CRL covers from its critical IssuingDistributionPoint', () => {
    expect(parseCrl(partition(NAKA, [1])).distributionPoint).toBe(NAKA_KEY);
    expect(parseCrl(crl(auth03)).distributionPoint).toBeNull();
  });

  it('refuses a partition whose IssuingDistributionPoint is not critical, or names a URI, with PKI_CRL_UNSUPPORTED', () => {
    expectCode(() => parseCrl(partition(NAKA, [1], 1, false)), 'PKI_CRL_UNSUPPORTED');
    const uri = tlv(0xa0, tlv(0xa0, tlv(0x86, Buffer.from('http://crl.example/naka.crl'))));
    const ext = tlv(0x30, tlv(0x06, Buffer.from('551d1c', 'hex')), Buffer.of(0x01, 0x01, 0xff), tlv(0x04, tlv(0x30, uri)));
    expectCode(() => parseCrl(crl(auth03, { extraExtensions: [ext] })), 'PKI_CRL_UNSUPPORTED');
  });
});

describe('RevocationStore with partitioned CRLs', () => {
  it('reads a certificate from the CRL of its own DP, and another DP\'s CRL never changes it', () => {
    const s = store();
    s.ingest('auth', partition(NAKA, [0x0100]));
    expect(s.status('auth', 'authca03', 0x0100, AT, NAKA_KEY)).toMatchObject({ state: 'revoked', crl: { distributionPoint: NAKA_KEY } });
    expect(s.ingest('auth', partition(NANTO, [0x0200])).outcome).toBe('installed');
    expect(s.status('auth', 'authca03', 0x0100, AT, NAKA_KEY)).toMatchObject({ state: 'revoked' });
    expect(s.status('auth', 'authca03', 0x0200, AT, NANTO_KEY)).toMatchObject({ state: 'revoked', crl: { distributionPoint: NANTO_KEY } });
    // The serial revoked in Naka-ku is not listed by Nanto's CRL, which must not answer for Naka-ku.
    expect(s.status('auth', 'authca03', 0x0100, AT, NANTO_KEY)).toMatchObject({ state: 'good', crl: { distributionPoint: NANTO_KEY } });
    expect(s.list().map((c) => c.distributionPoint).sort()).toEqual([NAKA_KEY, NANTO_KEY].sort());
  });

  it('answers unknown (no-crl) for a certificate whose DP has no CRL, and for one without a DP', () => {
    const s = store();
    s.ingest('auth', partition(NAKA, [0x0100]));
    expect(s.status('auth', 'authca03', 0x0300, AT, NANTO_KEY)).toMatchObject({ state: 'unknown', cause: 'no-crl' });
    expect(s.status('auth', 'authca03', 0x0300, AT, null)).toMatchObject({ state: 'unknown', cause: 'no-crl' });
  });

  it('gives each partition its own CRL number sequence', () => {
    const s = store();
    s.ingest('auth', partition(NAKA, [1], 5));
    expect(s.ingest('auth', partition(NANTO, [2], 1)).outcome).toBe('installed');
    expect(s.ingest('auth', partition(NANTO, [2, 3], 2)).outcome).toBe('replaced');
    expectCode(() => s.ingest('auth', partition(NAKA, [1], 4)), 'PKI_CRL_OUTDATED');
    expect(s.crl('auth', 'authca03', NAKA_KEY)?.crlNumber).toBe(5n);
  });

  it('keeps the whole-CA CRL as an option: it answers for every DP, and a listing in either CRL is revoked', () => {
    const s = store();
    s.ingest('auth', crl(auth03, { list: [{ serial: 0x0500 }] }));
    expect(s.status('auth', 'authca03', 0x0500, AT, NANTO_KEY).state).toBe('revoked');
    expect(s.status('auth', 'authca03', 0x0600, AT, NANTO_KEY)).toMatchObject({ state: 'good', crl: { distributionPoint: null } });
    s.ingest('auth', partition(NANTO, [0x0600]));
    expect(s.status('auth', 'authca03', 0x0600, AT, NANTO_KEY).state).toBe('revoked');
    expect(s.status('auth', 'authca03', 0x0500, AT, NANTO_KEY).state).toBe('revoked');
  });

  it('refuses a CRL filed under another DP than the one it names with PKI_CRL_PARTITION_MISMATCH, and keeps what was in use', () => {
    const s = store();
    s.ingest('auth', partition(NANTO, [0x0700]), { filedUnder: NANTO_KEY });
    expectCode(() => s.ingest('auth', partition(NAKA, [], 2), { filedUnder: NANTO_KEY }), 'PKI_CRL_PARTITION_MISMATCH');
    expectCode(() => s.ingest('auth', crl(auth03, { crlNumber: 3 }), { filedUnder: NANTO_KEY }), 'PKI_CRL_PARTITION_MISMATCH');
    expectCode(() => s.ingest('auth', partition(NANTO, [], 4), { filedUnder: null }), 'PKI_CRL_PARTITION_MISMATCH');
    expect(s.status('auth', 'authca03', 0x0700, AT, NANTO_KEY).state).toBe('revoked');
    expect(s.status('auth', 'authca03', 0x0700, AT, NAKA_KEY)).toMatchObject({ state: 'unknown', cause: 'no-crl' });
  });

  it('answers unknown when the DP\'s partition is stale, even while another DP\'s is fresh', () => {
    const s = store();
    s.ingest('auth', partition(NAKA, [1]));
    s.ingest('auth', crl(auth03, { crlNumber: 1, nextUpdate: new Date(THIS_UPDATE.getTime() + 30 * DAY * 1000), thisUpdate: THIS_UPDATE, list: [], extraExtensions: [idpExtension(NANTO)] }));
    const later = THIS_UPDATE.getTime() + 2 * DAY * 1000;
    expect(s.status('auth', 'authca03', 9, later, NAKA_KEY)).toMatchObject({ state: 'unknown', cause: 'crl-expired' });
    expect(s.status('auth', 'authca03', 9, later, NANTO_KEY).state).toBe('good');
  });
});
