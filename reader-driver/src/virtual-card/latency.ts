/**
 * A latency model close to a real My Number Card, so the UI and the WebSocket server can be
 * tried against realistic waits. Off by default. The figures and their reasoning are in README.md.
 */

/** Time a card spends on each part of a command, in milliseconds. */
export interface LatencyModel {
  /** Fixed cost of every command: reader round trip plus card OS dispatch. */
  commandMs: number;
  /** Transfer time per command or response byte on the card interface. */
  byteMs: number;
  /** One EEPROM write (PIN counter or PIN value). */
  writeMs: number;
  /** One RSA-2048 private-key operation (COMPUTE DIGITAL SIGNATURE). */
  signMs: number;
}

/** Contact (ISO 7816 T=1, F=372 D=4 at 4 MHz ≈ 43 kbit/s, 11 etu per byte). */
export const CONTACT_LATENCY: Readonly<LatencyModel> = Object.freeze({ commandMs: 3, byteMs: 0.26, writeMs: 5, signMs: 250 });

/** Contactless (ISO 14443 Type B at 106 kbit/s, 10 etu per byte; field-powered, so slower RSA). */
export const CONTACTLESS_LATENCY: Readonly<LatencyModel> = Object.freeze({ commandMs: 6, byteMs: 0.1, writeMs: 5, signMs: 400 });

/** What one command did, for the model. */
export interface CommandCost {
  commandBytes: number;
  responseBytes: number;
  writes: number;
  signed: boolean;
}

/** Delay for one command under `model`, rounded to whole milliseconds. */
export function commandDelayMs(model: LatencyModel, cost: CommandCost): number {
  const ms =
    model.commandMs +
    (cost.commandBytes + cost.responseBytes) * model.byteMs +
    cost.writes * model.writeMs +
    (cost.signed ? model.signMs : 0);
  return Math.round(ms);
}

/** Resolves `latency` option forms to a model (or none). */
export function resolveLatency(latency: LatencyModel | 'contact' | 'contactless' | null | undefined): LatencyModel | null {
  if (latency === 'contact') return CONTACT_LATENCY;
  if (latency === 'contactless') return CONTACTLESS_LATENCY;
  return latency ?? null;
}
