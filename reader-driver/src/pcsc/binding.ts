/**
 * The slice of the `pcsclite` npm binding (santigimeno/node-pcsclite 1.x) this folder uses, typed
 * by us so that type checking does not depend on the optional package being installed. The
 * package is loaded only here, lazily, and only `pcsc/` ever sees these types.
 */
import { EventEmitter } from 'node:events';

export type BindingCallback<T> = (err: Error | null | undefined, value: T) => void;

/** One reader as the binding models it: a status watcher plus at most one card handle. */
export interface BindingReader extends EventEmitter {
  readonly name: string;
  /** Whether the binding holds a card handle for this reader. */
  readonly connected: boolean;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  connect(options: { share_mode: number; protocol: number }, cb: BindingCallback<number | undefined>): void;
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void;
  transmit(data: Buffer, maxResponseLength: number, protocol: number, cb: BindingCallback<Buffer>): void;
  /** Stops the status watcher thread. */
  close(): void;
}

/** The context: emits `reader` for every reader that appears, and `error` if pcscd goes away. */
export interface BindingContext extends EventEmitter {
  close(): void;
}

/** Creates a context; throws synchronously when pcscd cannot be reached. */
export type BindingFactory = () => BindingContext;

/** SCARD_STATE_* flags of a reader status (pcsclite.h); the high 16 bits count card events. */
export const ReaderState = {
  changed: 0x0002,
  unknown: 0x0004,
  unavailable: 0x0008,
  empty: 0x0010,
  present: 0x0020,
  exclusive: 0x0080,
  inUse: 0x0100,
  mute: 0x0200,
} as const;

/** pcsc-lite's per-reader card event counter, bumped on every insertion and removal. */
export const eventCount = (state: number): number => (state >>> 16) & 0xffff;

export type LoadBindingResult = { ok: true; factory: BindingFactory } | { ok: false; reason: string; cause?: unknown };

/**
 * Imports `pcsclite` by a computed name, so neither the bundler nor `tsc` requires the optional
 * package; a missing package or a native module built against a missing libpcsclite becomes a
 * result, never a crash.
 */
export async function loadBinding(moduleName = 'pcsclite'): Promise<LoadBindingResult> {
  try {
    const mod = (await import(moduleName)) as { default?: unknown };
    const factory = (typeof mod.default === 'function' ? mod.default : mod) as unknown;
    if (typeof factory !== 'function') return { ok: false, reason: `the module '${moduleName}' does not export a function` };
    return { ok: true, factory: factory as BindingFactory };
  } catch (cause) {
    return { ok: false, reason: `the PC/SC binding '${moduleName}' cannot be loaded (${errorText(cause)})`, cause };
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
