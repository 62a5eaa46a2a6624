import { resolveLocality, type Locality } from './localities.js';

/** 性別 codes accepted in OID 5.5.3: 1 male, 2 female, 3 unknown, 9 not applicable (SPEC §3.2). */
export const GENDERS = ['1', '2', '3', '9'] as const;
export type Gender = (typeof GENDERS)[number];

/** What a municipal office would enter for a new card (the 基本4情報 plus where the person lives). */
export interface PersonInput {
  /** 氏名; surname and given name separated by a space (ASCII or U+3000). */
  name: string;
  /** 生年月日, `YYYY-MM-DD` (Gregorian). */
  birth: string;
  gender: string;
  /** 住所 from the prefecture on; ASCII is converted to full width. */
  address: string;
  /** `Prefecture/Municipality` in romaji, e.g. `Toyama-ken/Nanto-shi`; derived from the address if absent. */
  locality?: string;
  /** 氏名代替文字の使用位置: one `0`/`1` per name character; all `0` if absent. */
  nameSubstitutes?: string;
  /** 住所代替文字の使用位置: one `0`/`1` per address character; all `0` if absent. */
  addressSubstitutes?: string;
}

/** A validated, normalised person as it goes into the sign certificate. */
export interface Person {
  name: string;
  birth: string;
  gender: Gender;
  address: string;
  nameSubstitutes: string;
  addressSubstitutes: string;
  locality: Locality;
}

/** Gregorian first days of the eras (JIS X 0301 codes 1–5), newest first. */
const ERAS: ReadonlyArray<readonly [code: string, firstDay: string]> = [
  ['5', '2019-05-01'], // 令和
  ['4', '1989-01-08'], // 平成
  ['3', '1926-12-25'], // 昭和
  ['2', '1912-07-30'], // 大正
  ['1', '1868-01-25'], // 明治
];

const MAX_ADDRESS_CHARS = 200;

/**
 * Checks and normalises a person; pushes one sentence per problem onto `problems` and returns null
 * when there were any, so the caller can report everything at once.
 */
export function normalizePerson(input: PersonInput, problems: string[]): Person | null {
  const before = problems.length;
  const name = input.name.trim().replace(/[ \u3000]+/g, '\u3000');
  if (!name) problems.push('name must not be empty');
  const nameChars = [...name].length;

  if (!isCalendarDate(input.birth)) problems.push(`birth must be a date YYYY-MM-DD, got "${input.birth}"`);
  else if (input.birth < ERAS[ERAS.length - 1]![1]) problems.push(`birth ${input.birth} is before the Meiji era`);

  if (!(GENDERS as readonly string[]).includes(input.gender)) problems.push(`gender must be one of ${GENDERS.join(', ')}, got "${input.gender}"`);

  const address = toFullWidth(input.address.trim());
  const addressChars = [...address].length;
  if (!address) problems.push('address must not be empty');
  if (addressChars > MAX_ADDRESS_CHARS) problems.push(`address must have at most ${MAX_ADDRESS_CHARS} characters, has ${addressChars}`);

  const nameSubstitutes = input.nameSubstitutes ?? '0'.repeat(nameChars);
  if (!new RegExp(`^[01]{${nameChars}}$`).test(nameSubstitutes)) {
    problems.push(`name substitute flags must be ${nameChars} characters of 0/1 (one per name character)`);
  }
  const addressSubstitutes = input.addressSubstitutes ?? '0'.repeat(addressChars);
  if (!new RegExp(`^[01]{${addressChars}}$`).test(addressSubstitutes)) {
    problems.push(`address substitute flags must be ${addressChars} characters of 0/1 (one per address character)`);
  }

  const locality = resolveLocality(address, input.locality);
  if (typeof locality === 'string') problems.push(locality);

  if (problems.length > before || typeof locality === 'string') return null;
  return { name, birth: input.birth, gender: input.gender as Gender, address, nameSubstitutes, addressSubstitutes, locality };
}

/** 生年月日 as OID 5.5.3 carries it: era digit + Gregorian `YYYYMMDD` (`1980-02-17` → `319800217`). */
export function eraCodedBirth(birth: string): string {
  const era = ERAS.find(([, first]) => birth >= first);
  if (!era) throw new RangeError(`birth ${birth} is before the Meiji era`);
  return era[0] + birth.replaceAll('-', '');
}

/** True for a real calendar day written `YYYY-MM-DD`. */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * End of a JPKI leaf's validity: 23:59:59 JST (14:59:59Z) on the holder's 5th birthday after the
 * issue day (SPEC §3.2/§3.3: issued 2023-05-19, born 12-07 → 2027-12-07T14:59:59Z). A birthday on
 * the issue day itself does not count. A 29 February birthday falls on 28 February in common years.
 */
export function fifthBirthdayAfter(birth: string, issuedAt: Date): Date {
  const issueDay = jstDate(issuedAt); // YYYY-MM-DD in JST
  const monthDay = birth.slice(5);
  const issueYear = Number(issueDay.slice(0, 4));
  const firstYear = monthDay > issueDay.slice(5) ? issueYear : issueYear + 1;
  const year = firstYear + 4;
  const day = monthDay === '02-29' && !isLeapYear(year) ? '02-28' : monthDay;
  return new Date(`${year}-${day}T14:59:59Z`);
}

/** The calendar day in Japan (UTC+9, no DST) at an instant, `YYYY-MM-DD`. */
export function jstDate(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** ASCII → full width (the address is "full-width text", SPEC §3.2); `-` becomes `－`. */
export function toFullWidth(s: string): string {
  return s.replace(/[\u0021-\u007e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
}
