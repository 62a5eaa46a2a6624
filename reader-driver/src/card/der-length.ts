/** Reading the length of a DER certificate from the first bytes of its EF (SPEC §1.4, §6 item 3). */
import { AppError } from '../../../platform/src/shared/errors.js';

/** Bytes to read first: tag, a long-form length of up to 3 bytes, and 2 spare (as MYNA/JRS/ARU do). */
export const DER_HEADER_READ = 7;

/**
 * Total length (header + content) of the DER SEQUENCE that starts `bytes`. Handles the short form
 * and the 81 / 82 / 83 long forms; anything else (not a SEQUENCE, indefinite length, too short to
 * tell) throws AppError('CARD_COMMAND_FAILED'), since the EF then holds no certificate we can trust.
 */
export function derTotalLength(bytes: Uint8Array): number {
  const bad = (why: string) => new AppError('CARD_COMMAND_FAILED', { detail: `certificate EF: ${why}` });
  if (bytes.length < 2) throw bad(`only ${bytes.length} bytes`);
  if (bytes[0] !== 0x30) throw bad(`tag ${bytes[0]!.toString(16)} is not a SEQUENCE`);
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0) throw bad('indefinite length');
  if (count > 3) throw bad(`${count}-byte length`);
  if (bytes.length < 2 + count) throw bad('header cut short');
  let length = 0;
  for (let i = 0; i < count; i++) length = (length << 8) | bytes[2 + i]!;
  return 2 + count + length;
}
