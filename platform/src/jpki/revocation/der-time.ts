import { malformed, TAG } from './der.js';

// Local copies: under tsx an imported binding is a property getter, too slow for a per-entry path.
const UTC_TIME = TAG.UTC_TIME;
const GENERALIZED_TIME = TAG.GENERALIZED_TIME;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(buf: Buffer, p: number): number {
  const d = buf[p]! - 0x30;
  if (d < 0 || d > 9) throw malformed('time: not a digit', p);
  return d;
}

const two = (buf: Buffer, p: number): number => digit(buf, p) * 10 + digit(buf, p + 1);

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Seconds since the epoch of a DER Time whose content starts at `p` (RFC 5280 §4.1.2.5): UTCTime
 * `YYMMDDHHMMSSZ` (YY ≥ 50 → 19YY) or GeneralizedTime `YYYYMMDDHHMMSSZ`; no fractions, no offsets.
 * Called once per CRL entry, so it does arithmetic on the bytes instead of building a string.
 */
export function readTimeSeconds(buf: Buffer, tag: number, p: number, len: number): number {
  let year: number;
  if (tag === UTC_TIME) {
    if (len !== 13) throw malformed('UTCTime must be YYMMDDHHMMSSZ', p);
    const yy = two(buf, p);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    p += 2;
  } else if (tag === GENERALIZED_TIME) {
    if (len !== 15) throw malformed('GeneralizedTime must be YYYYMMDDHHMMSSZ', p);
    year = two(buf, p) * 100 + two(buf, p + 2);
    p += 4;
  } else {
    throw malformed(`expected a Time, got tag 0x${tag.toString(16)}`, p);
  }
  const month = two(buf, p);
  const day = two(buf, p + 2);
  const hour = two(buf, p + 4);
  const minute = two(buf, p + 6);
  const second = two(buf, p + 8);
  if (buf[p + 10] !== 0x5a) throw malformed('time must end in Z', p + 10);
  if (month < 1 || month > 12) throw malformed('time: bad month', p);
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day < 1 || day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) throw malformed('time: bad day', p + 2);
  if (hour > 23 || minute > 59 || second > 59) throw malformed('time: bad time of day', p + 4);
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}
