/**
 * The channel APDUs travel on: one card in one reader. It is declared here, in the APDU layer,
 * because this layer (the guard) wraps it; the transports (`transport/`, `pcsc/`, `virtual-card/`)
 * implement it, so they depend on this layer and never the other way round.
 */
export interface CardSession {
  /** The reader this session talks through. */
  readonly readerName: string;
  /** The card's answer to reset, as the reader reports it. */
  readonly atr: Uint8Array;
  /**
   * Sends one command APDU and returns the whole response, data followed by SW1 SW2. Status words
   * are not interpreted here: that happens only in `apdu/`.
   */
  transmit(command: Uint8Array): Promise<Uint8Array>;
  /**
   * Runs `fn` with exclusive use of the card (PC/SC SCardBeginTransaction … EndTransaction), so no
   * other process can re-select or reset it between SELECT, VERIFY and SIGN (SPEC §6 item 10).
   * Calls do not nest.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Releases the card (leaves it powered; the PIN state is the card's business). */
  disconnect(): Promise<void>;
}

