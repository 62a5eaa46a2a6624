import { describe, expect, it } from 'vitest';
import { CRL_REASONS, issuerFromCertificate, RevocationStore } from '../../../../platform/src/jpki/revocation/index.js';
import { serialAt } from '../../../bench/lib/crl-writer.js';
import { FIXTURE_TIME, jpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import { crl, DAY, NEXT_UPDATE, testCas, THIS_UPDATE } from './fixtures.js';

const { auth02, auth03, sign03, trusted } = testCas();
const AT = THIS_UPDATE.getTime() + 3600_000;
const expectCode = (fn: () => unknown, code: string) => expect(fn).toThrow(expect.objectContaining({ code }));
const store = (maxAgeSeconds = 7 * DAY) => new RevocationStore({ issuers: trusted, maxAgeSeconds });

describe('RevocationStore.status', () => {
  const revokedAt = THIS_UPDATE.getTime() / 1000 - DAY;
  const s = store();
  s.ingest('auth', crl(auth03, { list: [{ serial: 0x018c453e, reason: 1, revokedAt, invalidityDate: revokedAt - DAY }, { serial: 0x06bfc341 }, { serial: 0x0705d990, reason: 6 }] }));

  it('answers revoked with reason, revocation date and invalidity date', () => {
    expect(s.status('auth', 'authca03', 0x018c453e, AT)).toMatchObject({
      state: 'revoked',
      reason: 'keyCompromise',
      revokedAt: new Date(revokedAt * 1000),
      invalidityDate: new Date((revokedAt - DAY) * 1000),
      crl: { generation: 'authca03', crlNumber: 1n, entryCount: 3 },
    });
    expect(s.status('auth', 'authca03', '06BFC341', AT)).toMatchObject({ state: 'revoked', reason: null });
    expect(s.status('auth', 'authca03', 0x0705d990, AT)).toMatchObject({ state: 'revoked', reason: 'certificateHold' });
  });

  it('answers good for a serial the CRL does not list', () => {
    expect(s.status('auth', 'authca03', 0x018c453f, AT)).toMatchObject({ state: 'good', crl: { generation: 'authca03' } });
  });

  it('names the issuer by generation or by key identifier (the leaf AKI), in any case and with colons', () => {
    const colons = auth03.skiHex.toUpperCase().match(/../g)!.join(':');
    for (const issuer of ['authca03', auth03.skiHex, colons]) expect(s.status('auth', issuer, 0x018c453e, AT).state).toBe('revoked');
  });

  it('answers unknown for an unknown issuer, a CA without a CRL, or the other purpose', () => {
    expect(s.status('auth', 'authca09', 1, AT)).toMatchObject({ state: 'unknown', cause: 'unknown-issuer' });
    expect(s.status('auth', 'authca02', 1, AT)).toMatchObject({ state: 'unknown', cause: 'no-crl' });
    expect(s.status('sign', 'authca03', 1, AT)).toMatchObject({ state: 'unknown', cause: 'unknown-issuer' });
    expect(s.status('sign', 'signca03', 1, AT)).toMatchObject({ state: 'unknown', cause: 'no-crl' });
  });

  it('answers unknown once nextUpdate has passed, for listed and unlisted serials alike', () => {
    const after = NEXT_UPDATE.getTime() + 1;
    expect(s.status('auth', 'authca03', 0x018c453e, NEXT_UPDATE).state).toBe('revoked');
    expect(s.status('auth', 'authca03', 0x018c453e, after)).toMatchObject({ state: 'unknown', cause: 'crl-expired' });
    expect(s.status('auth', 'authca03', 5, new Date(after))).toMatchObject({ state: 'unknown', cause: 'crl-expired' });
  });

  it('answers unknown when the CRL is older than the configured maximum age', () => {
    const young = store(3600);
    young.ingest('auth', crl(auth03, { nextUpdate: new Date(THIS_UPDATE.getTime() + 30 * DAY * 1000) }));
    expect(young.status('auth', 'authca03', 5, THIS_UPDATE.getTime() + 3600_000).state).toBe('good');
    expect(young.status('auth', 'authca03', 5, THIS_UPDATE.getTime() + 3600_001)).toMatchObject({ state: 'unknown', cause: 'crl-too-old' });
    const noNext = store(3600);
    noNext.ingest('auth', crl(auth03, { nextUpdate: null }));
    expect(noNext.status('auth', 'authca03', 5, THIS_UPDATE.getTime() + 7200_000)).toMatchObject({ state: 'unknown', cause: 'crl-too-old' });
  });
});

describe('RevocationStore.ingest', () => {
  it('keeps one index per purpose and CA generation', () => {
    const s = store();
    expect(s.ingest('auth', crl(auth02, { list: [{ serial: 1 }] })).outcome).toBe('installed');
    expect(s.ingest('auth', crl(auth03, { list: [{ serial: 2 }] })).outcome).toBe('installed');
    expect(s.ingest('sign', crl(sign03, { list: [{ serial: 3 }] })).outcome).toBe('installed');
    expect(s.status('auth', 'authca02', 1, AT).state).toBe('revoked');
    expect(s.status('auth', 'authca02', 2, AT).state).toBe('good');
    expect(s.status('auth', 'authca03', 2, AT).state).toBe('revoked');
    expect(s.status('sign', 'signca03', 3, AT).state).toBe('revoked');
    expect(s.list().map((c) => c.generation).sort()).toEqual(['authca02', 'authca03', 'signca03']);
  });

  it('replaces the index with a newer CRL number, and refuses an older one with PKI_CRL_OUTDATED', () => {
    const s = store();
    s.ingest('auth', crl(auth03, { crlNumber: 5, list: [{ serial: 1 }] }));
    const newer = s.ingest('auth', crl(auth03, { crlNumber: 6, thisUpdate: new Date(THIS_UPDATE.getTime() + 1000), list: [{ serial: 2 }] }));
    expect(newer).toMatchObject({ outcome: 'replaced', crl: { crlNumber: 6n }, previous: { crlNumber: 5n } });
    expect(s.status('auth', 'authca03', 1, AT).state).toBe('good');
    expect(s.status('auth', 'authca03', 2, AT).state).toBe('revoked');
    expectCode(() => s.ingest('auth', crl(auth03, { crlNumber: 5, list: [{ serial: 1 }] })), 'PKI_CRL_OUTDATED');
    // A higher number with an earlier thisUpdate is not trusted either.
    expectCode(() => s.ingest('auth', crl(auth03, { crlNumber: 7, thisUpdate: THIS_UPDATE })), 'PKI_CRL_OUTDATED');
    expect(s.status('auth', 'authca03', 2, AT).state).toBe('revoked');
  });

  it('treats the same CRL again as unchanged, and the same number with other content as outdated', () => {
    const s = store();
    const der = crl(auth03, { crlNumber: 5, list: [{ serial: 1 }] });
    s.ingest('auth', der);
    expect(s.ingest('auth', Buffer.from(der)).outcome).toBe('unchanged');
    expectCode(() => s.ingest('auth', crl(auth03, { crlNumber: 5, list: [{ serial: 2 }] })), 'PKI_CRL_OUTDATED');
  });

  it('orders CRLs without a CRL number by thisUpdate', () => {
    const s = store();
    s.ingest('auth', crl(auth03, { crlNumber: null, list: [{ serial: 1 }] }));
    expectCode(() => s.ingest('auth', crl(auth03, { crlNumber: null, thisUpdate: new Date(THIS_UPDATE.getTime() - 1000) })), 'PKI_CRL_OUTDATED');
    expect(s.ingest('auth', crl(auth03, { crlNumber: null, thisUpdate: new Date(THIS_UPDATE.getTime() + 1000) })).outcome).toBe('replaced');
  });

  it('leaves the CRL in use untouched when a newer one is refused', () => {
    const s = store();
    s.ingest('auth', crl(auth03, { crlNumber: 1, list: [{ serial: 1 }] }));
    const tampered = crl(auth03, { crlNumber: 2, list: [{ serial: 1 }] });
    tampered[tampered.length - 1]! ^= 0xff;
    expectCode(() => s.ingest('auth', tampered), 'PKI_SIGNATURE_INVALID');
    expectCode(() => s.ingest('auth', crl(auth03, { crlNumber: 2 }).subarray(0, 300)), 'PKI_MALFORMED');
    expectCode(() => s.ingest('sign', crl(auth03, { crlNumber: 2 })), 'PKI_UNTRUSTED_ISSUER');
    expect(s.status('auth', 'authca03', 1, AT)).toMatchObject({ state: 'revoked', crl: { crlNumber: 1n } });
  });

  it('round-trips a 100,000-entry CRL', () => {
    const s = store();
    const reasons = [null, 0, 1, 3, 4, 5, 6, 9] as const;
    const { crl: info } = s.ingest('auth', crl(auth03, { count: 100_000, entry: (i, out) => {
      out.serial = serialAt(i);
      out.revokedAt = THIS_UPDATE.getTime() / 1000 - i;
      out.reason = reasons[i % 8]!;
    } }));
    expect(info.entryCount).toBe(100_000);
    for (let i = 0; i < 100_000; i++) {
      const st = s.status('auth', 'authca03', serialAt(i), AT);
      if (st.state !== 'revoked') throw new Error(`entry ${i} is ${st.state}`);
      const reason = reasons[i % 8]!;
      if (st.reason !== (reason === null ? null : CRL_REASONS[reason])) throw new Error(`entry ${i} has reason ${st.reason}`);
      if (st.revokedAt.getTime() !== THIS_UPDATE.getTime() - i * 1000) throw new Error(`entry ${i} has date ${st.revokedAt.toISOString()}`);
    }
    for (let i = 100_000; i < 200_000; i++) if (s.status('auth', 'authca03', serialAt(i), AT).state !== 'good') throw new Error(`serial ${serialAt(i)} is not good`);
  });

  it('reads the dev JPKI center CRLs: revoked and good fixture cards', async () => {
    const { center, crls, cards } = await jpkiFixtures();
    const issuers = (['sign', 'auth'] as const).flatMap((p) => center.roots[p].map((r) => issuerFromCertificate(r.der, p, r.generation)));
    const s = new RevocationStore({ issuers, maxAgeSeconds: 7 * DAY });
    for (const purpose of ['sign', 'auth'] as const) for (const der of Object.values(crls[purpose])) s.ingest(purpose, der);
    const suzuki = cards['suzuki-jiro'];
    expect(s.status('sign', suzuki.sign.issuerKeyId, suzuki.sign.serial, FIXTURE_TIME)).toMatchObject({ state: 'revoked', reason: 'keyCompromise' });
    expect(s.status('auth', suzuki.auth.generation, suzuki.auth.serial, FIXTURE_TIME)).toMatchObject({ state: 'revoked', reason: 'certificateHold' });
    const sato = cards['sato-ichiro'];
    expect(s.status('auth', sato.auth.issuerKeyId, sato.auth.serial, FIXTURE_TIME)).toMatchObject({ state: 'good', crl: { generation: sato.auth.generation } });
    const old = cards['takahashi-saburo'];
    expect(s.status('sign', old.sign.issuerKeyId, old.sign.serial, FIXTURE_TIME)).toMatchObject({ state: 'revoked', reason: 'superseded' });
  });
});

describe('RevocationStore configuration', () => {
  it('refuses a missing or non-positive maximum age and two CAs with one label, with CONFIG_INVALID', () => {
    expectCode(() => new RevocationStore({ issuers: trusted, maxAgeSeconds: 0 }), 'CONFIG_INVALID');
    expectCode(() => new RevocationStore({ issuers: trusted, maxAgeSeconds: Number.NaN }), 'CONFIG_INVALID');
    const dup = [...trusted, { ...trusted[1]!, generation: 'authca02' }];
    expectCode(() => new RevocationStore({ issuers: dup, maxAgeSeconds: DAY }), 'CONFIG_INVALID');
  });
});
