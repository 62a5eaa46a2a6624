/**
 * Command APDU parsing for the card side (virtual card, guard) and response splitting for the
 * host side. ISO 7816-3 §12.1 cases 1, 2, 3 and 4, short and extended.
 */
import { AppError } from '../../../platform/src/shared/errors.js';

/** A decoded command APDU. */
export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (empty for cases 1 and 2). */
  data: Uint8Array;
  /** Ne, the most response bytes expected (Le = 00 → 256, extended 0000 → 65536); `null` when no Le was sent. */
  ne: number | null;
  /** Which ISO case the bytes encode. */
  case: 1 | 2 | 3 | 4;
  /** True for extended Lc / Le (the JPKI AP needs none). */
  extended: boolean;
}

const malformed = (detail: string) => new AppError('APDU_MALFORMED', { detail });

/** Decodes a command APDU; throws AppError('APDU_MALFORMED') when its length fields do not add up. */
export function parseCommand(bytes: Uint8Array): CommandApdu {
  if (bytes.length < 4) throw malformed(`command of ${bytes.length} bytes`);
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const head = { cla, ins, p1, p2 };
  const body = bytes.subarray(4);
  const empty = new Uint8Array(0);

  if (body.length === 0) return { ...head, data: empty, ne: null, case: 1, extended: false };

  const b1 = body[0]!;
  if (body.length === 1) return { ...head, data: empty, ne: b1 === 0 ? 256 : b1, case: 2, extended: false };

  if (b1 !== 0) {
    // Short Lc = b1.
    if (body.length === 1 + b1) return { ...head, data: body.slice(1), ne: null, case: 3, extended: false };
    if (body.length === 2 + b1) {
      const le = body[1 + b1]!;
      return { ...head, data: body.slice(1, 1 + b1), ne: le === 0 ? 256 : le, case: 4, extended: false };
    }
    throw malformed(`Lc ${b1} with ${body.length - 1} bytes following`);
  }

  // b1 = 00 and more bytes follow: extended length.
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { ...head, data: empty, ne: le === 0 ? 65536 : le, case: 2, extended: true };
  }
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw malformed('extended Lc of 0');
  if (body.length === 3 + lc) return { ...head, data: body.slice(3, 3 + lc), ne: null, case: 3, extended: true };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { ...head, data: body.slice(3, 3 + lc), ne: le === 0 ? 65536 : le, case: 4, extended: true };
  }
  throw malformed(`extended Lc ${lc} with ${body.length - 3} bytes following`);
}

/** A response APDU split into its data and status word. */
export interface ResponseApdu {
  data: Uint8Array;
  /** SW1 SW2 as one number, e.g. 0x9000. */
  sw: number;
}

/** Splits `data || SW1 SW2`; does not interpret the status word (see `status-words.ts`). */
export function splitResponse(response: Uint8Array): ResponseApdu {
  if (response.length < 2) throw malformed(`response of ${response.length} bytes`);
  const n = response.length;
  return { data: response.slice(0, n - 2), sw: (response[n - 2]! << 8) | response[n - 1]! };
}

/** Builds `data || SW1 SW2` (card side). */
export function buildResponse(sw: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
