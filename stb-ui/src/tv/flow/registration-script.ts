import type { RegistrationDraft, RegistrationResult } from '../../api/platform-client.js';
import type { KeyKind } from '../../api/reader-client.js';
import { cardSign, type ScriptDeps } from './card-sign.js';
import { wireOf } from './flow-requests.js';
import type { Signed, TaskId } from './flow-state.js';

/** The registration's steps as the working screen lists them. */
export const REGISTRATION_TASKS: TaskId[] = ['draft', 'signSign', 'authSign', 'submit'];

/**
 * What a registration has gathered; kept by the flow so that もう一度 (or the card put back)
 * carries on from where it stopped instead of asking the card again.
 */
export interface RegistrationWork {
  district: string;
  pins: Record<KeyKind, string>;
  /** The auth certificate read at the card check. */
  authCertificate: string;
  draft: RegistrationDraft | null;
  signed: Partial<Record<KeyKind, Signed>>;
}

/**
 * Registration: draft → the card signs it with the sign key, then the auth key → the platform
 * reads the 基本4情報. A draft that ran out while the person was typing or away is started again
 * once (the PINs are kept).
 */
export async function register(deps: ScriptDeps, work: RegistrationWork, retried = false): Promise<RegistrationResult> {
  try {
    deps.progress(0);
    const draft = (work.draft ??= await deps.requests.platform(() => deps.platform.createRegistrationDraft(work.district)));
    deps.progress(1);
    work.signed.sign ??= await cardSign(deps, 'sign', work.pins.sign, draft.sign.digestInfo, null);
    deps.progress(2);
    work.signed.auth ??= await cardSign(deps, 'auth', work.pins.auth, draft.auth.digestInfo, work.authCertificate);
    deps.progress(3);
    const { sign, auth } = work.signed as Record<KeyKind, Signed>;
    return await deps.requests.platform(() => deps.platform.submitRegistration({
      draftId: draft.draftId,
      signCertificate: sign.certificate, signSignature: sign.signature,
      authCertificate: auth.certificate, authSignature: auth.signature,
    }));
  } catch (err) {
    if (retried || wireOf(err)?.error.code !== 'AUTH_REGISTRATION_EXPIRED') throw err;
    work.draft = null;
    work.signed = {};
    return register(deps, work, true);
  }
}
