import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assembleCms, buildSignedAttributes, createTrustStore, loadDevTrustStore, loadProductionTrustStore, readPersonalData,
  verifyChain, verifyCms, verifySignature, type TrustStore,
} from '../../../../platform/src/jpki/verify/index.js';
import { FIXTURE_TIME, jpkiFixtures, type JpkiFixtures } from '../../../helpers/jpki-fixtures.js';
import { cardSign, digestInfoSha256 } from './card-signing.js';

/** The verifier against what the dev JPKI center really issues (seeded, fixed dates). */
let fx: JpkiFixtures;
let store: TrustStore;
beforeAll(async () => {
  fx = await jpkiFixtures();
  store = await loadDevTrustStore(join(fx.dir, 'center'));
}, 120_000);

const key = (name: keyof JpkiFixtures['cards'], which: 'sign' | 'auth') =>
  createPrivateKey({ key: Buffer.from(fx.cards[name].card.keys[which], 'base64'), format: 'der', type: 'pkcs8' });

describe('dev JPKI center certificates', () => {
  it('loads its roots: two or more generations per purpose, from the center folder', () => {
    expect(store.anchors('sign').length).toBeGreaterThanOrEqual(2);
    expect(store.anchors('auth').map((a) => a.generation)).toEqual(fx.center.roots.auth.map((r) => `authca${r.generation}`));
  });

  it('verifies every fixture card\'s sign and auth certificate, picking the issuing generation', async () => {
    for (const [name, c] of Object.entries(fx.cards)) {
      const sign = await verifyChain(c.signDer, { purpose: 'sign', trustStore: store, at: FIXTURE_TIME });
      const auth = await verifyChain(c.authDer, { purpose: 'auth', trustStore: store, at: FIXTURE_TIME });
      expect(sign.rootGeneration, name).toBe(`signca${c.sign.generation}`);
      expect(auth.rootGeneration, name).toBe(`authca${c.auth.generation}`);
      expect(sign.serial, name).toBe(c.sign.serial);
    }
  });

  it('refuses a generation-02 card against generation 03 only, though the issuer DN is the same', async () => {
    const sato = fx.cards['sato-ichiro'];
    expect(sato.sign.generation).toBe('02');
    const only03 = createTrustStore('dev', fx.center.roots.sign.filter((r) => r.generation === '03').map((r) => ({ certificate: r.der })));
    await expect(verifyChain(sato.signDer, { purpose: 'sign', trustStore: only03, at: FIXTURE_TIME })).rejects.toMatchObject({ code: 'PKI_UNTRUSTED_ISSUER' });
  });

  it('refuses the test hierarchy in production', async () => {
    await expect(verifyChain(fx.cards['yamada-taro'].authDer, { purpose: 'auth', trustStore: loadProductionTrustStore(), at: FIXTURE_TIME }))
      .rejects.toMatchObject({ code: 'PKI_TEST_HIERARCHY' });
  });

  it('reads the personal data the center wrote', () => {
    expect(readPersonalData(fx.cards['yamada-taro'].signDer)).toMatchObject({
      name: '山田\u3000太郎', dateOfBirth: '1950-04-01', birthEra: 'showa', gender: '1', address: '富山県南砺市城端１２３番地',
    });
    expect(readPersonalData(fx.cards['takahashi-saburo'].signDer)).toMatchObject({ dateOfBirth: '1960-02-29', gender: '1' });
    expect(readPersonalData(fx.cards['yamada-hanako'].signDer)).toMatchObject({ gender: '2' });
  });

  it('verifies a login signature made with the card\'s auth key', async () => {
    const nonce = Buffer.from('9b0f5a2c-nonce');
    await verifySignature(fx.cards['yamada-taro'].authDer, nonce, cardSign(key('yamada-taro', 'auth'), digestInfoSha256(nonce)));
    await expect(verifySignature(fx.cards['yamada-hanako'].authDer, nonce, cardSign(key('yamada-taro', 'auth'), digestInfoSha256(nonce))))
      .rejects.toMatchObject({ code: 'PKI_SIGNATURE_INVALID' });
  });

  it('verifies a CMS document signed with the card\'s sign key', async () => {
    const doc = Buffer.from('{"form":"現況確認届"}');
    const attrs = buildSignedAttributes(doc, FIXTURE_TIME);
    const cms = assembleCms(doc, attrs, cardSign(key('sato-ichiro', 'sign'), digestInfoSha256(attrs)), fx.cards['sato-ichiro'].signDer);
    const r = await verifyCms(cms, { trustStore: store });
    expect(r.signer.rootGeneration).toBe('signca02');
  });
});
