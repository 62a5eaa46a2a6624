/**
 * The one status-word table of the project: the card side picks its answers from `SW`, and the
 * host side interprets answers only through `describeSw` / `errorForSw` / `expectOk`. Nothing
 * else compares SW1 SW2 (house style E8).
 *
 * Blocked PINs: a real card answers 63C0 on the attempt that blocks and (per SOL) 6984 after it;
 * some drivers expect ISO's 6983. All three mean "blocked" here (SPEC §1.6, §6 item 5).
 */
import { AppError, type ErrorCode } from '../../../platform/src/shared/errors.js';
import { splitResponse } from './parse.js';
import { swHex } from './bytes.js';

/** Status words the JPKI AP (and so the virtual card) uses, by ISO 7816-4 name. */
export const SW = {
  OK: 0x9000,
  /** 6282: end of file reached before Le bytes (tolerated READ BINARY answer, SOL). */
  END_OF_FILE: 0x6282,
  /** 6300: verification failed, no retry counter (not JPKI). */
  VERIFY_FAILED_NO_COUNTER: 0x6300,
  /** 63C0 | x: verification failed / not done, x tries left. Use `swTriesLeft(x)`. */
  TRIES_LEFT_0: 0x63c0,
  /** 6581: memory failure (the card could not write its EEPROM). */
  MEMORY_FAILURE: 0x6581,
  /** 6700: wrong length (Lc / Le / data length). */
  WRONG_LENGTH: 0x6700,
  /** 6882: secure messaging not supported. */
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  /** 6981: command incompatible with the file structure (READ BINARY of a key or PIN EF). */
  INCOMPATIBLE_FILE_STRUCTURE: 0x6981,
  /** 6982: security status not satisfied (PIN not verified). */
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  /** 6983: authentication method blocked (ISO; not observed on JPKI cards). */
  AUTH_METHOD_BLOCKED: 0x6983,
  /** 6984: reference data not usable (VERIFY on a blocked PIN, JICSAP). */
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  /** 6985: conditions of use not satisfied. */
  CONDITIONS_NOT_SATISFIED: 0x6985,
  /** 6986: command not allowed, no current EF. */
  NO_CURRENT_EF: 0x6986,
  /** 69FC: secure messaging refused (seen on JPKI cards, SOL). */
  SECURE_MESSAGING_REFUSED: 0x69fc,
  /** 6A80: incorrect data (new PIN in the wrong format). */
  INCORRECT_DATA: 0x6a80,
  /** 6A82: file or application not found. */
  FILE_NOT_FOUND: 0x6a82,
  /** 6A86: incorrect P1-P2. */
  INCORRECT_P1P2: 0x6a86,
  /** 6A88: referenced data not found (the current EF holds no PIN). */
  REFERENCE_DATA_NOT_FOUND: 0x6a88,
  /** 6B00: wrong parameters, offset outside the EF. */
  WRONG_OFFSET: 0x6b00,
  /** 6D00: instruction not supported. */
  INS_NOT_SUPPORTED: 0x6d00,
  /** 6E00: class not supported. */
  CLA_NOT_SUPPORTED: 0x6e00,
  /** 6F00: no precise diagnosis. */
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

/** `63Cx`: x (0..15) tries left. */
export function swTriesLeft(tries: number): number {
  if (!Number.isInteger(tries) || tries < 0 || tries > 15) throw new RangeError(`tries ${tries}`);
  return 0x63c0 | tries;
}

/** What a status word means to the host. */
export type SwOutcome =
  /** 9000. */
  | { kind: 'ok' }
  /** 63Cx, x ≥ 1: the PIN was wrong (after VERIFY with data) or is not verified yet (retry query). */
  | { kind: 'pin-tries'; triesLeft: number }
  /** 63C0, 6983, 6984: the PIN is blocked. */
  | { kind: 'pin-blocked' }
  /** 61xx: more response bytes wait for GET RESPONSE (T=0). */
  | { kind: 'more-data'; available: number }
  /** 6Cxx: resend with Le = xx (T=0). */
  | { kind: 'wrong-le'; exact: number }
  /** Anything else: the catalogue error it becomes. */
  | { kind: 'error'; code: ErrorCode };

/** One row of the table. */
export interface SwEntry {
  sw: number;
  /** Short ISO-style name for logs. */
  name: string;
  outcome: SwOutcome;
}

/** Which command a status word answers; a few SWs mean something different per command. */
export type CommandContext = 'select-ap' | 'select-ef' | 'read' | 'verify' | 'change' | 'sign' | 'other';

const fail = (code: ErrorCode): SwOutcome => ({ kind: 'error', code });

const TABLE: ReadonlyMap<number, { name: string; outcome: SwOutcome }> = new Map([
  [SW.OK, { name: 'OK', outcome: { kind: 'ok' } }],
  [SW.END_OF_FILE, { name: 'END_OF_FILE', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.VERIFY_FAILED_NO_COUNTER, { name: 'VERIFY_FAILED_NO_COUNTER', outcome: fail('CARD_PIN_WRONG') }],
  [SW.TRIES_LEFT_0, { name: 'PIN_BLOCKED', outcome: { kind: 'pin-blocked' } }],
  [SW.MEMORY_FAILURE, { name: 'MEMORY_FAILURE', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.WRONG_LENGTH, { name: 'WRONG_LENGTH', outcome: fail('APDU_MALFORMED') }],
  [SW.SECURE_MESSAGING_NOT_SUPPORTED, { name: 'SECURE_MESSAGING_NOT_SUPPORTED', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.INCOMPATIBLE_FILE_STRUCTURE, { name: 'INCOMPATIBLE_FILE_STRUCTURE', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.SECURITY_STATUS_NOT_SATISFIED, { name: 'SECURITY_STATUS_NOT_SATISFIED', outcome: fail('CARD_SECURITY_STATUS') }],
  [SW.AUTH_METHOD_BLOCKED, { name: 'AUTH_METHOD_BLOCKED', outcome: { kind: 'pin-blocked' } }],
  [SW.REFERENCE_DATA_NOT_USABLE, { name: 'REFERENCE_DATA_NOT_USABLE', outcome: { kind: 'pin-blocked' } }],
  [SW.CONDITIONS_NOT_SATISFIED, { name: 'CONDITIONS_NOT_SATISFIED', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.NO_CURRENT_EF, { name: 'NO_CURRENT_EF', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.SECURE_MESSAGING_REFUSED, { name: 'SECURE_MESSAGING_REFUSED', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.INCORRECT_DATA, { name: 'INCORRECT_DATA', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.FILE_NOT_FOUND, { name: 'FILE_NOT_FOUND', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.INCORRECT_P1P2, { name: 'INCORRECT_P1P2', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.REFERENCE_DATA_NOT_FOUND, { name: 'REFERENCE_DATA_NOT_FOUND', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.WRONG_OFFSET, { name: 'WRONG_OFFSET', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.INS_NOT_SUPPORTED, { name: 'INS_NOT_SUPPORTED', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.CLA_NOT_SUPPORTED, { name: 'CLA_NOT_SUPPORTED', outcome: fail('CARD_COMMAND_FAILED') }],
  [SW.NO_PRECISE_DIAGNOSIS, { name: 'NO_PRECISE_DIAGNOSIS', outcome: fail('CARD_COMMAND_FAILED') }],
]);

/**
 * Per-command readings that differ from the table. SELECT of the JPKI AP failing in any of these
 * ways means the card has no JPKI application (SPEC §1.2: detect the card by AID, not ATR); a new
 * PIN refused as incorrect data is a format problem.
 */
const CONTEXT_CODES: Partial<Record<CommandContext, ReadonlyMap<number, ErrorCode>>> = {
  'select-ap': new Map<number, ErrorCode>([
    [SW.FILE_NOT_FOUND, 'CARD_NOT_JPKI'],
    [SW.INCORRECT_P1P2, 'CARD_NOT_JPKI'],
    [SW.INS_NOT_SUPPORTED, 'CARD_NOT_JPKI'],
    [SW.CLA_NOT_SUPPORTED, 'CARD_NOT_JPKI'],
  ]),
  change: new Map<number, ErrorCode>([[SW.INCORRECT_DATA, 'CARD_PIN_FORMAT']]),
};

/** Reads one status word, in the context of the command it answers. */
export function describeSw(sw: number, context: CommandContext = 'other'): SwEntry {
  const override = CONTEXT_CODES[context]?.get(sw);
  const row = TABLE.get(sw);
  if (override) return { sw, name: row?.name ?? 'UNKNOWN', outcome: fail(override) };
  if (row) return { sw, ...row };
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if ((sw & 0xfff0) === 0x63c0) return { sw, name: 'TRIES_LEFT', outcome: { kind: 'pin-tries', triesLeft: sw2 & 0x0f } };
  if (sw1 === 0x61) return { sw, name: 'MORE_DATA', outcome: { kind: 'more-data', available: sw2 === 0 ? 256 : sw2 } };
  if (sw1 === 0x6c) return { sw, name: 'WRONG_LE', outcome: { kind: 'wrong-le', exact: sw2 === 0 ? 256 : sw2 } };
  return { sw, name: 'UNKNOWN', outcome: fail('CARD_COMMAND_FAILED') };
}

/** The catalogue error for a status word that is not success. PIN codes carry `details.triesLeft`. */
export function errorForSw(sw: number, context: CommandContext = 'other'): AppError {
  const { name, outcome } = describeSw(sw, context);
  const detail = `SW=${swHex(sw)} ${name} (${context})`;
  switch (outcome.kind) {
    case 'pin-tries':
      return new AppError('CARD_PIN_WRONG', { detail, details: { triesLeft: outcome.triesLeft } });
    case 'pin-blocked':
      return new AppError('CARD_PIN_BLOCKED', { detail, details: { triesLeft: 0 } });
    case 'error':
      return new AppError(outcome.code, { detail });
    default:
      // 9000 is not an error, 61xx / 6Cxx are handled by the channel: reaching here is a bug.
      return new AppError('CARD_COMMAND_FAILED', { detail });
  }
}

/** Returns the response data when the SW is 9000; otherwise throws the catalogue error for it. */
export function expectOk(response: Uint8Array, context: CommandContext = 'other'): Uint8Array {
  const { data, sw } = splitResponse(response);
  if (sw !== SW.OK) throw errorForSw(sw, context);
  return data;
}

/** True for 9000. */
export const isOk = (sw: number): boolean => sw === SW.OK;

/** True for 6700 (the only SW that makes the client retry the PIN query in its 5-byte form). */
export const isWrongLength = (sw: number): boolean => sw === SW.WRONG_LENGTH;

/**
 * What an answer to the empty-VERIFY retry query says about the PIN, or `null` when the SW is not
 * such an answer: 9000 = verified in this card session (count not reported), 63Cx = x tries left,
 * 63C0 / 6983 / 6984 = blocked.
 */
export function pinStatusFromSw(sw: number): { triesLeft: number | null; blocked: boolean } | null {
  const { outcome } = describeSw(sw, 'verify');
  if (outcome.kind === 'ok') return { triesLeft: null, blocked: false };
  if (outcome.kind === 'pin-tries') return { triesLeft: outcome.triesLeft, blocked: false };
  if (outcome.kind === 'pin-blocked') return { triesLeft: 0, blocked: true };
  return null;
}
