import type { NonceResponse, SessionResponse } from '../../api/platform-client.js';
import { cardSign, type ScriptDeps } from './card-sign.js';
import { wireOf } from './flow-requests.js';
import type { TaskId } from './flow-state.js';

/** The login's steps as the working screen lists them. */
export const LOGIN_TASKS: TaskId[] = ['nonce', 'authSign', 'session'];

export interface LoginInput {
  /** The auth PIN as typed. */
  pin: string;
  /** The auth certificate read at the card check (the card in the reader is checked to be that card). */
  certificate: string;
  /** A nonce asked for while the person typed, if any (it fails over to a fresh one). */
  nonce: Promise<NonceResponse> | null;
}

/**
 * Login: nonce → the card signs it with the auth key → the platform makes a session. The
 * certificate is the one read at the card check, so the card only signs (one card transaction).
 * A nonce that ran out while the person typed is replaced once; the PIN is still in memory.
 */
export async function logIn(deps: ScriptDeps, input: LoginInput): Promise<SessionResponse> {
  const fresh = () => deps.requests.platform(() => deps.platform.createNonce('login'));
  deps.progress(0);
  let nonce = input.nonce ? await input.nonce.catch(fresh) : await fresh();
  for (let attempt = 0; ; attempt++) {
    deps.progress(1);
    const signed = await cardSign(deps, 'auth', input.pin, nonce.digestInfo, input.certificate);
    deps.progress(2);
    try {
      return await deps.requests.platform(() =>
        deps.platform.createSession({ nonce: nonce.nonce, certificate: signed.certificate, signature: signed.signature }));
    } catch (err) {
      const code = wireOf(err)?.error.code;
      if (attempt > 0 || (code !== 'AUTH_NONCE_EXPIRED' && code !== 'AUTH_NONCE_INVALID')) throw err;
      deps.progress(0);
      nonce = await fresh();
    }
  }
}
