import { describe, expect, it } from 'vitest';
import { CONSENT } from '../../../platform/src/identity/consent.js';
import { RENEW_NOTICE } from '../../../platform/src/pension/submissions.js';
import { ERRORS } from '../../../platform/src/shared/errors.js';
import { STRINGS } from '../../../stb-ui/src/tv/strings.js';

// Issue 11 item 10: the TV speaks to residents in everyday words. These are the card's and the
// industry's names for things; a resident does not know them.
const HARD_WORDS = ['利用者証明用', '署名用', '基本4情報', '基本４情報', '高コントラスト', '実行中', '済', '▶', '✓'];

/**
 * Everything the TV page can put on screen: its string table, the consent text, the catalogue's
 * Japanese, and the inbox texts the platform writes itself (shown as stored).
 */
const shown: [string, string][] = [
  ...Object.entries(STRINGS.ja),
  ['consent', CONSENT.text],
  ['inbox renew.title', RENEW_NOTICE.title],
  ['inbox renew.body', RENEW_NOTICE.body],
  ...Object.entries(ERRORS).map(([code, e]): [string, string] => [`error ${code}`, e.ja]),
];

describe('words on the TV', () => {
  it.each(HARD_WORDS)('never says %s', (word) => {
    expect(shown.filter(([, text]) => text.includes(word)).map(([key]) => key)).toEqual([]);
  });

  it('names the two card secrets the way the resident knows them', () => {
    expect(STRINGS.ja['pin.auth.title']).toContain('4けたの暗証番号');
    expect(STRINGS.ja['pin.sign.title']).toContain('英数字のパスワード（6〜16文字）');
    expect(STRINGS.ja['settings.contrast']).toBe('見やすい色');
    expect(CONSENT.text).toContain('名前・住所・生年月日・性別');
  });

  it('the wait screens name no card secret of their own: the words for what was typed come from the flow', () => {
    const waits = Object.entries(STRINGS.ja).filter(([key]) => key.startsWith('flow.wait.') && !key.startsWith('flow.wait.secret.'));
    expect(waits.filter(([, text]) => /暗証番号|パスワード/.test(text)).map(([key]) => key)).toEqual([]);
  });

  it('says once why the district is asked', () => {
    const why = Object.entries(STRINGS.ja).filter(([, text]) => text.includes('お届けするために'));
    expect(why.map(([key]) => key)).toEqual(['flow.district.why']);
  });
});
