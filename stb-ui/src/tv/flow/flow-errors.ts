import type { WireError } from '../../../../platform/src/shared/errors.js';
import type { KeyKind, PinStatus } from '../../api/reader-client.js';
import type { WaitReason } from './flow-state.js';
import { PinFateUnknown, Superseded, wireOf } from './flow-requests.js';

/** Where an error takes the flow: one screen per kind of failure, decided here and only here. */
export type ErrorOutcome =
  /** A superseded step, or a cancel the person asked for: nothing to show. */
  | { to: 'nothing' }
  /** The PIN was refused: type it again (`status` is what the card said, if it said). */
  | { to: 'pin'; key: KeyKind; notice: 'wrong' | 'format'; status: PinStatus | null }
  /**
   * A PIN was sent and the driver link lost before its answer (`link`), or the card taken away
   * while it ran (`card`): it may have cost a try, so wait for the link and the card, check it is
   * the same card, then ask its tries and the PIN again — never resend it unseen.
   */
  | { to: 'pinAgain'; key: KeyKind; lostBy: 'link' | 'card' }
  | { to: 'blocked'; key: KeyKind; error: WireError }
  /** No card, or no reader: wait for it, then carry on. */
  | { to: 'waitCard'; reason: WaitReason }
  | { to: 'notRegistered' }
  | { to: 'failed'; error: WireError; network: boolean };

/**
 * Maps any error of a card or platform request to where the flow goes. `signingKey` is the key
 * the last sign used (a PIN error is about that key); `cardSeen` whether a card was read in this
 * flow (no card now, but one was read: for the person, it came off the reader).
 */
export function errorOutcome(err: unknown, signingKey: KeyKind, cardSeen: boolean): ErrorOutcome {
  if (err instanceof Superseded) return { to: 'nothing' };
  if (err instanceof PinFateUnknown) return { to: 'pinAgain', key: err.key, lostBy: err.lostBy };
  const wire = wireOf(err);
  if (!wire) return { to: 'failed', error: { code: 'INTERNAL', message: String(err), ja: '' }, network: false };
  const { error } = wire;
  switch (error.code) {
    case 'CARD_PIN_WRONG': {
      const triesLeft = typeof error.details?.triesLeft === 'number' ? error.details.triesLeft : null;
      return { to: 'pin', key: signingKey, notice: 'wrong', status: { triesLeft, blocked: triesLeft === 0 } };
    }
    case 'CARD_PIN_FORMAT':
      return { to: 'pin', key: signingKey, notice: 'format', status: null };
    case 'CARD_PIN_BLOCKED':
      return { to: 'blocked', key: signingKey, error };
    case 'CARD_ABSENT':
    case 'CARD_REMOVED':
      return { to: 'waitCard', reason: error.code === 'CARD_ABSENT' && !cardSeen ? 'absent' : 'removed' };
    case 'READER_NOT_FOUND':
      return { to: 'waitCard', reason: 'noReader' };
    case 'READER_UNAVAILABLE':
    case 'READER_REQUEST_LOST':
      // The driver's link is gone (or its PC/SC service is), or a short drop lost a request carrying
      // no PIN: wait for it, then carry on by itself.
      return { to: 'waitCard', reason: 'noDriver' };
    case 'AUTH_NOT_REGISTERED':
      return { to: 'notRegistered' };
    case 'WS_CANCELLED':
      return { to: 'nothing' };
    default:
      return { to: 'failed', error, network: wire.network };
  }
}
