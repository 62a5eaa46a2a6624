import { beforeAll, describe, expect, it } from 'vitest';
import { buildPartitionedCrls } from '../../../../platform/src/jpki/dev-center/index.js';
import { distributionPointOf, issuerFromCertificate, parseCrl, RevocationStore } from '../../../../platform/src/jpki/revocation/index.js';
import { parseCertificate } from '../../../../platform/src/jpki/verify/index.js';
import { copyJpkiCenter, FIXTURE_TIME, jpkiFixtures, type JpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import { openssl } from './inspect.js';

let fx: JpkiFixtures;
beforeAll(async () => {
  fx = await jpkiFixtures();
});

const dpOf = (der: Buffer) => distributionPointOf(parseCertificate(der));
const NAKA = 'C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=CRL Distribution Points, OU=Kanagawa-ken, CN=Yokohama-shi-Naka-ku CRLDP';
const NANTO = 'C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=CRL Distribution Points, OU=Toyama-ken, CN=Nanto-shi CRLDP';

describe('buildPartitionedCrls', () => {
  it('publishes one CRL per DP of the generation, each with a critical IDP naming exactly the DP its certificates carry', async () => {
    const dir = await copyJpkiCenter();
    const crls = await buildPartitionedCrls(dir, { which: 'auth', generation: '03', thisUpdate: FIXTURE_TIME });
    const dps = crls.map((c) => c.distributionPoint);
    expect(dps).toContain(NAKA);
    expect(dps).toContain(NANTO);
    expect(new Set(dps).size).toBe(dps.length);
    expect(dpOf(fx.cards['suzuki-jiro'].authDer)).toBe(NAKA);
    expect(dpOf(fx.cards['yamada-taro'].authDer)).toBe(NANTO);
    for (const c of crls) expect(parseCrl(c.der).distributionPoint).toBe(c.distributionPoint);
    const naka = crls.find((c) => c.distributionPoint === NAKA)!;
    expect(naka.serials).toEqual([fx.cards['suzuki-jiro'].auth.serial]);
    expect(crls.find((c) => c.distributionPoint === NANTO)!.serials).toEqual([]);
    const text = openssl(['crl', '-inform', 'DER', '-noout', '-text'], naka.der);
    expect(text).toMatch(/X509v3 Issuing Distribution Point: critical/);
    expect(text).toContain('OU = Kanagawa-ken, CN = Yokohama-shi-Naka-ku CRLDP');
  });

  it('numbers each partition on its own sequence', async () => {
    const dir = await copyJpkiCenter();
    const first = await buildPartitionedCrls(dir, { which: 'auth', generation: '03', thisUpdate: FIXTURE_TIME });
    const second = await buildPartitionedCrls(dir, { which: 'auth', generation: '03', thisUpdate: new Date(FIXTURE_TIME.getTime() + 3600_000) });
    expect(first.every((c) => c.crlNumber === 1)).toBe(true);
    expect(second.every((c) => c.crlNumber === 2)).toBe(true);
  });

  it('feeds a store that reads each fixture card from its own DP', async () => {
    const dir = await copyJpkiCenter();
    const issuers = fx.center.roots.auth.map((r) => issuerFromCertificate(r.der, 'auth', r.generation));
    const store = new RevocationStore({ issuers, maxAgeSeconds: 7 * 86_400 });
    const crls = await buildPartitionedCrls(dir, { which: 'auth', generation: '03', thisUpdate: FIXTURE_TIME });
    // Nanto-shi first: Yokohama's revoked card stays unknown until its own DP's CRL arrives.
    for (const c of crls.filter((c) => c.distributionPoint !== NAKA)) store.ingest('auth', c.der, { filedUnder: c.distributionPoint });
    const suzuki = fx.cards['suzuki-jiro'];
    const taro = fx.cards['yamada-taro'];
    expect(store.status('auth', '03', suzuki.auth.serial, FIXTURE_TIME, dpOf(suzuki.authDer))).toMatchObject({ state: 'unknown', cause: 'no-crl' });
    expect(store.status('auth', '03', taro.auth.serial, FIXTURE_TIME, dpOf(taro.authDer)).state).toBe('good');
    store.ingest('auth', crls.find((c) => c.distributionPoint === NAKA)!.der, { filedUnder: NAKA });
    expect(store.status('auth', '03', suzuki.auth.serial, FIXTURE_TIME, dpOf(suzuki.authDer))).toMatchObject({ state: 'revoked', reason: 'certificateHold' });
  });
});
