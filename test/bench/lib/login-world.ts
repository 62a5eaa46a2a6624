import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../../../platform/src/app.js';
import { loadConfig, type Config } from '../../../platform/src/config.js';
import type { DbHandle } from '../../../platform/src/db/client.js';
import type { Device } from '../../../platform/src/db/schema/index.js';
import { feedDevCrls, feedDevLinkage } from '../../../platform/src/demo/dev-jpki.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import type { IdentityDeps } from '../../../platform/src/identity/deps.js';
import { authenticateDevice, provisionDevice } from '../../../platform/src/identity/devices.js';
import { initCenter, issueCard } from '../../../platform/src/jpki/dev-center/index.js';
import { createJpkiContext, type JpkiContext } from '../../../platform/src/jpki/index.js';
import type { CardFile } from '../../../platform/src/shared/card-file.js';
import { freshDatabase } from '../../helpers/database.js';
import type { LoadPerson } from './login-load-worker.js';

/**
 * The login benchmark's world: the real platform app (dev JPKI mode on a fresh dev center, demo
 * world seeded, fresh CRLs installed) on a fresh database, listening on loopback; N people whose
 * cards the dev center issued, each registered through the real HTTP API into a demo household
 * and given a TV of their own in that household; and a bare Fastify app as the baseline.
 */

export interface BenchPerson extends LoadPerson {
  card: CardFile;
  household: string;
}

export interface LoginWorld {
  config: Readonly<Config>;
  database: DbHandle & { url: string | null };
  jpki: JpkiContext;
  identity: IdentityDeps;
  app: FastifyInstance;
  bareApp: FastifyInstance;
  platformUrl: string;
  bareUrl: string;
  people: BenchPerson[];
  /** Device rows of the people's TVs, by credential header. */
  devices: Map<string, Device>;
  timings: { centerMs: number; platformMs: number; registrationMs: number };
  close(): Promise<void>;
}

const AUTH_PIN = '1234';
const SIGN_PIN = 'BENCH2024';
const FULL_WIDTH_DIGITS = '０１２３４５６７８９';
const fullWidth = (n: number) => String(n).replace(/[0-9]/g, (d) => FULL_WIDTH_DIGITS[Number(d)]!);
const ADDRESSES: Record<string, string> = { 'CATV-0001': '富山県南砺市城端１２３番地', 'CATV-0002': '富山県南砺市井波４５６番地' };

/** Raw PKCS#1 v1.5 over the DigestInfo: what the card's COMPUTE DIGITAL SIGNATURE returns. */
export function cardSign(pkcs8: string, digestInfoB64: string): string {
  const key = createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(digestInfoB64, 'base64')).toString('base64');
}

async function post(url: string, device: string, payload: object): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: device, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return { status: res.status, body: await res.json() };
}

function expectStatus(step: string, res: { status: number; body: unknown }, status: number): void {
  if (res.status !== status) throw new Error(`${step}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
}

export async function buildLoginWorld(opts: { people: number; logLevel: Config['logLevel'] }): Promise<LoginWorld> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  };
  try {
    // A fresh dev JPKI center (keys from OpenSSL) and the people's cards.
    let t0 = performance.now();
    const centerDir = await mkdtemp(join(tmpdir(), 'login-bench-center-'));
    closers.push(() => rm(centerDir, { recursive: true, force: true }));
    await initCenter(centerDir);
    const households = DEMO_HOUSEHOLDS.map((h) => ({ contractNo: h.contractNo, district: h.district, tv: `Device ${h.tv.id}:${h.tv.secret}` }));
    const cards: { card: CardFile; household: (typeof households)[number] }[] = [];
    for (let i = 0; i < opts.people; i++) {
      const household = households[i % households.length]!;
      const birth = new Date(Date.UTC(1940, 0, 1) + i * 397 * 86_400_000).toISOString().slice(0, 10);
      const { card } = await issueCard(centerDir, {
        id: `bench-${i}`, name: `試験　太郎${fullWidth(i + 1)}`, birth, gender: i % 2 ? '2' : '1',
        address: ADDRESSES[household.contractNo]!, authPin: AUTH_PIN, signPin: SIGN_PIN,
      });
      cards.push({ card, household });
    }
    const centerMs = performance.now() - t0;

    // The platform as buildTestApp builds it (demo world, CRLs fed), listening on loopback.
    t0 = performance.now();
    // The load comes from one IP and makes hundreds of logins a minute per TV: far over the
    // production rate limits, which it raises here so it measures the pipeline (limits included).
    const config = Object.freeze({
      ...loadConfig({
        LOG_LEVEL: opts.logLevel, SEED_DEMO: 'false', UI_DIR: 'dist/stb-ui', CERT_LOOKUP_SECRET: 'bench-lookup-secret', JPKI_MODE: 'dev',
        RATE_LIMIT_PER_DEVICE: '100000000', RATE_LIMIT_PER_IP: '100000000',
      }),
      jpkiDevDir: centerDir,
    });
    const database = await freshDatabase();
    closers.push(() => database.close());
    const jpki = await createJpkiContext(config);
    const identity: IdentityDeps = { db: database.db, jpki, config };
    await seedDemoWorld(database.db);
    await feedDevCrls(identity, centerDir);
    await feedDevLinkage(identity, centerDir);
    const app = await buildApp({ config, database, jpki });
    closers.push(() => app.close());
    const platformUrl = await app.listen({ port: 0, host: '127.0.0.1' });

    // The baseline: a bare Fastify route, same process, same thread, same client.
    const bareApp = Fastify({ logger: false });
    bareApp.post('/bare', async (request) => ({ ok: true, purpose: (request.body as { purpose?: string }).purpose ?? null }));
    closers.push(() => bareApp.close());
    const bareUrl = await bareApp.listen({ port: 0, host: '127.0.0.1' });
    const platformMs = performance.now() - t0;

    // Registration through the real API on the household's demo TV: draft, both signatures, confirm.
    t0 = performance.now();
    const people: BenchPerson[] = [];
    const devices = new Map<string, Device>();
    for (const { card, household } of cards) {
      const draft = await post(`${platformUrl}/api/v1/registrations/drafts`, household.tv, { district: household.district });
      expectStatus('registration draft', draft, 201);
      const submitted = await post(`${platformUrl}/api/v1/registrations`, household.tv, {
        draftId: draft.body.draftId,
        signCertificate: card.files['0001'], signSignature: cardSign(card.keys.sign, draft.body.sign.digestInfo),
        authCertificate: card.files['000A'], authSignature: cardSign(card.keys.auth, draft.body.auth.digestInfo),
      });
      expectStatus('registration', submitted, 201);
      const confirmed = await post(`${platformUrl}/api/v1/registrations/${submitted.body.registrationId}/confirm`, household.tv, {});
      expectStatus('registration confirm', confirmed, 201);
      // Each person gets a TV of their own in their household, so concurrent logins are on distinct TVs.
      const tv = await provisionDevice(database.db, { kind: 'tv', householdContractNo: household.contractNo }, `bench TV ${card.id}`, { name: "bench", organisationId: null });
      devices.set(tv.credential, await authenticateDevice(database.db, tv.credential));
      people.push({
        device: tv.credential, personId: confirmed.body.personId, certificate: card.files['000A']!, authKey: card.keys.auth,
        card, household: household.contractNo,
      });
    }
    const registrationMs = performance.now() - t0;

    return {
      config, database, jpki, identity, app, bareApp, platformUrl, bareUrl, people, devices,
      timings: { centerMs, platformMs, registrationMs },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
