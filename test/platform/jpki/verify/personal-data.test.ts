import { describe, expect, it } from 'vitest';
import { readPersonalData } from '../../../../platform/src/jpki/verify/index.js';
import { buildHierarchy } from './hierarchy.js';
import { TARO, type PersonalDataValues } from './pki-builder.js';

const h = buildHierarchy();
const withData = (over: Partial<PersonalDataValues>) => h.leaf('sign', 'A', { personalData: { ...TARO, ...over } });

describe('readPersonalData', () => {
  it('reads the 基本4情報 and the substitute flags from the SAN otherNames', () => {
    expect(readPersonalData(h.signLeaf)).toEqual({
      name: '山田\u3000太郎',
      dateOfBirth: '1980-02-17',
      birthEra: 'showa',
      gender: '1',
      address: '東京都渋谷区神南一丁目１９番１１号',
      nameSubstitutes: '00000',
      addressSubstitutes: '0'.repeat(17),
    });
  });

  it('reads every era digit and the four gender codes', () => {
    expect(readPersonalData(withData({ birth: '119120729', gender: '2' }))).toMatchObject({ dateOfBirth: '1912-07-29', birthEra: 'meiji', gender: '2' });
    expect(readPersonalData(withData({ birth: '520200229', gender: '3' }))).toMatchObject({ dateOfBirth: '2020-02-29', birthEra: 'reiwa', gender: '3' });
    expect(readPersonalData(withData({ birth: '019990101', gender: '9' }))).toMatchObject({ birthEra: 'unknown', gender: '9' });
  });

  it('keeps substitute flags as stored', () => {
    expect(readPersonalData(withData({ name: '髙橋　一郎', nameSubstitutes: '10000' })).nameSubstitutes).toBe('10000');
  });

  it('refuses an auth certificate with PKI_WRONG_PURPOSE', () => {
    expect(() => readPersonalData(h.authLeaf)).toThrow(expect.objectContaining({ code: 'PKI_WRONG_PURPOSE' }));
  });

  it('refuses a sign certificate without SAN with PKI_PERSONAL_DATA_INVALID', () => {
    expect(() => readPersonalData(h.leaf('sign', 'A', { personalData: null }))).toThrow(expect.objectContaining({ code: 'PKI_PERSONAL_DATA_INVALID' }));
  });

  it.each([
    ['a date of birth that is not EYYYYMMDD', { birth: '1980-02-17' }],
    ['an era digit out of range', { birth: '719800217' }],
    ['a date that does not exist', { birth: '319810229' }],
    ['an unknown gender code', { gender: '0' }],
    ['an empty name', { name: '' }],
    ['an empty address', { address: '' }],
    ['substitute flags that are not 0/1', { nameSubstitutes: '0002' }],
    ['empty address flags', { addressSubstitutes: '' }],
  ])('refuses %s with PKI_PERSONAL_DATA_INVALID', (_label, over) => {
    expect(() => readPersonalData(withData(over))).toThrow(expect.objectContaining({ code: 'PKI_PERSONAL_DATA_INVALID' }));
  });
});
