import type { RevocationDecision, RevocationOperation } from '../jpki/index.js';
import { fromBase64 } from '../shared/base64.js';
import { AppError } from '../shared/errors.js';
import { challengeMessage, type ChallengePurpose } from './challenge.js';
import type { IdentityDeps } from './deps.js';
import { burnNonce, openNonce, type OpenedNonce } from './nonces.js';

/** What the card sent back for a challenge: the auth certificate and its signature (base64). */
export interface CardAnswer {
  nonce: string;
  certificate: string;
  signature: string;
}

/**
 * Checks a card's answer to a challenge of this device (login, unregister): the nonce's seal,
 * device and purpose, then the auth certificate's chain, purpose, validity and signature over the
 * challenge, and its revocation as `operation`'s policy decides it (REVOCATION_POLICY: a TV login
 * asks the CRLs, a staff login OCSP first; both refuse an unknown status). A refused answer uses
 * the nonce up, and a replay is reported as such whatever else is wrong. On success the nonce is
 * still unused: the caller burns it (login does so in the statement that opens the session); the
 * revocation decision says which source answered and holds OCSP's signed response when it did.
 */
export async function checkCardAnswer(
  deps: IdentityDeps, deviceId: string, purpose: ChallengePurpose, input: CardAnswer, operation: RevocationOperation,
): Promise<{ nonce: OpenedNonce; lookupKey: string; revocation: RevocationDecision }> {
  const nonce = openNonce(deps.config.nonceSecret, input.nonce, deviceId, purpose);
  try {
    const cert = deps.jpki.parse(input.certificate);
    const chain = await deps.jpki.verify(cert, 'auth');
    await deps.jpki.verifySignature(cert, challengeMessage(input.nonce, purpose, deviceId), fromBase64(input.signature));
    // A CRL-only operation (a TV login) is decided in memory, without an await on the hot path.
    const revocation = deps.jpki.decideRevocationByCrl(operation, chain) ?? (await deps.jpki.decideRevocation(operation, chain));
    return { nonce, lookupKey: deps.jpki.lookupKeyOf(chain), revocation };
  } catch (err) {
    if (!(await burnNonce(deps.db, nonce))) throw new AppError('AUTH_NONCE_REPLAYED');
    throw err;
  }
}

