import type { KeyKind } from '../../api/reader-client.js';
import type { FlowRequests } from './flow-requests.js';
import type { FlowPlatform, Signed } from './flow-state.js';

/** What a login or registration script needs: the requests, and a way to show progress. */
export interface ScriptDeps {
  requests: FlowRequests;
  platform: FlowPlatform;
  /** The working screen moves to task `current` of the script's list. */
  progress: (current: number) => void;
  /** Which key is about to sign (a PIN error that follows is about that key). */
  signing: (key: KeyKind) => void;
}

/**
 * The card signs `digestInfo` with `key`. `certificate` is the key's certificate when the flow
 * already has it (the auth certificate read at the card check, of the same card): then the card
 * only signs; otherwise it also reads the certificate in the same card transaction.
 */
export async function cardSign(deps: Pick<ScriptDeps, 'requests' | 'signing'>, key: KeyKind, pin: string, digestInfo: string, certificate: string | null): Promise<Signed> {
  deps.signing(key);
  const r = await deps.requests.card('sign', { key, pin, digestInfo, withCertificate: certificate === null });
  const cert = certificate ?? r.certificate;
  if (!cert) throw { error: { code: 'CARD_COMMAND_FAILED', message: 'no certificate returned', ja: '' } };
  return { signature: r.signature, certificate: cert };
}
