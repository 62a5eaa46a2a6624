import type { WireError } from '../../../../platform/src/shared/errors.js';
import type {
  PlatformClient, RegistrationResult, SessionResponse, TvHousehold,
} from '../../api/platform-client.js';
import type { KeyKind, PinStatus, ReaderClient } from '../../api/reader-client.js';
import type { PinNotice, PinValue } from './pin-entry.js';

/** The shapes the card flow's state takes, and what it needs from the outside (no DOM, no logic). */

/** `unregister`: the logged-in person cancels their registration (card and auth PIN again). */
export type FlowKind = 'login' | 'register' | 'unregister';

/** One piece of work the `working` screen lists, in order. */
export type TaskId = 'nonce' | 'authSign' | 'session' | 'draft' | 'signSign' | 'submit' | 'confirm' | 'unregister';

/**
 * Why the flow waits for the card: none there, taken away, no reader, or the reader driver (the
 * program on the TV that talks to the reader) is not answering; `noDriverLong` once that has
 * lasted a while, when the screen gives advice and a phone number.
 */
export type WaitReason = 'absent' | 'removed' | 'noReader' | 'noDriver' | 'noDriverLong';

/** A household member, as the flow knows them. */
export interface MemberRef {
  personId: string;
  name: string | null;
}

export type FlowStep =
  | { name: 'loading'; what: 'household' | 'card' }
  | { name: 'waitCard'; reason: WaitReason }
  /** The card in the reader is someone else's than the member picked: swap cards (nothing was sent). */
  | { name: 'wrongCard'; cardName: string | null; expectedName: string | null }
  /** Registration found the card already registered with this household. */
  | { name: 'alreadyRegistered'; personName: string | null }
  | { name: 'district'; districts: TvHousehold['districts']; selected: string | null }
  | { name: 'consent'; text: string }
  | {
      name: 'pin';
      key: KeyKind;
      /** The card's retry counter; null while it is being asked (or when the card could not say). */
      status: PinStatus | null;
      value: PinValue;
      reveal: boolean;
      /** The one-try-left confirmation is open. */
      confirming: boolean;
      notice: PinNotice | null;
    }
  | { name: 'working'; tasks: TaskId[]; current: number }
  | { name: 'confirm'; result: RegistrationResult }
  | { name: 'registered'; personName: string }
  /** Confirmed, but the platform waits for J-LIS to say both certificates are this card's. */
  | { name: 'pendingLinkage' }
  | { name: 'rejected' }
  | { name: 'notRegistered' }
  | { name: 'unregistered' }
  | { name: 'blocked'; key: KeyKind; error: WireError | null }
  | { name: 'failed'; error: WireError; network: boolean; canRetry: boolean };

export interface FlowState {
  kind: FlowKind;
  step: FlowStep;
  /** The member picked on the who-is-watching list, shown on the PIN screen. */
  expectedName: string | null;
  /** Whose card is in the reader (the platform said so from its certificate, before any PIN). */
  cardName: string | null;
  /** 「やめますか？」 is open: leaving would stop card work or throw away what was typed. */
  leaving: boolean;
}

/** The driver calls the flow makes, and the reader snapshot (ReaderClient fits). */
export type FlowReader = Pick<ReaderClient, 'send' | 'cancel' | 'onEvent' | 'onChange' | 'readers' | 'state'>;
/** The platform calls the flow makes (PlatformClient fits). */
export type FlowPlatform = Pick<
  PlatformClient,
  'createNonce' | 'createSession' | 'household' | 'createRegistrationDraft' | 'submitRegistration' | 'confirmRegistration' | 'cancelRegistration'
  | 'presence' | 'unregister'
>;

export interface CardFlowDeps {
  reader: FlowReader;
  platform: FlowPlatform;
  /** A session was made: the app shows the home screen. */
  onLoggedIn: (session: SessionResponse) => void;
  /** The person left the flow (or it ended): the app shows the start screen. */
  onExit: () => void;
  /** The registration was cancelled: every session of the person has ended. */
  onUnregistered?: () => void;
  /** Certificates already read from the card lying in a reader (card-cert-cache.ts), if any. */
  certs?: { get(reader: string | undefined): Promise<string> | null; put(reader: string | undefined, der: string): void };
  /** A timer (the advice when the reader driver stays away); setTimeout unless a test fakes it. */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

/** A signature the card made, and the certificate that verifies it. */
export type Signed = { signature: string; certificate: string };
