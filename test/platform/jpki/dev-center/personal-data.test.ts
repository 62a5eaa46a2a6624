import { describe, expect, it } from 'vitest';
import { eraCodedBirth, fifthBirthdayAfter, normalizePerson, toFullWidth } from '../../../../platform/src/jpki/dev-center/personal-data.js';
import { resolveLocality } from '../../../../platform/src/jpki/dev-center/localities.js';

describe('eraCodedBirth', () => {
  it.each([
    ['1980-02-17', '319800217'], // the J-LIS test card value (SPEC §3.2)
    ['1912-07-29', '119120729'], ['1912-07-30', '219120730'],
    ['1926-12-24', '219261224'], ['1926-12-25', '319261225'],
    ['1989-01-07', '319890107'], ['1989-01-08', '419890108'],
    ['2019-04-30', '420190430'], ['2019-05-01', '520190501'],
  ])('codes %s as %s (era digit + Gregorian date)', (birth, coded) => {
    expect(eraCodedBirth(birth)).toBe(coded);
  });
});

describe('fifthBirthdayAfter', () => {
  it('matches the real certificates in SPEC §3.3 (issued 2023-05-19 and 2020-05-19, born 12-07)', () => {
    expect(fifthBirthdayAfter('1980-12-07', new Date('2023-05-19T03:00:00Z')).toISOString()).toBe('2027-12-07T14:59:59.000Z');
    expect(fifthBirthdayAfter('1980-12-07', new Date('2020-05-19T03:00:00Z')).toISOString()).toBe('2024-12-07T14:59:59.000Z');
  });

  it('does not count a birthday on the issue day itself, judged in JST', () => {
    // 2023-12-06T15:00Z is already 12-07 in Japan: the birthday is the issue day.
    expect(fifthBirthdayAfter('1980-12-07', new Date('2023-12-06T15:00:00Z')).toISOString()).toBe('2028-12-07T14:59:59.000Z');
    // 2023-12-06T14:59Z is still 12-06 in Japan: the next day is the first birthday.
    expect(fifthBirthdayAfter('1980-12-07', new Date('2023-12-06T14:59:00Z')).toISOString()).toBe('2027-12-07T14:59:59.000Z');
  });

  it('ends a 29 February birthday on 28 February in a common year and on 29 February in a leap year', () => {
    expect(fifthBirthdayAfter('1960-02-29', new Date('2021-06-01T00:00:00Z')).toISOString()).toBe('2026-02-28T14:59:59.000Z');
    expect(fifthBirthdayAfter('1960-02-29', new Date('2023-06-01T00:00:00Z')).toISOString()).toBe('2028-02-29T14:59:59.000Z');
  });
});

describe('normalizePerson', () => {
  it('joins surname and given name with U+3000, widens the address and derives the locality', () => {
    const problems: string[] = [];
    const p = normalizePerson({ name: ' 山田  太郎 ', birth: '1950-04-01', gender: '1', address: '富山県南砺市城端123-4' }, problems);
    expect(problems).toEqual([]);
    expect(p).toMatchObject({
      name: '山田\u3000太郎', address: '富山県南砺市城端１２３－４', nameSubstitutes: '00000', addressSubstitutes: '0'.repeat(13),
      locality: { prefecture: 'Toyama-ken', municipality: 'Nanto-shi', code: '16210' },
    });
  });

  it('lists every problem at once', () => {
    const problems: string[] = [];
    const p = normalizePerson({ name: '', birth: '2023-02-30', gender: '4', address: 'Nowhere', nameSubstitutes: '2' }, problems);
    expect(p).toBeNull();
    expect(problems.join('\n')).toMatch(/name must not be empty/);
    expect(problems.join('\n')).toMatch(/birth must be a date/);
    expect(problems.join('\n')).toMatch(/gender/);
    expect(problems.join('\n')).toMatch(/prefecture/);
    expect(problems.join('\n')).toMatch(/name substitute flags/);
  });

  it('accepts substitute flags of the right length only', () => {
    const ok: string[] = [];
    expect(normalizePerson({ name: '髙橋 一', birth: '1990-01-01', gender: '9', address: '東京都渋谷区神南１', nameSubstitutes: '1000' }, ok)?.nameSubstitutes).toBe('1000');
    expect(ok).toEqual([]);
    const bad: string[] = [];
    normalizePerson({ name: '髙橋 一', birth: '1990-01-01', gender: '9', address: '東京都渋谷区神南１', nameSubstitutes: '10' }, bad);
    expect(bad).toHaveLength(1);
  });
});

describe('resolveLocality', () => {
  it('prefers an explicit Prefecture/Municipality and looks up its code', () => {
    expect(resolveLocality('どこか', 'Tokyo-to/Kiyose-shi')).toEqual({ prefecture: 'Tokyo-to', municipality: 'Kiyose-shi', code: '13221' });
    expect(resolveLocality('どこか', 'Aomori-ken/Hirosaki-shi')).toEqual({ prefecture: 'Aomori-ken', municipality: 'Hirosaki-shi', code: '00000' });
  });

  it('takes the longest known municipality (横浜市中区) and refuses unknown ones with a hint', () => {
    expect(resolveLocality('神奈川県横浜市中区本町１')).toMatchObject({ municipality: 'Yokohama-shi-Naka-ku', code: '14104' });
    expect(resolveLocality('青森県弘前市１')).toMatch(/--locality "Aomori-ken\//);
    expect(resolveLocality('x', 'Tokyo to/Shibuya')).toMatch(/locality must look like/);
  });
});

describe('toFullWidth', () => {
  it('widens ASCII and turns - into the full-width hyphen', () => {
    expect(toFullWidth('1-2 A')).toBe('１－２\u3000Ａ');
  });
});
