/** PC/SC transport: the only code that touches the `pcsclite` binding. */
export { openPcscBay, PcscReaderBay, PCSC_INSTALL_HINT, type OpenPcscBayResult, type PcscBayOptions, type PcscLogger } from './pcsc-bay.js';
export { PcscCardSession, type PcscSessionOptions } from './pcsc-session.js';
export { translatePcscError, pcscCodeOf, PcscCode } from './pcsc-errors.js';
