import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, desc, eq, gt, max, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, ocspResponses } from '../../../platform/src/db/schema/index.js';
import { revokeCertificate, startOcspServer } from '../../../platform/src/jpki/dev-center/index.js';
import {
  certIdFor, createJpkiContext, DEFAULT_REVOCATION_POLICY, JpkiContext, OcspClient, verifyOcspResponse, type ChainResult,
} from '../../../platform/src/jpki/index.js';
import { startStaffChallenge, staffLogin } from '../../../platform/src/staff/staff-login.js';
import { buildTestApp } from '../../helpers/app.js';
import { TEST_DB_KIND } from '../../helpers/database.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';
import { consoleLogin, enrolStaff, orgId } from '../../helpers/staff.js';

/**
 * Staff login decides revocation by its policy (REVOCATION_POLICY staff-login=ocsp/refuse): the
 * OCSP responder first, a fresh CRL only when the responder cannot be reached (issue 17).
 */
const t = await buildTestApp({}, { demo: true });
const ITO = FIXTURE_CARDS['ito-shiro'];
const HANAKO = FIXTURE_CARDS['yamada-hanako'];
const SESSIONS = { idleSeconds: 600, maxSeconds: 3600 };

let server: Awaited<ReturnType<typeof startOcspServer>>;
let closedUrl: string;
let ito: CardInReader;
let hanako: CardInReader;
beforeAll(async () => {
  server = await startOcspServer({ dir: t.centerDir, port: 0 });
  const down = await startOcspServer({ dir: t.centerDir, port: 0 });
  closedUrl = down.url;
  await down.close();
  ito = await CardInReader.insert('ito-shiro');
  hanako = await CardInReader.insert('yamada-hanako');
  const org = await orgId(t.database.db, 'insurer-demo');
  await enrolStaff(t.database.db, t.jpki, org, ['insurer.clerk'], ito, '伊藤 職員');
  await enrolStaff(t.database.db, t.jpki, org, ['insurer.clerk'], hanako, '花子 職員');
});
afterAll(async () => {
  await server.close();
  await ito.close();
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

/** The staff.login audit entries written while `run` ran, for `staffId`. */
async function auditOf(staffId: string, run: () => Promise<unknown>) {
  const [{ last }] = await t.database.db.select({ last: max(auditLog.seq) }).from(auditLog) as [{ last: number | null }];
  await run();
  return t.database.db.select().from(auditLog)
    .where(and(gt(auditLog.seq, last ?? 0), eq(auditLog.subject, staffId), eq(auditLog.action, 'staff.login'))).orderBy(desc(auditLog.seq));
}

const staffIdOf = async (card: CardInReader) => (await loginWith(askingAt(closedUrl), card, card === ito ? ITO.authPin : HANAKO.authPin)).staff.id;

/** `openssl ocsp -respin` over a DER response: its text, and whether it verifies against the issuing CA. */
function opensslOcsp(der: Uint8Array, issuerDer: Uint8Array): { stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'staff-ocsp-'));
  try {
    writeFileSync(join(dir, 'resp.der'), der);
    writeFileSync(join(dir, 'ca.der'), issuerDer);
    expect(spawnSync('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'ca.der'), '-out', join(dir, 'ca.pem')]).status).toBe(0);
    const r = spawnSync('openssl', ['ocsp', '-respin', join(dir, 'resp.der'), '-CAfile', join(dir, 'ca.pem'), '-resp_text'], { encoding: 'utf8' });
    return { stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('staff login asks OCSP first', () => {
  it('logs in when the responder says good', async () => {
    await expect(loginWith(askingAt(server.url), ito, ITO.authPin)).resolves.toMatchObject({ staff: { displayName: '伊藤 職員' } });
  });

  it('refuses a card the responder says is revoked although the CRL still says good', async () => {
    const chain = await authChain(hanako);
    await revokeCertificate(t.centerDir, { purpose: 'auth', serial: parseInt(chain.serial, 16) }, 'keyCompromise');
    expect(t.jpki.revocationStatus(chain).state).toBe('good');
    await expect(loginWith(askingAt(server.url), hanako, HANAKO.authPin))
      .rejects.toMatchObject({ code: 'PKI_REVOKED', details: { reason: 'keyCompromise', source: 'ocsp' } });
  });

  it('falls back to a fresh CRL when the responder is down: good → logged in', async () => {
    await expect(loginWith(askingAt(closedUrl), ito, ITO.authPin)).resolves.toMatchObject({ staff: { displayName: '伊藤 職員' } });
  });

  it('refuses with PKI_REVOCATION_UNKNOWN when the responder is down and no fresh CRL exists', async () => {
    const noCrls = (await createJpkiContext(t.config)).revocation;
    await expect(loginWith(askingAt(closedUrl, noCrls), ito, ITO.authPin))
      .rejects.toMatchObject({ code: 'PKI_REVOCATION_UNKNOWN', details: { source: 'crl' } });
  });

  it("the dev demo's cards (an unreachable .invalid responder in their AIA) log in on the fresh CRL", async () => {
    const res = await consoleLogin(t.app, ito, ITO.authPin);
    expect(res.status).toBe(201);
  });
});

describe("the staff login's audit entry records which revocation source decided", () => {
  it('OCSP decided: the entry says ocsp and names the signed response kept as evidence, which verifies for that card', async () => {
    const staffId = await staffIdOf(ito);
    const entries = await auditOf(staffId, () => loginWith(askingAt(server.url), ito, ITO.authPin));
    expect(entries).toHaveLength(1);
    const data = entries[0]!.data as Record<string, unknown>;
    expect(data).toMatchObject({ revocationSource: 'ocsp', ocspResponseSha256: expect.stringMatching(/^[0-9a-f]{64}$/), revocationUnknown: false });

    const [kept] = await t.database.db.select().from(ocspResponses).where(eq(ocspResponses.sha256, data.ocspResponseSha256 as string));
    expect(kept).toBeDefined();
    expect(createHash('sha256').update(kept!.der).digest('hex')).toBe(data.ocspResponseSha256);
    expect(kept!.producedAt.toISOString()).toBe(data.ocspProducedAt);

    // The kept bytes are a signed BasicOCSPResponse saying good for exactly this card's certificate.
    const chain = await authChain(ito);
    const issuer = chain.root.certificate.der;
    const answer = verifyOcspResponse(kept!.der, {
      issuer, id: certIdFor(issuer, chain.serial), nonce: null, now: Date.now(), skewMs: 300_000, maxAgeMs: 48 * 3600_000,
    });
    expect(answer).toMatchObject({ state: 'good', signedBy: 'delegated' });
    const openssl = opensslOcsp(kept!.der, issuer);
    expect(openssl.stderr).toContain('Response verify OK');
    expect(openssl.stdout).toContain('Response Type: Basic OCSP Response');
    expect(openssl.stdout).toContain(`Serial Number: ${chain.serial}`);
    expect(openssl.stdout).toContain('Cert Status: good');

    // The audit log itself holds neither the response nor the certificate's serial.
    const text = JSON.stringify(entries[0]);
    expect(text).not.toContain(Buffer.from(kept!.der).toString('base64').slice(0, 40));
    expect(text.toUpperCase()).not.toContain(chain.serial);
  });

  it('responder down, fresh CRL: the entry says crl, why OCSP did not answer, and names no response', async () => {
    const staffId = await staffIdOf(ito);
    const entries = await auditOf(staffId, () => loginWith(askingAt(closedUrl), ito, ITO.authPin));
    expect(entries).toHaveLength(1);
    const data = entries[0]!.data as Record<string, unknown>;
    expect(data).toMatchObject({ revocationSource: 'crl', revocationFallback: 'PKI_OCSP_UNAVAILABLE', revocationUnknown: false, crlThisUpdate: expect.any(String) });
    expect(data).not.toHaveProperty('ocspResponseSha256');
  });

  it('two logins answered by one cached response keep it once', async () => {
    const staffId = await staffIdOf(ito);
    const jpki = askingAt(server.url);
    const entries = await auditOf(staffId, async () => {
      await loginWith(jpki, ito, ITO.authPin);
      await loginWith(jpki, ito, ITO.authPin);
    });
    expect(entries).toHaveLength(2);
    const [a, b] = entries.map((e) => (e.data as Record<string, string>).ocspResponseSha256);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(await t.database.db.select({ sha256: ocspResponses.sha256 }).from(ocspResponses).where(eq(ocspResponses.sha256, a!))).toHaveLength(1);
  });

  it("a kept response can be neither changed nor removed on the platform's connection", async () => {
    const staffId = await staffIdOf(ito);
    const [entry] = await auditOf(staffId, () => loginWith(askingAt(server.url), ito, ITO.authPin));
    const sha256 = (entry!.data as Record<string, string>).ocspResponseSha256!;
    for (const statement of [sql`update ocsp_responses set der = '\\x00' where sha256 = ${sha256}`, sql`delete from ocsp_responses where sha256 = ${sha256}`]) {
      type PgError = { code?: string; message: string };
      const error = await t.database.db.execute(statement).then(() => null, (err: PgError & { cause?: PgError }): PgError => err.cause ?? err);
      // PostgreSQL: the platform role lacks the privilege; PGlite (one user): the append-only trigger.
      if (TEST_DB_KIND === 'postgres') expect(error?.code).toBe('42501');
      else expect(error?.message).toMatch(/ocsp_responses is append-only/);
    }
    expect(await t.database.db.select({ sha256: ocspResponses.sha256 }).from(ocspResponses).where(eq(ocspResponses.sha256, sha256))).toHaveLength(1);
  });
});
