import { AppError, type ErrorCode } from '../../../platform/src/shared/errors.js';
import { errorText } from './binding.js';

/**
 * PC/SC return codes (pcsc-lite `pcsclite.h`, same values as WinSCard) that we tell apart. The
 * binding reports them only inside the message text, as `SCardTransmit error: Card was
 * removed.(0x80100069)`, so `pcscCodeOf` reads them back from there.
 */
export const PcscCode = {
  CANCELLED: 0x80100002,
  INVALID_HANDLE: 0x80100003,
  UNKNOWN_READER: 0x80100009,
  TIMEOUT: 0x8010000a,
  SHARING_VIOLATION: 0x8010000b,
  NO_SMARTCARD: 0x8010000c,
  PROTO_MISMATCH: 0x8010000f,
  NOT_READY: 0x80100010,
  COMM_ERROR: 0x80100013,
  NOT_TRANSACTED: 0x80100016,
  READER_UNAVAILABLE: 0x80100017,
  NO_SERVICE: 0x8010001d,
  SERVICE_STOPPED: 0x8010001e,
  NO_READERS_AVAILABLE: 0x8010002e,
  UNRESPONSIVE_CARD: 0x80100066,
  UNPOWERED_CARD: 0x80100067,
  RESET_CARD: 0x80100068,
  REMOVED_CARD: 0x80100069,
} as const;

/** The PC/SC return code inside a binding error's message, if there is one. */
export function pcscCodeOf(err: unknown): number | undefined {
  const match = /\(0x([0-9a-f]{8})\)/i.exec(errorText(err));
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

/**
 * Which catalogue code a PC/SC return code means. `undefined` for the codes whose meaning
 * depends on what the reader reports next (a vpcd or USB card pulled mid-command surfaces as
 * NOT_TRANSACTED or COMM_ERROR before pcscd notices the removal); the session resolves those.
 */
const BY_PCSC_CODE = new Map<number, ErrorCode>([
  [PcscCode.REMOVED_CARD, 'CARD_REMOVED'],
  [PcscCode.RESET_CARD, 'CARD_REMOVED'],
  [PcscCode.UNPOWERED_CARD, 'CARD_REMOVED'],
  [PcscCode.NO_SMARTCARD, 'CARD_ABSENT'],
  [PcscCode.UNRESPONSIVE_CARD, 'CARD_COMMAND_FAILED'],
  [PcscCode.PROTO_MISMATCH, 'CARD_COMMAND_FAILED'],
  [PcscCode.TIMEOUT, 'CARD_COMMAND_FAILED'],
  [PcscCode.SHARING_VIOLATION, 'CARD_IN_USE'],
  [PcscCode.UNKNOWN_READER, 'READER_NOT_FOUND'],
  [PcscCode.READER_UNAVAILABLE, 'READER_NOT_FOUND'],
  [PcscCode.NO_READERS_AVAILABLE, 'READER_NOT_FOUND'],
  [PcscCode.NO_SERVICE, 'READER_UNAVAILABLE'],
  [PcscCode.SERVICE_STOPPED, 'READER_UNAVAILABLE'],
]);

/** Codes that mean "the card or its connection is gone", to be confirmed against reader status. */
export const AMBIGUOUS_LOSS = new Set<number>([PcscCode.NOT_TRANSACTED, PcscCode.COMM_ERROR, PcscCode.INVALID_HANDLE, PcscCode.NOT_READY]);

/** Translates one binding error into the catalogue; `fallback` covers codes not listed above. */
export function translatePcscError(err: unknown, operation: string, fallback: ErrorCode = 'CARD_COMMAND_FAILED'): AppError {
  if (err instanceof AppError) return err;
  const pcscCode = pcscCodeOf(err);
  const code = (pcscCode !== undefined ? BY_PCSC_CODE.get(pcscCode) : undefined) ?? fallback;
  return new AppError(code, { detail: `${operation}: ${errorText(err)}`, cause: err });
}
