/**
 * APDUs of the JPKI application: pure command builders, the command parser, response splitting,
 * the one status-word table and the SELECT guard.
 */
export { toHex, fromHex, bytesEqual, concatBytes, swHex } from './bytes.js';
export {
  JPKI_AID,
  JPKI_EF,
  MAX_SIGN_INPUT,
  MAX_READ_CHUNK,
  MAX_READ_OFFSET,
  buildSelectDf,
  buildSelectJpki,
  buildSelectEf,
  buildReadBinary,
  buildVerify,
  buildVerifyStatus,
  buildVerifyStatusLong,
  buildChangeReferenceData,
  buildComputeSignature,
  buildGetResponse,
} from './commands.js';
export { parseCommand, splitResponse, buildResponse, type CommandApdu, type ResponseApdu } from './parse.js';
export { SW, swTriesLeft, describeSw, errorForSw, expectOk, isOk, isWrongLength, pinStatusFromSw, type SwOutcome, type SwEntry, type CommandContext } from './status-words.js';
export { assertCommandAllowed, guardSession, isSelectJpki } from './guard.js';
