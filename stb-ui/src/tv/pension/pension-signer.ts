import type { ConfirmationDraftView, ConfirmationReceiptView, PlatformClient } from '../../api/platform-client.js';
import type { PinStatus } from '../../api/reader-client.js';
import { cardSign } from '../flow/card-sign.js';
import { FlowRequests, wireOf } from '../flow/flow-requests.js';
import type { FlowReader } from '../flow/flow-state.js';

const BUSY_RETRIES = 5;
const BUSY_WAIT_MS = 400;

/** How a signing attempt ended, for the screen: a receipt, or what to say and whether the typed password is kept. */
export type SignOutcome =
  | { kind: 'done'; receipt: ConfirmationReceiptView }
  | { kind: 'wrongPassword'; triesLeft: number | null }
  | { kind: 'blocked' }
  /** The card left the reader (or was not there): put it back and press 決定 again; nothing was sent. */
  | { kind: 'cardAway' }
  /** Anything else (the thrown value, for failureText). */
  | { kind: 'failed'; error: unknown };

/**
 * The card work of the 現況確認届: the 署名用 password's tries, then the card signs the platform's
 * DigestInfo with the SIGNATURE key (reading its certificate in the same card transaction) and the
 * platform verifies, timestamps and keeps it. The draft is used only by a successful card
 * signature, so a wrong password or a card taken away can simply be tried again.
 */
export class PensionSigner {
  private readonly _requests: FlowRequests;

  constructor(reader: FlowReader, private readonly _platform: Pick<PlatformClient, 'submitPensionConfirmation'>) {
    this._requests = new FlowRequests(reader);
  }

  /** The sign password's retry counter, or null when the card cannot say (or is not there). */
  /**
   * The card's signature. A card just put back is read by the page's certificate cache at the same
   * moment (the driver answers WS_BAD_STATE while that runs): the signature waits a moment and
   * asks again, a few times, rather than send the person back to type the password again.
   */
  private async _cardSign(draft: ConfirmationDraftView, password: string) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await cardSign({ requests: this._requests, signing: () => {} }, 'sign', password, draft.sign.digestInfo, null);
      } catch (err) {
        if (wireOf(err)?.error.code !== 'WS_BAD_STATE' || attempt >= BUSY_RETRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS));
      }
    }
  }

  async status(): Promise<PinStatus | null> {
    try {
      const s = await this._requests.card('pin.status', { key: 'sign' });
      return { triesLeft: s.triesLeft, blocked: s.blocked };
    } catch {
      return null;
    }
  }

  async sign(draft: ConfirmationDraftView, password: string): Promise<SignOutcome> {
    let signed;
    try {
      signed = await this._cardSign(draft, password);
    } catch (err) {
      const wire = wireOf(err)?.error;
      if (wire?.code === 'CARD_PIN_WRONG') return { kind: 'wrongPassword', triesLeft: typeof wire.details?.triesLeft === 'number' ? wire.details.triesLeft : null };
      if (wire?.code === 'CARD_PIN_BLOCKED') return { kind: 'blocked' };
      if (wire?.code === 'CARD_REMOVED' || wire?.code === 'CARD_ABSENT' || wire?.code === 'READER_NOT_FOUND') return { kind: 'cardAway' };
      return { kind: 'failed', error: err };
    }
    try {
      return { kind: 'done', receipt: await this._platform.submitPensionConfirmation({ draftId: draft.draftId, ...signed }) };
    } catch (err) {
      return { kind: 'failed', error: err };
    }
  }
}
