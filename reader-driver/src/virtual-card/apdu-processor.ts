/**
 * Anything that answers APDUs like a contact smart card: the virtual My Number Card implements
 * it, and the vpcd bridge and the in-process transport drive it. Power and reset clear the
 * card's security state (verified PINs, selected DF) but never its PIN counters.
 */
export interface ApduProcessor {
  /** Powers the card up; returns its ATR. */
  powerOn(): Uint8Array;
  /** Powers the card down. */
  powerOff(): void;
  /** Warm reset; returns the ATR. */
  reset(): Uint8Array;
  /** The card's ATR (what `powerOn` returns). */
  readonly atr: Uint8Array;
  /** Processes one command APDU; resolves with response data followed by SW1 SW2. */
  process(command: Uint8Array): Promise<Uint8Array>;
}
