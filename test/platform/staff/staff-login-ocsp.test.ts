import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeCertificate, startOcspServer } from '../../../platform/src/jpki/dev-center/index.js';
import { createJpkiContext, DEFAULT_REVOCATION_POLICY, JpkiContext, OcspClient, type ChainResult } from '../../../platform/src/jpki/index.js';
import { startStaffChallenge, staffLogin } from '../../../platform/src/staff/staff-login.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';
import { consoleLogin, enrolStaff, orgId } from '../../helpers/staff.js';

/**
 * Staff login decides revocation by its policy (REVOCATION_POLICY staff-login=ocsp/refuse): the
 * OCSP responder first, a fresh CRL only when the responder cannot be reached (issue 17).
 */
const t = await buildTestApp({}, { demo: true });
const SATO = FIXTURE_CARDS['sato-ichiro'];
const HANAKO = FIXTURE_CARDS['yamada-hanako'];
const SESSIONS = { idleSeconds: 600, maxSeconds: 3600 };

let server: Awaited<ReturnType<typeof startOcspServer>>;
let closedUrl: string;
let sato: CardInReader;
let hanako: CardInReader;
beforeAll(async () => {
  server = await startOcspServer({ dir: t.centerDir, port: 0 });
  const down = await startOcspServer({ dir: t.centerDir, port: 0 });
  closedUrl = down.url;
  await down.close();
  sato = await CardInReader.insert('sato-ichiro');
  hanako = await CardInReader.insert('yamada-hanako');
  const org = await orgId(t.database.db, 'insurer-demo');
  await enrolStaff(t.database.db, t.jpki, org, ['insurer.clerk'], sato, '佐藤 職員');
  await enrolStaff(t.database.db, t.jpki, org, ['insurer.clerk'], hanako, '花子 職員');
});
afterAll(async () => {
  await server.close();
  await sato.close();
  await hanako.close();
});

/**
 * The app's JPKI context, but its OCSP requests go to `url` whatever the certificate's AIA names
 * (the fixture cards name an unreachable `.invalid` responder); `revocation` defaults to the app's
 * CRLs, fed fresh by the demo setup.
 */
function askingAt(url: string, revocation = t.jpki.revocation): JpkiContext {
  const client = new OcspClient({
    timeoutMs: 5000, skewMs: 300_000, maxAgeMs: 48 * 3600_000,
    fetch: ((_aia: unknown, init?: RequestInit) => fetch(url, init)) as typeof fetch,
  });
  return new JpkiContext(t.jpki.trustStore, revocation, t.config.certLookupSecret, { client, policy: DEFAULT_REVOCATION_POLICY, urls: { sign: null, auth: null } });
}

/** Challenge, the card's auth signature and staffLogin, with `jpki` deciding revocation. */
async function loginWith(jpki: JpkiContext, card: CardInReader, pin: string) {
  const deps = { ...t.identity, jpki };
  const clientId = randomUUID();
  const { nonce, digestInfo } = startStaffChallenge(deps, clientId);
  const signed = await card.sign('auth', pin, digestInfo);
  return staffLogin(deps, SESSIONS, { clientId, nonce, certificate: signed.certificate, signature: signed.signature });
}

const authChain = async (card: CardInReader): Promise<ChainResult> => t.jpki.verify(t.jpki.parse(await card.authCertificate()), 'auth');

describe('staff login asks OCSP first', () => {
  it('logs in when the responder says good', async () => {
    await expect(loginWith(askingAt(server.url), sato, SATO.authPin)).resolves.toMatchObject({ staff: { displayName: '佐藤 職員' } });
  });

  it('refuses a card the responder says is revoked although the CRL still says good', async () => {
    const chain = await authChain(hanako);
    await revokeCertificate(t.centerDir, { purpose: 'auth', serial: parseInt(chain.serial, 16) }, 'keyCompromise');
    expect(t.jpki.revocationStatus(chain).state).toBe('good');
    await expect(loginWith(askingAt(server.url), hanako, HANAKO.authPin))
      .rejects.toMatchObject({ code: 'PKI_REVOKED', details: { reason: 'keyCompromise', source: 'ocsp' } });
  });

  it('falls back to a fresh CRL when the responder is down: good → logged in', async () => {
    await expect(loginWith(askingAt(closedUrl), sato, SATO.authPin)).resolves.toMatchObject({ staff: { displayName: '佐藤 職員' } });
  });

  it('refuses with PKI_REVOCATION_UNKNOWN when the responder is down and no fresh CRL exists', async () => {
    const noCrls = (await createJpkiContext(t.config)).revocation;
    await expect(loginWith(askingAt(closedUrl, noCrls), sato, SATO.authPin))
      .rejects.toMatchObject({ code: 'PKI_REVOCATION_UNKNOWN', details: { source: 'crl' } });
  });

  it("the dev demo's cards (an unreachable .invalid responder in their AIA) log in on the fresh CRL", async () => {
    const res = await consoleLogin(t.app, sato, SATO.authPin);
    expect(res.status).toBe(201);
  });
});
