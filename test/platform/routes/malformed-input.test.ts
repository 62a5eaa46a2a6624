import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../../platform/src/identity/audit.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { shelters } from '../../../platform/src/db/schema/index.js';
import { issueNonce } from '../../../platform/src/identity/nonces.js';
import { provisionDevice } from '../../../platform/src/identity/devices.js';
import { assembleCms, buildSignedAttributes, verifyCms } from '../../../platform/src/jpki/index.js';
import { AppError, ERRORS, isErrorCode } from '../../../platform/src/shared/errors.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { mutate, Prng, tlvs } from '../../helpers/der-mutations.js';
import { FIXTURE_CARDS, jpkiFixtures } from '../../helpers/jpki-fixtures.js';

/**
 * Bad input never becomes a 500: every route that takes certificates, signatures or (through
 * them) CMS answers mutated ones with a coded 4xx from the catalogue, and the jpki module's CRL
 * and CMS doors refuse mutated input with a catalogue error, never a plain exception. Seeded,
 * so a failing case can be replayed by its seed and index.
 */
const SEED = 0x9e3779b9;
/** Generous limits: this file is about parsing, not about rate limiting. */
const t = await buildTestApp({ rateLimitPerDevice: 1_000_000, rateLimitPerIp: 1_000_000 }, { demo: true });
const fx = await jpkiFixtures();
const TV = DEMO_HOUSEHOLDS[0].tv;
const tvAuth = `Device ${TV.id}:${TV.secret}`;
const TARO = FIXTURE_CARDS['yamada-taro'];
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

let tabletAuth: string;
let taro: CardInReader;
beforeAll(async () => {
  const [shelter] = await t.database.db.select().from(shelters).limit(1);
  tabletAuth = (await provisionDevice(t.database.db, { kind: 'tablet', shelterId: shelter!.id }, '受付タブレット', CLI_ACTOR)).credential;
  taro = await CardInReader.insert('yamada-taro');
});
afterAll(() => taro.close());

async function post(url: string, authorization: string, payload: object) {
  const res = await t.app.inject({ method: 'POST', url, headers: { authorization }, payload });
  return { status: res.statusCode, body: res.json() as { error?: { code: string; message: string; ja: string } } };
}

/** A coded refusal from the catalogue: 4xx, its code's own status, message and Japanese. */
function expectCatalogueRefusal(res: { status: number; body: { error?: { code: string; message: string; ja: string } } }, label: string) {
  const code = res.body.error?.code;
  expect(isErrorCode(code), `${label}: body ${JSON.stringify(res.body)}`).toBe(true);
  const entry = ERRORS[code as keyof typeof ERRORS];
  expect({ label, status: res.status, message: res.body.error!.message, ja: res.body.error!.ja }).toEqual({ label, status: entry.status, message: entry.message, ja: entry.ja });
  expect(res.status, `${label}: ${code}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label}: ${code}`).toBeLessThan(500);
}

/** A certificate whose notBefore is a GeneralizedTime asn1js cannot convert (it throws a plain Error). */
function badGeneralizedTime(der: Uint8Array): Buffer {
  const time = tlvs(der).find((v) => v.tag === 0x17 && v.length === 13)!;
  const bad = Buffer.from(der);
  bad[time.offset] = 0x18;
  bad.write('2025AB01000Z0', time.offset + time.header, 'latin1');
  return bad;
}

async function loginWith(certificate: string, signature: string) {
  const { nonce } = issueNonce(t.config.nonceSecret, TV.id, 'login', 60);
  return post('/api/v1/sessions', tvAuth, { nonce, certificate, signature });
}

async function draft() {
  const res = await post('/api/v1/registrations/drafts', tvAuth, { district: 'johana' });
  expect(res.status).toBe(201);
  return res.body as unknown as { draftId: string; sign: { digestInfo: string }; auth: { digestInfo: string } };
}

describe('a certificate with a malformed GeneralizedTime', () => {
  const bad = b64(badGeneralizedTime(fx.cards['yamada-taro'].authDer));

  it('is PKI_MALFORMED on POST /api/v1/sessions, not 500', async () => {
    const res = await loginWith(bad, b64(Buffer.alloc(256, 1)));
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe('PKI_MALFORMED');
  });

  it('is PKI_MALFORMED on POST /api/v1/registrations (sign and auth certificate), not 500', async () => {
    const d = await draft();
    const signBad = b64(badGeneralizedTime(fx.cards['yamada-taro'].signDer));
    const asSign = await post('/api/v1/registrations', tvAuth, {
      draftId: d.draftId, signCertificate: signBad, signSignature: b64(Buffer.alloc(256, 1)), authCertificate: bad, authSignature: b64(Buffer.alloc(256, 1)),
    });
    expect([asSign.status, asSign.body.error?.code]).toEqual([422, 'PKI_MALFORMED']);
    const sign = await taro.sign('sign', TARO.signPin, d.sign.digestInfo);
    const asAuth = await post('/api/v1/registrations', tvAuth, {
      draftId: d.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: bad, authSignature: b64(Buffer.alloc(256, 1)),
    });
    expect([asAuth.status, asAuth.body.error?.code]).toEqual([422, 'PKI_MALFORMED']);
  });

  it('is PKI_MALFORMED on POST /api/v1/presence, not 500', async () => {
    const res = await post('/api/v1/presence', tabletAuth, { certificate: bad });
    expect([res.status, res.body.error?.code]).toEqual([422, 'PKI_MALFORMED']);
  });
});

describe('seeded fuzz: mutated certificates, signatures, CMS and CRLs', () => {
  const cards = [fx.cards['yamada-taro'], fx.cards['sato-ichiro'], fx.cards['suzuki-jiro']];

  it('POST /api/v1/sessions answers 400 mutated auth certificates and signatures with coded 4xx', async () => {
    const rng = new Prng(SEED);
    for (let i = 0; i < 400; i++) {
      const card = rng.pick(cards);
      const cert = mutate(card.authDer, rng);
      const signature = rng.next() < 0.2 ? mutate(Buffer.alloc(256, 7), rng).bytes : Buffer.alloc(256, 7);
      expectCatalogueRefusal(await loginWith(b64(cert.bytes), b64(signature)), `sessions #${i} ${cert.name}`);
    }
  });

  it('POST /api/v1/presence answers 400 mutated certificates with coded 4xx', async () => {
    const rng = new Prng(SEED + 1);
    for (let i = 0; i < 400; i++) {
      const cert = mutate(rng.pick(cards).authDer, rng);
      expectCatalogueRefusal(await post('/api/v1/presence', tabletAuth, { certificate: b64(cert.bytes) }), `presence #${i} ${cert.name}`);
    }
  });

  it('POST /api/v1/registrations answers 300 mutated sign certificates with coded 4xx', async () => {
    const rng = new Prng(SEED + 2);
    const d = await draft();
    const auth = await taro.sign('auth', TARO.authPin, d.auth.digestInfo);
    for (let i = 0; i < 300; i++) {
      const cert = mutate(rng.pick(cards).signDer, rng);
      const res = await post('/api/v1/registrations', tvAuth, {
        draftId: d.draftId, signCertificate: b64(cert.bytes), signSignature: b64(Buffer.alloc(256, 3)), authCertificate: auth.certificate, authSignature: auth.signature,
      });
      expectCatalogueRefusal(res, `registrations(sign) #${i} ${cert.name}`);
    }
  });

  it('POST /api/v1/registrations answers 40 mutated auth certificates behind a good card signature with coded 4xx', async () => {
    const rng = new Prng(SEED + 3);
    for (let i = 0; i < 40; i++) {
      const d = await draft();
      const sign = await taro.sign('sign', TARO.signPin, d.sign.digestInfo);
      const cert = mutate(fx.cards['yamada-taro'].authDer, rng);
      const res = await post('/api/v1/registrations', tvAuth, {
        draftId: d.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: b64(cert.bytes), authSignature: b64(Buffer.alloc(256, 5)),
      });
      expectCatalogueRefusal(res, `registrations(auth) #${i} ${cert.name}`);
    }
  });

  it('verifyCms refuses 400 mutated CMS SignedData with catalogue errors only', async () => {
    const rng = new Prng(SEED + 4);
    const document = Buffer.from('{"type":"fuzz"}');
    const attrs = buildSignedAttributes(document, new Date());
    const cms = assembleCms(document, attrs, Buffer.alloc(256, 9), fx.cards['yamada-taro'].signDer);
    for (let i = 0; i < 400; i++) {
      const m = mutate(cms, rng);
      const err = await verifyCms(m.bytes, { trustStore: t.jpki.trustStore, document }).then(() => null, (e: unknown) => e);
      expect(err, `cms #${i} ${m.name}`).toBeInstanceOf(AppError);
      expect((err as AppError).status, `cms #${i} ${m.name}: ${(err as AppError).code}`).toBeLessThan(500);
    }
  });

  it('ingestCrl (what `ingest-crl` calls) refuses 500 mutated CRLs with catalogue errors only', () => {
    const rng = new Prng(SEED + 5);
    const crls = (['sign', 'auth'] as const).flatMap((purpose) => Object.values(fx.crls[purpose]).map((der) => ({ purpose, der })));
    for (let i = 0; i < 500; i++) {
      const { purpose, der } = rng.pick(crls);
      const m = mutate(der, rng);
      let err: unknown = null;
      try {
        t.jpki.ingestCrl(purpose, Buffer.from(m.bytes));
      } catch (e) {
        err = e;
      }
      expect(err, `crl #${i} ${m.name}`).toBeInstanceOf(AppError);
      expect((err as AppError).code, `crl #${i} ${m.name}`).toMatch(/^PKI_/);
    }
  });
});
