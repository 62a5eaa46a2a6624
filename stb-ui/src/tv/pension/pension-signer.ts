import { PlatformError, type ConfirmationDraftView, type ConfirmationReceiptView, type PlatformClient } from '../../api/platform-client.js';
import type { PinStatus } from '../../api/reader-client.js';
import { cardSign } from '../flow/card-sign.js';
import { FlowRequests, PinFateUnknown, wireOf } from '../flow/flow-requests.js';
import type { FlowReader } from '../flow/flow-state.js';

/** How a signing attempt ended, for the screen: a receipt, or what to say and whether the typed password is kept. */
export type SignOutcome =
  | { kind: 'done'; receipt: ConfirmationReceiptView }
  | { kind: 'wrongPassword'; triesLeft: number | null }
  | { kind: 'blocked' }
  /** No card when 決定 was pressed: put it back and press 決定 again; nothing reached a card. */
  | { kind: 'cardAway' }
  /**
   * No reader: unplugged, its service down, or no link to the driver before the request left the
   * TV (the cable out). Nothing reached a card: check the cable and power, then 決定 again.
   */
  | { kind: 'noReader' }
  /**
   * The card may have checked the password (a wrong one cost a try), and its answer was lost: the
   * driver link dropped (`linkLost`) or the card was taken away (`cardRemoved`). The password is
   * never sent again unseen: `statusAgain()`, then the keyboard again, empty.
   */
  | { kind: 'askAgain'; notice: 'linkLost' | 'cardRemoved' }
  /**
   * The card signed, and the platform did not take it (no answer in time, a network or server
   * failure): `again()` sends the same signature once more (もう一度), no password, no card.
   */
  | { kind: 'notSent'; error: unknown; again: () => Promise<SignOutcome> }
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
  /** The auth certificate (no PIN) of the card the tries were asked of: a card put back is checked against it. */
  private _cardCert: string | null = null;
  private _stopWaiting: (() => void) | null = null;

  constructor(private readonly _reader: FlowReader, private readonly _platform: Pick<PlatformClient, 'submitPensionConfirmation'>) {
    this._requests = new FlowRequests(_reader);
  }

  /**
   * The sign password's retry counter, or null when the card cannot say (or is not there). The
   * card is then noted (its auth certificate, read after: the tries are shown first).
   */
  async status(): Promise<PinStatus | null> {
    try {
      const s = await this._requests.card('pin.status', { key: 'sign' });
      return { triesLeft: s.triesLeft, blocked: s.blocked };
    } catch {
      return null;
    } finally {
      if (this._cardCert === null) void this._readCard().then((der) => void (this._cardCert ??= der));
    }
  }

  /**
   * After `askAgain`: waits for the driver link and a card, checks it is the card the tries were
   * asked of (`otherCard` when not: its own password, its own tries), and asks its tries.
   */
  async statusAgain(): Promise<{ status: PinStatus | null; otherCard: boolean }> {
    await this._linkAndCard();
    const der = await this._readCard();
    const otherCard = der !== null && this._cardCert !== null && der !== this._cardCert;
    if (der !== null) this._cardCert = der;
    return { status: await this.status(), otherCard };
  }

  /** Stops waiting (the screen is gone); answers still under way are ignored. */
  dispose(): void {
    this._stopWaiting?.();
    this._requests.supersede();
  }

  private async _readCard(): Promise<string | null> {
    try {
      return (await this._requests.card('cert.read', { which: 'auth' })).der;
    } catch {
      return null;
    }
  }

  private _linkAndCard(): Promise<void> {
    const ready = () => this._reader.state === 'open' && this._reader.readers.some((r) => r.cardPresent);
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      // The client tells every change: the link, and each card in or out (readers is updated first).
      const off = this._reader.onChange(() => {
        if (!ready()) return;
        stop();
        resolve();
      });
      const stop = () => {
        off();
        this._stopWaiting = null;
      };
      this._stopWaiting = stop;
    });
  }

  async sign(draft: ConfirmationDraftView, password: string): Promise<SignOutcome> {
    let signed;
    try {
      signed = await cardSign({ requests: this._requests, signing: () => {} }, 'sign', password, draft.sign.digestInfo, null);
    } catch (err) {
      if (err instanceof PinFateUnknown) return { kind: 'askAgain', notice: err.lostBy === 'link' ? 'linkLost' : 'cardRemoved' };
      const wire = wireOf(err)?.error;
      if (wire?.code === 'CARD_PIN_WRONG') return { kind: 'wrongPassword', triesLeft: typeof wire.details?.triesLeft === 'number' ? wire.details.triesLeft : null };
      if (wire?.code === 'CARD_PIN_BLOCKED') return { kind: 'blocked' };
      if (wire?.code === 'CARD_ABSENT') return { kind: 'cardAway' };
      // A lost link that may have carried the password is PinFateUnknown above: what is left never reached a card.
      if (wire?.code === 'READER_NOT_FOUND' || wire?.code === 'READER_UNAVAILABLE') return { kind: 'noReader' };
      return { kind: 'failed', error: err };
    }
    return this._submit({ draftId: draft.draftId, ...signed });
  }

  private async _submit(signed: { draftId: string; signature: string; certificate: string }): Promise<SignOutcome> {
    try {
      return { kind: 'done', receipt: await this._platform.submitPensionConfirmation(signed) };
    } catch (err) {
      // No answer, or the server failing (a 5xx: also the timestamp or revocation source out of
      // reach, which leaves the draft unused): the same signature may well be taken later. A
      // refusal (an expired draft, a certificate not the person's…) would only be refused again.
      const wire = wireOf(err);
      const failing = err instanceof PlatformError && err.status !== null && err.status >= 500;
      const later = wire !== null && (wire.network || failing || wire.error.code === 'CLIENT_TIMEOUT' || wire.error.code === 'INTERNAL');
      return later ? { kind: 'notSent', error: err, again: () => this._submit(signed) } : { kind: 'failed', error: err };
    }
  }
}
