import type { Unregistered } from '../../api/platform-client.js';
import { cardSign, type ScriptDeps } from './card-sign.js';
import type { TaskId } from './flow-state.js';

/** Cancelling a registration's steps as the working screen lists them. */
export const UNREGISTER_TASKS: TaskId[] = ['nonce', 'authSign', 'unregister'];

export interface UnregisterInput {
  /** The auth PIN as typed. */
  pin: string;
  /** The auth certificate read at the card check (the logged-in person's own card). */
  certificate: string;
}

/**
 * Cancelling the logged-in person's registration: a fresh `unregister` nonce → the card signs it
 * with the auth key → the platform erases the registration. A session alone is not enough: the
 * card and its PIN are asked again. No nonce is fetched while the person types (unlike login): a
 * cancellation is rare, and its nonce must not outlive a change of mind.
 */
export async function unregisterMe(deps: ScriptDeps, input: UnregisterInput): Promise<Unregistered> {
  deps.progress(0);
  const nonce = await deps.requests.platform(() => deps.platform.createNonce('unregister'));
  deps.progress(1);
  const signed = await cardSign(deps, 'auth', input.pin, nonce.digestInfo, input.certificate);
  deps.progress(2);
  return deps.requests.platform(() =>
    deps.platform.unregister({ nonce: nonce.nonce, certificate: signed.certificate, signature: signed.signature }));
}
