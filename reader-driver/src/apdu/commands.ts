/**
 * Command APDUs of the JPKI application, built byte by byte (SPEC §1.4, apdu-reference.md).
 * Pure functions: no I/O, no state. Every byte is commented so a reviewer can check it against
 * the reference without decoding anything.
 */
import { AppError } from '../../../platform/src/shared/errors.js';

/** The JPKI application (公的個人認証AP): the only DF this project ever selects (SPEC §1.1). */
export const JPKI_AID: Readonly<Uint8Array> = Uint8Array.of(0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01);

/** Elementary files of the JPKI AP (SPEC §1.3), as 16-bit FIDs. */
export const JPKI_EF = {
  /** 署名用電子証明書: readable only after the sign password is verified. */
  SIGN_CERT: 0x0001,
  /** 署名用CA証明書. */
  SIGN_CA_CERT: 0x0002,
  /** Token info: 32-byte label `JPKIAPICCTOKEN2`. */
  TOKEN_INFO: 0x0006,
  /** 3 bytes, `8F 8F 00` = both certificates present (UNVERIFIED). */
  CERT_PRESENCE: 0x0008,
  /** 利用者証明用電子証明書. */
  AUTH_CERT: 0x000a,
  /** 利用者証明用CA証明書. */
  AUTH_CA_CERT: 0x000b,
  /** 利用者証明用秘密鍵 (not readable). */
  AUTH_KEY: 0x0017,
  /** 利用者証明用PIN (key reference for VERIFY / CHANGE). */
  AUTH_PIN: 0x0018,
  /** 署名用秘密鍵 (not readable). */
  SIGN_KEY: 0x001a,
  /** 署名用パスワード (key reference for VERIFY / CHANGE). */
  SIGN_PIN: 0x001b,
} as const;

/** Longest data COMPUTE DIGITAL SIGNATURE accepts: k − 11 for a 2048-bit key (SPEC §1.5). */
export const MAX_SIGN_INPUT = 245;
/** Most bytes one short READ BINARY returns (Le = 00). */
export const MAX_READ_CHUNK = 256;
/** Highest offset READ BINARY can address: P1 b8 must stay 0 (15-bit offset). */
export const MAX_READ_OFFSET = 0x7fff;

/** ISO 7816-4 SELECT by DF name, no FCI: `00 A4 04 0C 0A <AID>`. */
export function buildSelectDf(aid: Uint8Array): Uint8Array {
  if (aid.length < 1 || aid.length > 16) throw new AppError('APDU_MALFORMED', { detail: `AID of ${aid.length} bytes` });
  return Uint8Array.of(
    0x00, // CLA: interindustry, no secure messaging, channel 0
    0xa4, // INS: SELECT
    0x04, // P1: select by DF name (AID)
    0x0c, // P2: first or only occurrence, no response data (no FCI)
    aid.length, // Lc: length of the AID (0A for JPKI)
    ...aid, // data: the AID; no Le (case 3)
  );
}

/** SELECT of the JPKI AP: `00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01`. */
export const buildSelectJpki = (): Uint8Array => buildSelectDf(JPKI_AID);

/** ISO 7816-4 SELECT of an EF under the current DF: `00 A4 02 0C 02 <FID>`. */
export function buildSelectEf(fid: number): Uint8Array {
  if (!Number.isInteger(fid) || fid < 0 || fid > 0xffff) throw new AppError('APDU_MALFORMED', { detail: `FID ${fid}` });
  return Uint8Array.of(
    0x00, // CLA: interindustry
    0xa4, // INS: SELECT
    0x02, // P1: select EF under the current DF
    0x0c, // P2: first or only occurrence, no FCI
    0x02, // Lc: 2 bytes of FID
    fid >> 8, // FID high byte
    fid & 0xff, // FID low byte; no Le (case 3)
  );
}

/**
 * ISO 7816-4 READ BINARY of the current EF: `00 B0 P1 P2 Le`. `offset` is 15 bits (P1 b8 = 0,
 * which would otherwise mean "short EF identifier"); `length` 1..256, where 256 is sent as Le = 00.
 */
export function buildReadBinary(offset: number, length: number): Uint8Array {
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_READ_OFFSET) {
    throw new AppError('APDU_MALFORMED', { detail: `READ BINARY offset ${offset}` });
  }
  if (!Number.isInteger(length) || length < 1 || length > MAX_READ_CHUNK) {
    throw new AppError('APDU_MALFORMED', { detail: `READ BINARY length ${length}` });
  }
  return Uint8Array.of(
    0x00, // CLA: interindustry
    0xb0, // INS: READ BINARY
    offset >> 8, // P1: offset high 7 bits (b8 = 0: not an SFI)
    offset & 0xff, // P2: offset low byte
    length & 0xff, // Le: bytes wanted, 00 = 256 (case 2)
  );
}

/** VERIFY of the current EF's reference data with a PIN: `00 20 00 80 Lc <PIN ASCII>`. */
export function buildVerify(pin: Uint8Array): Uint8Array {
  if (pin.length < 1 || pin.length > 255) throw new AppError('APDU_MALFORMED', { detail: `PIN of ${pin.length} bytes` });
  return Uint8Array.of(
    0x00, // CLA: interindustry
    0x20, // INS: VERIFY
    0x00, // P1: 00 (the only value ISO defines)
    0x80, // P2: b8 = 1 specific reference data, 00 = the key of the current EF (0018 / 001B)
    pin.length, // Lc: PIN length
    ...pin, // data: PIN as ASCII, no padding; no Le (case 3)
  );
}

/**
 * The retry-counter query: VERIFY without data (ISO case 1, 4 bytes). The card answers 63Cx with
 * x tries left and does not consume a try (JICSAP 6.4.9(5); SPEC §1.4).
 */
export function buildVerifyStatus(): Uint8Array {
  return Uint8Array.of(
    0x00, // CLA: interindustry
    0x20, // INS: VERIFY
    0x00, // P1: 00
    0x80, // P2: key of the current EF; no Lc, no data, no Le (case 1)
  );
}

/**
 * The 5-byte form of the retry query, `00 20 00 80 00`, which some readers and tools send
 * (SPEC §6 item 6). Used only as a fallback when a card refuses the 4-byte form with 6700.
 */
export function buildVerifyStatusLong(): Uint8Array {
  return Uint8Array.of(
    0x00, // CLA: interindustry
    0x20, // INS: VERIFY
    0x00, // P1: 00
    0x80, // P2: key of the current EF
    0x00, // a single 00 (read as Le = 00 by ISO case 2; cards treat it as "no data")
  );
}

/** CHANGE REFERENCE DATA with the new value only (old one verified first): `00 24 01 80 Lc <new>`. */
export function buildChangeReferenceData(newPin: Uint8Array): Uint8Array {
  if (newPin.length < 1 || newPin.length > 255) throw new AppError('APDU_MALFORMED', { detail: `PIN of ${newPin.length} bytes` });
  return Uint8Array.of(
    0x00, // CLA: interindustry
    0x24, // INS: CHANGE REFERENCE DATA
    0x01, // P1: 01 = data holds the new reference data only (the old one was just verified)
    0x80, // P2: key of the current EF
    newPin.length, // Lc: new PIN length
    ...newPin, // data: new PIN as ASCII; no Le (case 3)
  );
}

/**
 * JPKI COMPUTE DIGITAL SIGNATURE with the key of the current EF (0017 / 001A):
 * `80 2A 00 80 Lc <DigestInfo> 00`. The card pads the data verbatim with EMSA-PKCS1-v1_5
 * and returns the 256-byte RSA-2048 signature (SPEC §1.5).
 */
export function buildComputeSignature(digestInfo: Uint8Array): Uint8Array {
  if (digestInfo.length < 1 || digestInfo.length > MAX_SIGN_INPUT) {
    throw new AppError('APDU_MALFORMED', { detail: `signature input of ${digestInfo.length} bytes` });
  }
  return Uint8Array.of(
    0x80, // CLA: proprietary (JPKI), no secure messaging
    0x2a, // INS: PERFORM SECURITY OPERATION / COMPUTE DIGITAL SIGNATURE
    0x00, // P1: 00 = pad the data verbatim (PKCS#1 v1.5 type 1); the only scheme we use
    0x80, // P2: key of the current EF
    digestInfo.length, // Lc: DigestInfo length (51 for SHA-256)
    ...digestInfo, // data: DER DigestInfo
    0x00, // Le: 00 = up to 256 bytes (case 4)
  );
}

/** ISO 7816-4 GET RESPONSE, fetching what a card announced with 61xx (T=0 readers only). */
export function buildGetResponse(length: number): Uint8Array {
  return Uint8Array.of(
    0x00, // CLA: interindustry
    0xc0, // INS: GET RESPONSE
    0x00, // P1: 00
    0x00, // P2: 00
    length & 0xff, // Le: bytes announced by SW2, 00 = 256
  );
}
