import { constants, createPrivateKey, privateEncrypt, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { closedLoop, KeepAliveClient, type LoadResult } from './http-load.js';

/**
 * The login benchmark's load generator, in its own thread so the servers keep the main thread's
 * event loop. It plays the TVs: nonce request, the card's signature (raw PKCS#1 v1.5 over the
 * DigestInfo, exactly what the card computes), session request.
 *
 * The card's signature is the card's work (a quarter of a second on a real card, on the TV's side),
 * yet an RSA private-key operation here costs more CPU than the whole server side of a login. So
 * there are two ways to run a login phase:
 * - `signing: 'ahead'` measures the server-side pipeline: each login requests a fresh nonce and
 *   then opens a session with an earlier nonce of the same TV, signed between phases (outside the
 *   timed window). The server does exactly a login's work per login: one nonce issued, one nonce
 *   checked and burnt, one signature, chain and revocation check, one session opened; every nonce
 *   is used once, well inside its lifetime. A TV whose signed nonces run out signs inline (counted).
 * - `signing: 'inline'` is a whole login end to end, the card's signing on the same cores.
 */

/** One registered person at one of their household's TVs. */
export interface LoadPerson {
  /** `Device <id>:<secret>` of the TV this person logs in on. */
  device: string;
  personId: string;
  /** Auth certificate, base64 DER (what the card returns with `withCertificate`). */
  certificate: string;
  /** Auth private key, base64 PKCS#8 DER (from the virtual card file). */
  authKey: string;
}

export interface LoadWorkerData {
  platformUrl: string;
  bareUrl: string;
  people: LoadPerson[];
  /** Upper bound of sockets per origin (the highest concurrency used). */
  maxSockets: number;
}

export interface PhaseArgs {
  kind: 'login' | 'bare';
  seconds: number;
  concurrency: number;
  /** Login phases: sign the card's challenges between phases ('ahead') or in the loop ('inline'). */
  signing?: 'ahead' | 'inline';
}

/** `signedInline`: logins of an 'ahead' phase that found no signed nonce waiting and signed in the loop. */
export type PhaseResult = LoadResult & { sockets: number; signedInline: number };

const data = workerData as LoadWorkerData;
const people = data.people.map((p) => ({ ...p, key: createPrivateKey({ key: Buffer.from(p.authKey, 'base64'), format: 'der', type: 'pkcs8' }) as KeyObject }));
const platform = new KeepAliveClient(data.platformUrl, data.maxSockets);
const bare = new KeepAliveClient(data.bareUrl, data.maxSockets);
const NONCE_BODY = JSON.stringify({ purpose: 'login' });

interface Challenge {
  nonce: string;
  digestInfo: string;
}
interface SignedChallenge {
  nonce: string;
  signature: string;
}
/** A first-in first-out queue that does not move its elements on every take (Array.shift does). */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;
  push(item: T): void {
    this.#items.push(item);
  }
  take(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  get length(): number {
    return this.#items.length - this.#head;
  }
}

/** Per person (index into `people`): challenges issued in the last phase, and those signed since, oldest first. */
const issued = people.map((): Challenge[] => []);
const signed = people.map(() => new Fifo<SignedChallenge>());

const cardSign = (key: KeyObject, digestInfo: string) =>
  privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(digestInfo, 'base64')).toString('base64');

async function requestChallenge(p: (typeof people)[number]): Promise<Challenge> {
  const n = await platform.post('/api/v1/nonces', NONCE_BODY, { authorization: p.device });
  if (n.status !== 201) refuse('nonce', n.status, n.body);
  return JSON.parse(n.body) as Challenge;
}

/** Between phases: the cards sign what the last phase was handed (outside any timed window). */
function signIssued(): void {
  people.forEach((p, i) => {
    for (const c of issued[i]!) signed[i]!.push({ nonce: c.nonce, signature: cardSign(p.key, c.digestInfo) });
    issued[i]!.length = 0;
  });
}

/** Tops every TV up to `perPerson` signed challenges (requested and signed now, untimed). Returns the total. */
async function prime(perPerson: number): Promise<number> {
  signIssued();
  await Promise.all(people.map(async (p, i) => {
    for (let k = signed[i]!.length; k < perPerson; k++) issued[i]!.push(await requestChallenge(p));
  }));
  signIssued();
  return signed.reduce((a, q) => a + q.length, 0);
}
const BARE_BODY = JSON.stringify({ purpose: 'login' });

function refuse(step: string, status: number, body: string): never {
  throw new Error(`${step}: HTTP ${status} ${body.slice(0, 300)}`);
}

async function run({ kind, seconds, concurrency, signing = 'inline' }: PhaseArgs): Promise<PhaseResult> {
  if (kind === 'bare') {
    const result = await closedLoop({
      concurrency,
      seconds,
      iteration: async (_slot, record) => {
        const t0 = performance.now();
        const res = await bare.post('/bare', BARE_BODY);
        const t1 = performance.now();
        if (res.status !== 200) refuse('bare', res.status, res.body);
        if ((JSON.parse(res.body) as { ok?: boolean }).ok !== true) refuse('bare', res.status, res.body);
        record('request', t1 - t0);
      },
    });
    return { ...result, sockets: bare.socketCount, signedInline: 0 };
  }
  let signedInline = 0;
  const ahead = signing === 'ahead';
  const result = await closedLoop({
    concurrency,
    seconds,
    iteration: async (slot, record) => {
      const i = slot % people.length;
      const p = people[i]!;
      const headers = { authorization: p.device };
      const t0 = performance.now();
      const fresh = await requestChallenge(p);
      const t1 = performance.now();
      let use = ahead ? signed[i]!.take() : undefined;
      if (ahead && use) issued[i]!.push(fresh);
      if (!use) {
        if (ahead) signedInline++;
        use = { nonce: fresh.nonce, signature: cardSign(p.key, fresh.digestInfo) };
      }
      const t2 = performance.now();
      const s = await platform.post('/api/v1/sessions', JSON.stringify({ nonce: use.nonce, certificate: p.certificate, signature: use.signature }), headers);
      const t3 = performance.now();
      if (s.status !== 201) refuse('session', s.status, s.body);
      const session = JSON.parse(s.body) as { token?: string; person?: { id?: string } };
      if (!session.token || session.person?.id !== p.personId) refuse('session (wrong person)', s.status, s.body);
      record('login', t3 - t0 - (t2 - t1));
      record('nonce', t1 - t0);
      if (t2 - t1 > 0.05) record('sign', t2 - t1);
      record('session', t3 - t2);
    },
  });
  if (ahead) signIssued();
  return { ...result, sockets: platform.socketCount, signedInline };
}

parentPort!.on('message', (msg: { id: number; cmd: string; args: unknown }) => {
  const reply = (ok: boolean, payload: unknown) => parentPort!.postMessage(ok ? { id: msg.id, ok, result: payload } : { id: msg.id, ok, error: payload });
  if (msg.cmd === 'run') {
    run(msg.args as PhaseArgs).then((r) => reply(true, r), (err: unknown) => reply(false, err instanceof Error ? err.stack : String(err)));
  } else if (msg.cmd === 'prime') {
    prime(msg.args as number).then((r) => reply(true, r), (err: unknown) => reply(false, err instanceof Error ? err.stack : String(err)));
  } else if (msg.cmd === 'ping') {
    reply(true, 'pong');
  } else if (msg.cmd === 'close') {
    platform.close();
    bare.close();
    reply(true, null);
  } else reply(false, `unknown command ${msg.cmd}`);
});
