import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterEach, expect } from 'vitest';
import type { CardFile } from '../../platform/src/shared/card-file.js';
import { households, sessions } from '../../platform/src/db/schema/index.js';
import { feedDevLinkage } from '../../platform/src/demo/dev-jpki.js';
import { DEMO_HOUSEHOLDS } from '../../platform/src/demo/world.js';
import type { AuditActor } from '../../platform/src/identity/audit.js';
import { provisionDevice } from '../../platform/src/identity/devices.js';
import { issueCard, writeCardFile, type CardRequest } from '../../platform/src/jpki/dev-center/index.js';
import { buildTestApp, type TestApp } from './app.js';
import { CardInReader } from './card-in-reader.js';

/** A household of its own with its own TV, so a test's members, sessions and refusals are its own. */
export interface Home {
  householdId: string;
  label: string;
  deviceId: string;
  /** `Device <id>:<secret>`, the TV's Authorization header. */
  credential: string;
}

/** A card issued for one test, in a virtual reader, with the data it was issued with. */
export interface TestCard {
  reader: CardInReader;
  file: CardFile;
  name: string;
  birth: string;
  gender: string;
  address: string;
  authPin: string;
  signPin: string;
}

/** Who the audit log says provisioned the tests' devices. */
export const TEST_ACTOR: AuditActor = { name: 'operator:test', organisationId: null };

type Signed = { certificate: string; signature: string };

const PERSON = { name: '南砺　試験', birth: '1960-05-05', gender: '1', address: '富山県南砺市城端９番地', authPin: '4321', signPin: 'FLOWTEST1' } as const;

/**
 * The identity API as a TV uses it, on one app per test file (a fresh database with the demo
 * world and the fixture center's CRLs and linkage). Each test makes its own households and cards
 * (`home()`, `card()`), so no test depends on what another registered, revoked or logged in.
 */
export class IdentityFlow {
  private readonly readers: CardInReader[] = [];

  private constructor(readonly t: TestApp) {
    afterEach(async () => {
      await Promise.all(this.readers.splice(0).map((r) => r.close()));
    });
  }

  /** Call at the top of a test file: builds the app and closes the test's card readers after each test. */
  static async start(): Promise<IdentityFlow> {
    return new IdentityFlow(await buildTestApp({}, { demo: true }));
  }

  async post(url: string, device: string, payload: object = {}) {
    const res = await this.t.app.inject({ method: 'POST', url, headers: { authorization: device }, payload });
    return { status: res.statusCode, body: res.json() };
  }

  /** A new household in district `johana` (the demo operator's), with a TV provisioned for it. */
  async home(): Promise<Home> {
    const db = this.t.database.db;
    const [demo] = await db.select().from(households).where(eq(households.contractNo, DEMO_HOUSEHOLDS[0].contractNo));
    const contractNo = `T-${randomBytes(6).toString('hex')}`;
    const label = `試験宅 ${contractNo}`;
    const [row] = await db.insert(households).values({ operatorId: demo!.operatorId, contractNo, districtId: demo!.districtId, label }).returning();
    const tv = await provisionDevice(db, { kind: 'tv', householdContractNo: contractNo }, `TV ${contractNo}`, TEST_ACTOR);
    return { householdId: row!.id, label, deviceId: tv.id, credential: tv.credential };
  }

  /**
   * A new card from the test's copy of the dev center (generation valid now), its linkage fed to
   * the platform as J-LIS would, inserted in a virtual reader that is removed after the test.
   */
  async card(request: Partial<CardRequest> = {}): Promise<TestCard> {
    const wanted = { ...PERSON, ...request, id: `flow-${randomBytes(6).toString('hex')}` };
    const { card } = await issueCard(this.t.centerDir, wanted);
    const path = join(mkdtempSync(join(tmpdir(), 'flow-card-')), 'card.json');
    await writeCardFile(path, card);
    await feedDevLinkage(this.t.identity, this.t.centerDir);
    const reader = await CardInReader.insert({ path });
    this.readers.push(reader);
    return {
      reader, file: card, name: wanted.name, birth: wanted.birth, gender: wanted.gender, address: wanted.address,
      authPin: wanted.authPin, signPin: wanted.signPin,
    };
  }

  /** The TV's registration flow up to the 基本4情報 to confirm, through the driver's JPKI client. */
  async register(card: TestCard, home: Home, district = 'johana') {
    const draft = await this.post('/api/v1/registrations/drafts', home.credential, { district });
    expect(draft.status).toBe(201);
    const sign = await card.reader.sign('sign', card.signPin, draft.body.sign.digestInfo);
    const auth = await card.reader.sign('auth', card.authPin, draft.body.auth.digestInfo);
    return this.submitRegistration(home, draft.body.draftId, sign, auth);
  }

  /** Hands a draft's two signatures (each with its certificate) to the platform. */
  submitRegistration(home: Home, draftId: string, sign: Signed, auth: Signed) {
    return this.post('/api/v1/registrations', home.credential, {
      draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
    });
  }

  /** Registers and confirms: the card's holder is then a member of `home`. Returns the person id. */
  async registered(card: TestCard, home: Home): Promise<string> {
    const registration = await this.register(card, home);
    expect(registration.status).toBe(201);
    const confirmed = await this.post(`/api/v1/registrations/${registration.body.registrationId}/confirm`, home.credential);
    expect(confirmed.status).toBe(201);
    return confirmed.body.personId as string;
  }

  /** A login as the TV does it: a nonce, the card's auth signature over its challenge, the session request. */
  async login(card: Pick<TestCard, 'reader' | 'authPin'>, home: Home, pin = card.authPin) {
    const nonce = await this.post('/api/v1/nonces', home.credential, { purpose: 'login' });
    expect(nonce.status).toBe(201);
    const signed = await card.reader.sign('auth', pin, nonce.body.digestInfo);
    const res = await this.post('/api/v1/sessions', home.credential, { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature });
    return { nonce: nonce.body.nonce as string, signed, res };
  }

  /** Headers of a signed-in request from `home`'s TV. */
  sessionHeaders(token: string, home: Home) {
    return { authorization: `Bearer ${token}`, 'x-device': home.credential.slice('Device '.length) };
  }

  async sessionCount(): Promise<number> {
    const [row] = await this.t.database.db.select({ n: sql<number>`count(*)::int` }).from(sessions);
    return Number(row!.n);
  }
}
