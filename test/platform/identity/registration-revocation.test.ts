import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../platform/src/app.js';
import { feedDevCrls } from '../../../platform/src/demo/dev-jpki.js';
import { revokeCertificate, startOcspServer } from '../../../platform/src/jpki/dev-center/index.js';
import { DEFAULT_REVOCATION_POLICY, JpkiContext, OcspClient, type RevocationPolicy } from '../../../platform/src/jpki/index.js';
import { IdentityFlow, type Home, type TestCard } from '../../helpers/identity-flow.js';

/**
 * Registration decides both certificates' revocation through the per-operation policy
 * (REVOCATION_POLICY `registration`, default the CRLs with unknown refused), like every other
 * operation that checks a card (issue 17).
 */
const flow = await IdentityFlow.start();
const { t } = flow;

let responder: Awaited<ReturnType<typeof startOcspServer>>;
beforeAll(async () => {
  responder = await startOcspServer({ dir: t.centerDir, port: 0 });
});
afterAll(async () => {
  await responder.close();
});

/** Draft, both card signatures and the submission, through `app` (the test app unless given). */
async function submit(card: TestCard, home: Home, app = t.app) {
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: { authorization: home.credential }, payload });
    return { status: res.statusCode, body: res.json() };
  };
  const draft = await post('/api/v1/registrations/drafts', { district: 'johana' });
  expect(draft.status).toBe(201);
  const sign = await card.reader.sign('sign', card.signPin, draft.body.sign.digestInfo);
  const auth = await card.reader.sign('auth', card.authPin, draft.body.auth.digestInfo);
  return post('/api/v1/registrations', {
    draftId: draft.body.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
  });
}

/** An app on the same database whose policy is `policy` and whose OCSP requests go to the dev responder. */
async function appWithPolicy(policy: RevocationPolicy) {
  const client = new OcspClient({
    timeoutMs: 5000, skewMs: 300_000, maxAgeMs: 48 * 3600_000,
    fetch: ((_url: unknown, init?: RequestInit) => fetch(responder.url, init)) as typeof fetch,
  });
  const urls = { sign: responder.url, auth: responder.url };
  const jpki = new JpkiContext(t.jpki.trustStore, t.jpki.revocation, t.config.certLookupSecret, { client, policy, urls });
  return buildApp({ config: { ...t.config, revocationPolicy: policy }, database: t.database, jpki });
}

describe('registration decides revocation by its policy', () => {
  it('the default policy for registration is the CRLs with unknown refused (what it always did)', () => {
    expect(DEFAULT_REVOCATION_POLICY.registration).toEqual({ source: 'crl', unknown: 'refuse' });
  });

  it('a sign certificate revoked in the CRL → PKI_REVOKED from the CRL', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    await revokeCertificate(t.centerDir, { card: card.file, which: 'sign' }, 'keyCompromise');
    await feedDevCrls(t.identity, t.centerDir);
    const res = await submit(card, home);
    expect(res.body.error).toMatchObject({ code: 'PKI_REVOKED', details: { reason: 'keyCompromise', source: 'crl' } });
  }, 90_000); // a card issued, and every partition of the dev center's CRLs signed again

  it('an auth certificate revoked in the CRL → PKI_REVOKED from the CRL', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    await revokeCertificate(t.centerDir, { card: card.file, which: 'auth' }, 'affiliationChanged');
    await feedDevCrls(t.identity, t.centerDir);
    const res = await submit(card, home);
    expect(res.body.error).toMatchObject({ code: 'PKI_REVOKED', details: { reason: 'affiliationChanged', source: 'crl' } });
  }, 90_000);

  it('by default OCSP is not asked: a card revoked since the last CRL still registers on that CRL', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    await revokeCertificate(t.centerDir, { card: card.file, which: 'sign' }, 'keyCompromise');
    const app = await appWithPolicy(DEFAULT_REVOCATION_POLICY);
    try {
      expect((await submit(card, home, app)).status).toBe(201);
    } finally {
      await app.close();
    }
  });

  it('registration=ocsp/refuse: the responder says revoked although the CRL says good → PKI_REVOKED from OCSP', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    await revokeCertificate(t.centerDir, { card: card.file, which: 'sign' }, 'keyCompromise');
    const app = await appWithPolicy({ ...DEFAULT_REVOCATION_POLICY, registration: { source: 'ocsp', unknown: 'refuse' } });
    try {
      const res = await submit(card, home, app);
      expect(res.body.error).toMatchObject({ code: 'PKI_REVOKED', details: { reason: 'keyCompromise', source: 'ocsp' } });
    } finally {
      await app.close();
    }
  });
});
