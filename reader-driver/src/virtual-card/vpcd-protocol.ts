/**
 * The wire format between vsmartcard's `vpcd` (a pcscd reader driver that listens on TCP) and a
 * virtual card that connects to it. Every message, in both directions, is a 2-byte big-endian
 * length followed by that many bytes. From vpcd, a 1-byte payload is a control message and
 * anything longer is a command APDU; the card answers GET ATR with its ATR and an APDU with the
 * response APDU, and answers nothing else.
 */

/** vpcd's default TCP port for the first reader slot (0x8C7B); slot n listens on port + n. */
export const VPCD_DEFAULT_PORT = 0x8c7b;

/** Control bytes vpcd sends as a 1-byte payload. */
export const VpcdControl = {
  powerOff: 0x00,
  powerOn: 0x01,
  reset: 0x02,
  getAtr: 0x04,
} as const;
export type VpcdControl = (typeof VpcdControl)[keyof typeof VpcdControl];

/** A decoded message from vpcd. */
export type VpcdMessage =
  | { kind: 'control'; control: number }
  | { kind: 'apdu'; apdu: Uint8Array };

/** The largest payload the 2-byte length can carry. */
export const VPCD_MAX_PAYLOAD = 0xffff;

/** Frames one payload: 2-byte big-endian length, then the bytes. */
export function encodeVpcdFrame(payload: Uint8Array): Buffer {
  if (payload.length > VPCD_MAX_PAYLOAD) throw new RangeError(`vpcd payload too long: ${payload.length} bytes`);
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame.writeUInt16BE(payload.length, 0);
  frame.set(payload, 2);
  return frame;
}

/** Classifies a payload received from vpcd. */
export function parseVpcdPayload(payload: Uint8Array): VpcdMessage {
  if (payload.length === 1) return { kind: 'control', control: payload[0]! };
  return { kind: 'apdu', apdu: payload };
}

/**
 * Reassembles frames from a TCP byte stream, which may split or merge them arbitrarily.
 * Feed every chunk to `push`; it returns the payloads completed by that chunk, in order.
 */
export class VpcdFrameDecoder {
  private _pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Buffer[] {
    this._pending = this._pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this._pending, chunk]);
    const payloads: Buffer[] = [];
    while (this._pending.length >= 2) {
      const length = this._pending.readUInt16BE(0);
      if (this._pending.length < 2 + length) break;
      payloads.push(Buffer.from(this._pending.subarray(2, 2 + length)));
      this._pending = this._pending.subarray(2 + length);
    }
    return payloads;
  }

  /** Drops a partial frame (after the connection closed). */
  reset(): void {
    this._pending = Buffer.alloc(0);
  }
}
