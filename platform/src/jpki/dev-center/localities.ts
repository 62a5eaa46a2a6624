import { PREFECTURES } from '../../shared/prefectures.js';

export { PREFECTURES };

/**
 * Romaji localities for the sign certificate subject (`L=<prefecture>, L=<municipality>`, SPEC §3.2)
 * and the CRL distribution point, plus the 5-digit local government code (全国地方公共団体コード without
 * the check digit) that the auth CN carries (SPEC §3.3, inference). The municipality list is small on
 * purpose: the demo world and the places the SPEC quotes; anything else needs `--locality`.
 */
export interface Locality {
  /** e.g. `Toyama-ken` */
  prefecture: string;
  /** e.g. `Nanto-shi`, `Yokohama-shi-Naka-ku` */
  municipality: string;
  /** 5-digit local government code, `00000` when unknown. */
  code: string;
}

/** Known municipalities: kanji (as written after the prefecture) → romaji and code. */
export const MUNICIPALITIES: ReadonlyArray<{ prefecture: string; kanji: string; romaji: string; code: string }> = [
  { prefecture: '富山県', kanji: '南砺市', romaji: 'Nanto-shi', code: '16210' },
  { prefecture: '富山県', kanji: '富山市', romaji: 'Toyama-shi', code: '16201' },
  { prefecture: '富山県', kanji: '高岡市', romaji: 'Takaoka-shi', code: '16202' },
  { prefecture: '富山県', kanji: '砺波市', romaji: 'Tonami-shi', code: '16208' },
  { prefecture: '東京都', kanji: '千代田区', romaji: 'Chiyoda-ku', code: '13101' },
  { prefecture: '東京都', kanji: '渋谷区', romaji: 'Shibuya-ku', code: '13113' },
  { prefecture: '東京都', kanji: '清瀬市', romaji: 'Kiyose-shi', code: '13221' },
  { prefecture: '神奈川県', kanji: '横浜市中区', romaji: 'Yokohama-shi-Naka-ku', code: '14104' },
  { prefecture: '大阪府', kanji: '大阪市北区', romaji: 'Osaka-shi-Kita-ku', code: '27127' },
  { prefecture: '北海道', kanji: '札幌市中央区', romaji: 'Sapporo-shi-Chuo-ku', code: '01101' },
  { prefecture: '福岡県', kanji: '福岡市中央区', romaji: 'Fukuoka-shi-Chuo-ku', code: '40133' },
];

const ROMAJI = /^[A-Za-z][A-Za-z-]*[A-Za-z]$/;

/**
 * The locality of an address (`富山県南砺市…`), or of an explicit `Prefecture/Municipality` romaji
 * pair (which wins). Returns an error text instead of throwing so the caller reports all problems.
 */
export function resolveLocality(address: string, explicit?: string): Locality | string {
  if (explicit !== undefined) {
    const parts = explicit.split('/');
    if (parts.length !== 2 || !parts.every((p) => ROMAJI.test(p))) {
      return `locality must look like "Toyama-ken/Nanto-shi" (ASCII letters and hyphens), got "${explicit}"`;
    }
    const [prefecture, municipality] = parts as [string, string];
    const known = MUNICIPALITIES.find((m) => m.romaji === municipality);
    return { prefecture, municipality, code: known?.code ?? '00000' };
  }
  const pref = PREFECTURES.find(([kanji]) => address.startsWith(kanji));
  if (!pref) return `address must start with a prefecture (e.g. 富山県…), or give --locality`;
  const rest = address.slice(pref[0].length);
  const known = MUNICIPALITIES.filter((m) => m.prefecture === pref[0] && rest.startsWith(m.kanji))
    .sort((a, b) => b.kanji.length - a.kanji.length)[0];
  if (!known) return `municipality of "${address}" is not in the locality table; give --locality "${pref[1]}/<Municipality-shi>"`;
  return { prefecture: pref[1], municipality: known.romaji, code: known.code };
}
