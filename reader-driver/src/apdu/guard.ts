/**
 * The gate every command passes on its way to a card. It is how we guarantee that the My Number
 * (券面事項入力補助AP EF 0001, 券面AP) is never read: the only DF that can be selected is the
 * exact 10-byte JPKI AID. It is a whitelist (SPEC §1.1: JICSAP allows SELECT by *partial* DF
 * name, so refusing the known other AIDs would not be enough).
 *
 * `assertCommandAllowed` is the stateless rule set; `guardSession` wraps a `CardSession` with it
 * and adds one stateful rule: PIN, read and sign commands go out only while the JPKI AP is known
 * to be selected in the current transaction. `JpkiClient` always talks through `guardSession`,
 * and the virtual bay applies `assertCommandAllowed` again at the transport.
 */
import { AppError } from '../../../platform/src/shared/errors.js';
import type { CardSession } from './card-session.js';
import { bytesEqual, toHex } from './bytes.js';
import { JPKI_AID } from './commands.js';
import { parseCommand, splitResponse } from './parse.js';
import { describeSw } from './status-words.js';

const INS = { SELECT: 0xa4, READ_BINARY: 0xb0, VERIFY: 0x20, CHANGE_REFERENCE_DATA: 0x24, COMPUTE_SIGNATURE: 0x2a, GET_RESPONSE: 0xc0 } as const;

/** Instructions the JPKI client needs; anything else (ENVELOPE, MANAGE CHANNEL, GET DATA …) is refused. */
const ALLOWED_INS: ReadonlySet<number> = new Set(Object.values(INS));

/** Instructions that act on the selected application and so need the JPKI AP selected first. */
const NEEDS_JPKI: ReadonlySet<number> = new Set([INS.READ_BINARY, INS.VERIFY, INS.CHANGE_REFERENCE_DATA, INS.COMPUTE_SIGNATURE]);

const refuse = (detail: string) => new AppError('APDU_SELECT_REFUSED', { detail });

/** True for the exact `00 A4 04 0C 0A <JPKI AID>` (any Le tolerated). */
export function isSelectJpki(command: Uint8Array): boolean {
  try {
    const c = parseCommand(command);
    return c.ins === INS.SELECT && c.p1 === 0x04 && (c.cla & 0x10) === 0 && bytesEqual(c.data, JPKI_AID);
  } catch {
    return false;
  }
}

/**
 * Throws AppError('APDU_SELECT_REFUSED') unless `command` may reach a card:
 * - SELECT only by the exact JPKI AID (P1 04) or of a 2-byte EF under the current DF (P1 02),
 *   never chained, never by path, parent, child DF or MF;
 * - VERIFY and CHANGE REFERENCE DATA only against the current EF's key (P2 80), never a global PIN;
 * - only the instructions the JPKI client uses.
 */
export function assertCommandAllowed(command: Uint8Array): void {
  if (command.length < 4) return; // the card answers 6700; nothing can be selected with 4 bytes missing
  const ins = command[1]!;
  if (!ALLOWED_INS.has(ins)) throw refuse(`INS ${ins.toString(16).padStart(2, '0').toUpperCase()} is not used by JPKI`);
  if (ins === INS.SELECT) {
    let c;
    try {
      c = parseCommand(command);
    } catch {
      throw refuse('malformed SELECT');
    }
    if ((c.cla & 0x10) !== 0) throw refuse('chained SELECT');
    if (c.p1 === 0x04) {
      if (!bytesEqual(c.data, JPKI_AID)) throw refuse(`SELECT by DF name ${toHex(c.data)}`);
      return;
    }
    if (c.p1 === 0x02 && c.data.length === 2) return;
    throw refuse(`SELECT P1=${c.p1.toString(16).padStart(2, '0')} with ${c.data.length} bytes`);
  }
  if ((ins === INS.VERIFY || ins === INS.CHANGE_REFERENCE_DATA) && command[3] !== 0x80) {
    throw refuse('PIN reference other than the current EF');
  }
}

/**
 * Wraps a session so every command is checked by `assertCommandAllowed`, and READ BINARY,
 * VERIFY, CHANGE REFERENCE DATA and COMPUTE DIGITAL SIGNATURE are refused unless a SELECT of the
 * JPKI AID succeeded earlier in the same transaction (another process may have selected something
 * else between our transactions, SPEC §6 item 10).
 */
export function guardSession(session: CardSession): CardSession {
  let jpkiSelected = false;
  return {
    get readerName() {
      return session.readerName;
    },
    get atr() {
      return session.atr;
    },
    async transmit(command: Uint8Array): Promise<Uint8Array> {
      assertCommandAllowed(command);
      const ins = command[1];
      if (ins !== undefined && NEEDS_JPKI.has(ins) && !jpkiSelected) throw refuse('the JPKI AP is not selected in this transaction');
      const selectsDf = ins === INS.SELECT && command[2] === 0x04;
      if (selectsDf) jpkiSelected = false;
      const response = await session.transmit(command);
      if (selectsDf && isSelectJpki(command)) {
        try {
          jpkiSelected = describeSw(splitResponse(response).sw, 'select-ap').outcome.kind === 'ok';
        } catch {
          jpkiSelected = false;
        }
      }
      return response;
    },
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return session.transaction(async () => {
        jpkiSelected = false;
        try {
          return await fn();
        } finally {
          jpkiSelected = false;
        }
      });
    },
    disconnect: () => session.disconnect(),
  };
}
