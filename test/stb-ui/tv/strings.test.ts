import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../stb-ui/src/tv/input/actions.js';
import { STRINGS, t, wholeParts } from '../../../stb-ui/src/tv/strings.js';

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

  it('cuts a platform text so times and permit numbers stay whole, the text unchanged', () => {
    const text = '城端公民館 会議室 1月12日（火） 夜間（18:00–21:00） のご予約（利用許可番号 5317-243-901）を取り消しました。';
    const parts = wholeParts(text);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.filter((p) => p.whole).map((p) => p.text)).toEqual(['18:00–21:00', '5317-243-901']);
    expect(wholeParts('9:00 〜 12:00 ADM-1234-567-890').filter((p) => p.whole).map((p) => p.text)).toEqual(['9:00 〜 12:00', 'ADM-1234-567-890']);
    expect(wholeParts('お知らせは ありません。')).toEqual([{ text: 'お知らせは ありません。', whole: false }]);
  });
});
