import * as asn1js from 'asn1js';
import { AppError } from '../../shared/errors.js';
import { decodeBer } from './asn1.js';
import { JpkiCertificate, parseCertificate, type CertificateInput } from './certificate.js';
import { OID } from './oids.js';
import { purposeOf } from './purpose.js';

/** 性別 (OID 5.5.3): 1 male, 2 female, 3 unknown, 9 not applicable (SPEC §3.2). */
export type Gender = '1' | '2' | '3' | '9';
const GENDERS: readonly string[] = ['1', '2', '3', '9'];

/** Era digit of 生年月日 (JIS X 0301): 1 明治 … 5 令和, 0 unknown. */
export type BirthEra = 'meiji' | 'taisho' | 'showa' | 'heisei' | 'reiwa' | 'unknown';
const ERAS: Readonly<Record<string, BirthEra>> = { '0': 'unknown', '1': 'meiji', '2': 'taisho', '3': 'showa', '4': 'heisei', '5': 'reiwa' };

/** 基本4情報 of a 署名用電子証明書 (personal data: handle as PII, SPEC §3.6.6). */
export interface PersonalData {
  /** 氏名, surname and given name separated by U+3000 as stored. */
  name: string;
  /** 生年月日 as `YYYY-MM-DD` (the certificate stores the Gregorian date after the era digit). */
  dateOfBirth: string;
  birthEra: BirthEra;
  gender: Gender;
  /** 住所, full-width text from the prefecture on. */
  address: string;
  /** 氏名代替文字の使用位置: one `0`/`1` per name character, `1` = substitute character. */
  nameSubstitutes: string;
  /** 住所代替文字の使用位置: one `0`/`1` per address character. */
  addressSubstitutes: string;
}

/**
 * Reads the personal data from the SAN otherNames of a sign certificate (SPEC §3.2). Does not
 * check the chain: call `verifyChain` first. PKI_WRONG_PURPOSE for a non-sign certificate;
 * PKI_PERSONAL_DATA_INVALID when the SAN or one of its six values is missing or malformed.
 */
export function readPersonalData(certificate: JpkiCertificate | CertificateInput): PersonalData {
  const cert = certificate instanceof JpkiCertificate ? certificate : parseCertificate(certificate);
  if (purposeOf(cert) !== 'sign') throw new AppError('PKI_WRONG_PURPOSE', { detail: 'personal data is only in sign certificates' });
  if (!cert.subjectAltNameDer) throw invalid('no subjectAltName');
  const values = otherNames(cert.subjectAltNameDer);
  const get = (oid: string, label: string): string => {
    const v = values.get(oid);
    if (v === undefined) throw invalid(`${label} (${oid}) is missing`);
    return v;
  };

  const name = get(OID.pdName, 'name');
  if (!name.trim()) throw invalid('name is empty');
  const address = get(OID.pdAddress, 'address');
  if (!address.trim()) throw invalid('address is empty');
  const gender = get(OID.pdGender, 'gender');
  if (!GENDERS.includes(gender)) throw invalid(`gender "${gender}" is not 1, 2, 3 or 9`);

  const birth = get(OID.pdDateOfBirth, 'date of birth');
  const m = /^([0-5])(\d{4})(\d{2})(\d{2})$/.exec(birth);
  if (!m) throw invalid('date of birth is not EYYYYMMDD');
  const [, era, y, mo, d] = m;
  const dateOfBirth = `${y}-${mo}-${d}`;
  if (!isCalendarDate(dateOfBirth)) throw invalid('date of birth is not a calendar date');

  const nameSubstitutes = get(OID.pdNameSubstitute, 'name substitute flags');
  const addressSubstitutes = get(OID.pdAddressSubstitute, 'address substitute flags');
  if (!/^[01]+$/.test(nameSubstitutes)) throw invalid('name substitute flags are not 0/1 digits');
  if (!/^[01]+$/.test(addressSubstitutes)) throw invalid('address substitute flags are not 0/1 digits');

  return { name, dateOfBirth, birthEra: ERAS[era!]!, gender: gender as Gender, address, nameSubstitutes, addressSubstitutes };
}

/** The otherName values of GeneralNames: `[0] { type-id OID, [0] EXPLICIT UTF8String }`. */
function otherNames(der: Uint8Array): Map<string, string> {
  const asn = decodeBer(der, invalid, 'subjectAltName');
  if (!(asn instanceof asn1js.Sequence)) throw invalid('subjectAltName is not a SEQUENCE');
  const out = new Map<string, string>();
  for (const gn of asn.valueBlock.value) {
    if (gn.idBlock.tagClass !== 3 || gn.idBlock.tagNumber !== 0) continue; // not an otherName
    const parts = (gn as asn1js.Constructed).valueBlock.value;
    const [typeId, wrapper] = parts;
    if (parts?.length !== 2 || !(typeId instanceof asn1js.ObjectIdentifier)) throw invalid('otherName without a type-id');
    const oid = typeId.valueBlock.toString();
    if (!oid.startsWith('1.2.392.200149.8.5.5.')) continue;
    const inner = wrapper instanceof asn1js.Constructed && wrapper.idBlock.tagClass === 3 && wrapper.idBlock.tagNumber === 0 ? wrapper.valueBlock.value : [];
    const value = inner.length === 1 ? inner[0] : undefined;
    if (!(value instanceof asn1js.Utf8String)) throw invalid(`otherName ${oid} is not [0] EXPLICIT UTF8String`);
    if (out.has(oid)) throw invalid(`otherName ${oid} appears twice`);
    out.set(oid, value.valueBlock.value);
  }
  return out;
}

function isCalendarDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function invalid(detail: string, cause?: unknown): AppError {
  return new AppError('PKI_PERSONAL_DATA_INVALID', { detail, cause });
}
