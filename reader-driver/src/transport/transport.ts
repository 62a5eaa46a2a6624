import type { EventEmitter } from 'node:events';
import type { CardSession } from '../apdu/card-session.js';

/**
 * How the JPKI client reaches a card, whatever is behind it: pcscd (`pcsc/`), an in-process
 * virtual card (`virtual-card/`), later a paired phone. Implementations translate their own
 * failures into catalogue errors once, here at the edge: `CARD_REMOVED` when the card went away
 * mid-command, `READER_NOT_FOUND` when the reader did, `READER_UNAVAILABLE` when the service did.
 * `CARD_ABSENT` comes from `connect` only: no command reached a card, so the TV keeps a PIN sent
 * with it (after CARD_REMOVED it may have cost a try, and is asked again).
 */
export type { CardSession } from '../apdu/card-session.js';

/** A reader as the bay sees it now. */
export interface ReaderInfo {
  name: string;
  cardPresent: boolean;
  /** Hex ATR of the present card, if any. */
  atr?: string;
}

/** Events a bay emits; names match the WebSocket protocol's pushed events. */
export interface ReaderBayEvents {
  'reader.added': [ReaderInfo];
  'reader.removed': [ReaderInfo];
  'card.inserted': [ReaderInfo];
  'card.removed': [ReaderInfo];
}

/**
 * All readers one transport can see, with live insert/remove events. A bay is an EventEmitter
 * of `ReaderBayEvents`.
 */
export interface ReaderBay extends EventEmitter<ReaderBayEvents> {
  /** Which kind of bay this is, for status and logs. */
  readonly kind: 'pcsc' | 'virtual';
  /** The readers known right now. */
  readers(): ReaderInfo[];
  /** Connects to the card in `readerName`: `CARD_ABSENT` if none, `READER_NOT_FOUND` if no such reader. */
  connect(readerName: string): Promise<CardSession>;
  /** Stops watching readers and releases everything. */
  close(): Promise<void>;
}
