import { constants, createPrivateKey, privateEncrypt, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { closedLoop, KeepAliveClient, type LoadResult } from './http-load.js';

/**
 * The login benchmark's load generator, in its own thread so the servers keep the main thread's
 * event loop. It plays the TVs: nonce request, the card's signature (raw PKCS#1 v1.5 over the
 * DigestInfo, exactly what the card computes), session request. Signing is client CPU on the
 * same machine: it is timed separately (`sign`) and kept out of the session latency.
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
}

export type PhaseResult = LoadResult & { sockets: number };

const data = workerData as LoadWorkerData;
const people = data.people.map((p) => ({ ...p, key: createPrivateKey({ key: Buffer.from(p.authKey, 'base64'), format: 'der', type: 'pkcs8' }) as KeyObject }));
const platform = new KeepAliveClient(data.platformUrl, data.maxSockets);
const bare = new KeepAliveClient(data.bareUrl, data.maxSockets);
const NONCE_BODY = JSON.stringify({ purpose: 'login' });
const BARE_BODY = JSON.stringify({ purpose: 'login' });

function refuse(step: string, status: number, body: string): never {
  throw new Error(`${step}: HTTP ${status} ${body.slice(0, 300)}`);
}

async function run({ kind, seconds, concurrency }: PhaseArgs): Promise<PhaseResult> {
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
    return { ...result, sockets: bare.socketCount };
  }
  const result = await closedLoop({
    concurrency,
    seconds,
    iteration: async (slot, record) => {
      const p = people[slot % people.length]!;
      const headers = { authorization: p.device };
      const t0 = performance.now();
      const n = await platform.post('/api/v1/nonces', NONCE_BODY, headers);
      if (n.status !== 201) refuse('nonce', n.status, n.body);
      const { nonce, digestInfo } = JSON.parse(n.body) as { nonce: string; digestInfo: string };
      const t1 = performance.now();
      const signature = privateEncrypt({ key: p.key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(digestInfo, 'base64')).toString('base64');
      const t2 = performance.now();
      const s = await platform.post('/api/v1/sessions', JSON.stringify({ nonce, certificate: p.certificate, signature }), headers);
      const t3 = performance.now();
      if (s.status !== 201) refuse('session', s.status, s.body);
      const session = JSON.parse(s.body) as { token?: string; person?: { id?: string } };
      if (!session.token || session.person?.id !== p.personId) refuse('session (wrong person)', s.status, s.body);
      record('login', t3 - t0);
      record('nonce', t1 - t0);
      record('sign', t2 - t1);
      record('session', t3 - t2);
    },
  });
  return { ...result, sockets: platform.socketCount };
}

parentPort!.on('message', (msg: { id: number; cmd: string; args: unknown }) => {
  const reply = (ok: boolean, payload: unknown) => parentPort!.postMessage(ok ? { id: msg.id, ok, result: payload } : { id: msg.id, ok, error: payload });
  if (msg.cmd === 'run') {
    run(msg.args as PhaseArgs).then((r) => reply(true, r), (err: unknown) => reply(false, err instanceof Error ? err.stack : String(err)));
  } else if (msg.cmd === 'ping') {
    reply(true, 'pong');
  } else if (msg.cmd === 'close') {
    platform.close();
    bare.close();
    reply(true, null);
  } else reply(false, `unknown command ${msg.cmd}`);
});
