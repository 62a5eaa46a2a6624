import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../stb-ui/src/tv/input/actions.js';
import { STRINGS, keepTimesWhole, t } from '../../../stb-ui/src/tv/strings.js';

describe('TV strings', () => {
  it('keeps the texts the page is known by', () => {
    expect(t('app.title')).toBe('テレビで マイナンバーカード');
    expect(t('start.insertCard')).toBe('カードをリーダーにおいてください');
    expect(t('exit.title')).toBe('アプリを終了しますか？');
  });

  it('names every action, and no string is empty', () => {
    for (const action of ACTIONS) expect(STRINGS.ja[`action.${action}`], action).toBeTruthy();
    for (const [key, text] of Object.entries(STRINGS.ja)) expect(text.trim(), key).not.toBe('');
  });

  it('keeps a time range whole with word joiners, and leaves permit numbers and dates as they are', () => {
    expect(keepTimesWhole('午後（13:00–17:00） が空きました')).toBe('午後（13:00\u2060–\u206017:00） が空きました');
    expect(keepTimesWhole('9:00 〜 12:00')).toBe('9:00\u2060 〜 \u206012:00');
    expect(keepTimesWhole('利用許可番号 2016-353-753、2026-12-01')).toBe('利用許可番号 2016-353-753、2026-12-01');
  });
});
