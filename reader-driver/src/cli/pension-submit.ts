import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { CardFile } from '../../../platform/src/shared/card-file.js';
import { PROTOCOL_VERSION } from '../ws/protocol.js';

/**
 * `npm run demo -- pension-submit CARD-ID --out FILE`: the whole pension flow for a demo person,
 * through the running product (`npm start`) and the reader driver's demo card bay, as the insurer
 * and the TV would do it: the insurer clerk (card staff-insurer-clerk) registers a policy due next
 * month and opens that month's campaign; the person's card logs in on the demo TV (registering
 * first if needed), links the policy with its code, finds the request in the inbox and signs the
 * 現況確認届 with the sign key; the sealed evidence bundle is written to FILE, exactly as kept.
 * The PINs come from the demo card files (dev only: a real card's PIN is never stored anywhere).
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Demo {
  driver: WebSocket;
  tv: string;
  operator: string;
  dataDir: string;
}

let next = 0;
function request(ws: WebSocket, cmd: string, params: Json = {}): Promise<Json> {
  const id = `pension-${++next}`;
  return new Promise((resolve, reject) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const msg = JSON.parse(raw.toString()) as Json;
      if (msg.re !== id) return;
      ws.off('message', onMessage);
      if (msg.ok) resolve(msg.result as Json);
      else reject(new Error(`driver ${cmd}: ${msg.error?.code}`));
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ v: PROTOCOL_VERSION, id, cmd, ...params }));
  });
}

async function http(base: string, method: string, path: string, headers: Json = {}, body?: object): Promise<{ status: number; body: Json; text: string }> {
  const res = await fetch(`${base}${path}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, text, body: text.startsWith('{') ? (JSON.parse(text) as Json) : {} };
}

function expectStatus(res: { status: number; text: string }, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${res.text}`);
}

const cardFile = (demo: Demo, id: string) => JSON.parse(readFileSync(join(demo.dataDir, 'demo-cards', `${id}.json`), 'utf8')) as CardFile;

async function cardSigns(demo: Demo, card: CardFile, key: 'auth' | 'sign', digestInfo: string) {
  return request(demo.driver, 'sign', { key, pin: card.pins[key].value, digestInfo, withCertificate: true }) as Promise<{ signature: string; certificate: string }>;
}

/** The insurer clerk's console session (their own card, then out of the bay). */
async function clerkSession(demo: Demo): Promise<Json> {
  await request(demo.driver, 'demo.insert', { card: 'staff-insurer-clerk' });
  const clientId = randomUUID();
  const challenge = await http(demo.operator, 'POST', '/api/v1/console/nonces', {}, { clientId });
  const signed = await cardSigns(demo, cardFile(demo, 'staff-insurer-clerk'), 'auth', challenge.body.digestInfo);
  const session = await http(demo.operator, 'POST', '/api/v1/console/sessions', {}, { clientId, nonce: challenge.body.nonce, ...signed });
  expectStatus(session, 201, 'clerk login');
  await request(demo.driver, 'demo.remove');
  return { authorization: `Bearer ${session.body.token}` };
}

/** A TV session of the person, registering them with the demo TV's household first if needed. */
async function tvSession(demo: Demo, card: CardFile, device: Json): Promise<Json> {
  const login = async () => {
    const nonce = await http(demo.tv, 'POST', '/api/v1/nonces', device, { purpose: 'login' });
    const signed = await cardSigns(demo, card, 'auth', nonce.body.digestInfo);
    return http(demo.tv, 'POST', '/api/v1/sessions', device, { nonce: nonce.body.nonce, ...signed });
  };
  let session = await login();
  if (session.body.error?.code === 'AUTH_NOT_REGISTERED') {
    const household = await http(demo.tv, 'GET', '/api/v1/tv/household', device);
    const draft = await http(demo.tv, 'POST', '/api/v1/registrations/drafts', device, { district: household.body.districts[0].code });
    expectStatus(draft, 201, 'registration draft');
    const sign = await cardSigns(demo, card, 'sign', draft.body.sign.digestInfo);
    const auth = await cardSigns(demo, card, 'auth', draft.body.auth.digestInfo);
    const done = await http(demo.tv, 'POST', '/api/v1/registrations', device, {
      draftId: draft.body.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
    });
    expectStatus(done, 201, 'registration');
    expectStatus(await http(demo.tv, 'POST', `/api/v1/registrations/${done.body.registrationId}/confirm`, device, {}), 201, 'registration confirm');
    session = await login();
  }
  expectStatus(session, 201, 'TV login');
  return { authorization: `Bearer ${session.body.token}`, 'x-device': device.authorization.slice('Device '.length) };
}

export async function pensionSubmit(cardId: string, out: string, opts: { controlPort: number; controlToken: string; dataDir: string; tvOrigin: string; operatorOrigin: string }) {
  const driver = new WebSocket(`ws://127.0.0.1:${opts.controlPort}/v${PROTOCOL_VERSION}`, { headers: { 'x-control-token': opts.controlToken } });
  await new Promise((resolve, reject) => driver.once('open', resolve).once('error', reject));
  const demo: Demo = { driver, tv: opts.tvOrigin, operator: opts.operatorOrigin, dataDir: opts.dataDir };
  try {
    const staff = await clerkSession(demo);
    const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1));
    const period = nextMonth.toISOString().slice(0, 7);
    const policy = await http(demo.operator, 'POST', '/api/v1/console/pension/policies', staff, { policyRef: `DEMO-${randomUUID().slice(0, 8)}`, dueMonth: nextMonth.getUTCMonth() + 1 });
    expectStatus(policy, 201, 'policy');
    const { linkCode, policyRef } = policy.body.policies[0] as Json;
    const campaign = await http(demo.operator, 'POST', '/api/v1/console/pension/campaigns', staff, {
      title: '年金現況確認', period, deadline: new Date(Date.now() + 30 * 86_400_000).toISOString(), reminderDates: [],
    });
    if (campaign.status !== 201 && campaign.status !== 400) expectStatus(campaign, 201, 'campaign');
    console.log(`insurer: policy ${policyRef}, link code ${linkCode}, campaign ${period}`);

    const card = cardFile(demo, cardId);
    await request(driver, 'demo.insert', { card: cardId });
    const tvCredential = JSON.parse(readFileSync(join(opts.dataDir, 'demo-tv-credential.json'), 'utf8')) as { id: string; secret: string };
    const session = await tvSession(demo, card, { authorization: `Device ${tvCredential.id}:${tvCredential.secret}` });
    const linked = await http(demo.tv, 'POST', '/api/v1/pension/links', session, { code: linkCode, shareBasic4: false });
    expectStatus(linked, 201, 'link');
    console.log(`TV: linked to ${linked.body.insurer.name} as ${linked.body.serviceUid}`);
    const inbox = await http(demo.tv, 'GET', '/api/v1/pension/inbox', session);
    const item = (inbox.body.items as Json[]).find((i) => i.kind === 'campaign' && String(i.title).includes(policyRef));
    if (!item) throw new Error('the campaign request is not in the inbox');
    const opened = await http(demo.tv, 'POST', `/api/v1/pension/inbox/${item.id}/open`, session, {});
    const { campaignId, policyId } = opened.body.confirmation as Json;
    const draft = await http(demo.tv, 'POST', '/api/v1/pension/confirmations/drafts', session, {
      campaignId, policyId, declarations: { aliveAndSigningMyself: true, addressUnchanged: true, nameUnchanged: true, paymentAccountUnchanged: true, changes: null },
    });
    expectStatus(draft, 201, 'draft');
    const signed = await cardSigns(demo, card, 'sign', draft.body.sign.digestInfo);
    const receipt = await http(demo.tv, 'POST', '/api/v1/pension/confirmations', session, { draftId: draft.body.draftId, ...signed });
    expectStatus(receipt, 201, 'submission');
    console.log(`TV: ${receipt.body.state}, signed at ${receipt.body.signedAt}`);
    if (receipt.body.state !== 'sealed') throw new Error('revocation pending: no CRL fresh enough yet; the bundle is made when one arrives');
    const bundle = await http(demo.operator, 'GET', `/api/v1/console/pension/submissions/${receipt.body.id}/bundle`, staff);
    expectStatus(bundle, 200, 'bundle');
    writeFileSync(out, bundle.text);
    console.log(`evidence bundle written to ${out} (check it: npm run evidence -- verify ${out} --roots ${join(opts.dataDir, 'jpki-dev')})`);
  } finally {
    await request(driver, 'demo.remove').catch(() => undefined);
    driver.close();
  }
}
