import { performance } from 'node:perf_hooks';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Device } from '../../../platform/src/db/schema/index.js';
import { challengeMessage } from '../../../platform/src/identity/challenge.js';
import type { IdentityDeps } from '../../../platform/src/identity/deps.js';
import { authenticateDevice } from '../../../platform/src/identity/devices.js';
import { login, startChallenge } from '../../../platform/src/identity/login.js';
import { openNonce } from '../../../platform/src/identity/nonces.js';
import { createTrustStore, JpkiCertificate, verifyChain } from '../../../platform/src/jpki/verify/index.js';
import { cardSign, type BenchPerson } from './login-world.js';
import { median, percentile } from './stats.js';

/**
 * Where the server's time goes in one login: the steps of `login()` (platform/src/identity/login.ts)
 * and of the nonce route, called one after another on the benchmark's database with nothing else
 * running, each timed on its own. The sequence mirrors login() step for step; keep it in sync.
 * Also the cold paths the load run never takes with a small card population: certificate parse and
 * chain check on a cache miss.
 */

export interface StageFigure {
  stage: string;
  kind: 'db' | 'crypto' | 'cpu';
  medianMs: number;
  p99Ms: number;
}

export async function measureLoginStages(deps: IdentityDeps, people: BenchPerson[], devices: Map<string, Device>, iterations: number): Promise<{ stages: StageFigure[]; inProcessLoginMs: number; inProcessNonceMs: number; cold: StageFigure[] }> {
  const samples = new Map<string, { kind: StageFigure['kind']; xs: number[] }>();
  const time = async <T>(stage: string, kind: StageFigure['kind'], fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    const ms = performance.now() - t0;
    let s = samples.get(stage);
    if (!s) samples.set(stage, (s = { kind, xs: [] }));
    s.xs.push(ms);
    return out;
  };
  const { db, jpki } = deps;

  // The steps of one login that are not database round trips, timed one by one. login()'s one
  // round trip (the statement that burns the nonce, finds the person and opens the session) is
  // what remains of the whole login() below.
  for (let i = 0; i < iterations; i++) {
    const p = people[i % people.length]!;
    await time('device credential (SELECT devices, uncached)', 'db', () => authenticateDevice(db, p.device));
    const device = devices.get(p.device)!;
    const challenge = await time('nonce: issue (sealed, no database)', 'cpu', () => startChallenge(deps, device, 'login'));
    const signature = cardSign(p.authKey, challenge.digestInfo);
    await time('session: open nonce (seal, device, purpose, expiry)', 'cpu', () => openNonce(deps.config.nonceSecret, challenge.nonce, device.id, 'login'));
    const cert = await time('session: parse certificate (cache hit)', 'cpu', () => jpki.parse(p.certificate));
    const chain = await time('session: verify chain (issuer cached)', 'crypto', () => jpki.verify(cert, 'auth'));
    await time('session: verify card signature (RSA)', 'crypto', () =>
      jpki.verifySignature(cert, challengeMessage(challenge.nonce, 'login', device.id), Buffer.from(signature, 'base64')));
    // As checkCardAnswer decides it: the `login` policy (CRLs) synchronously, OCSP only if configured.
    await time('session: revocation decision (login policy) + lookup key', 'cpu', async () => {
      jpki.decideRevocationByCrl('login', chain) ?? (await jpki.decideRevocation('login', chain));
      return jpki.lookupKeyOf(chain);
    });
  }

  // The same login, whole, in process (no HTTP): what the route handlers cost beyond the steps.
  const loginMs: number[] = [];
  const nonceMs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const p = people[i % people.length]!;
    let t0 = performance.now();
    const device = await authenticateDevice(db, p.device);
    const challenge = await startChallenge(deps, device, 'login');
    nonceMs.push(performance.now() - t0);
    const signature = cardSign(p.authKey, challenge.digestInfo);
    t0 = performance.now();
    await login(deps, await authenticateDevice(db, p.device), { nonce: challenge.nonce, certificate: p.certificate, signature });
    loginMs.push(performance.now() - t0);
  }

  // Cold paths: a certificate never seen (parse cache miss) and a leaf whose issuer is not yet
  // remembered (one more RSA verification with the root key). A fresh trust store per run.
  const cold = new Map<string, { kind: StageFigure['kind']; xs: number[] }>();
  const anchors = jpki.trustStore.anchors('auth');
  const coldRuns = Math.min(iterations, 200);
  for (let i = 0; i < coldRuns; i++) {
    const p = people[i % people.length]!;
    const der = new Uint8Array(Buffer.from(p.certificate, 'base64'));
    let t0 = performance.now();
    const asn = asn1js.fromBER(der);
    const parsed = new JpkiCertificate(der, new pkijs.Certificate({ schema: asn.result }));
    const add = (stage: string, kind: StageFigure['kind'], ms: number) => {
      let s = cold.get(stage);
      if (!s) cold.set(stage, (s = { kind, xs: [] }));
      s.xs.push(ms);
    };
    add('cold: parse certificate (pkijs, cache miss)', 'cpu', performance.now() - t0);
    const store = createTrustStore('dev', anchors.map((a) => ({ certificate: a.certificate, purpose: a.purpose, generation: a.generation })));
    t0 = performance.now();
    await verifyChain(parsed, { purpose: 'auth', trustStore: store });
    add('cold: verify chain (issuer not cached, RSA)', 'crypto', performance.now() - t0);
  }

  const figures = (m: Map<string, { kind: StageFigure['kind']; xs: number[] }>) =>
    [...m].map(([stage, { kind, xs }]) => ({ stage, kind, medianMs: median(xs), p99Ms: percentile(xs, 0.99) }));
  return { stages: figures(samples), inProcessLoginMs: median(loginMs), inProcessNonceMs: median(nonceMs), cold: figures(cold) };
}
