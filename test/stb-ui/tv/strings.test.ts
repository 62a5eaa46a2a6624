import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../stb-ui/src/tv/input/actions.js';
import { STRINGS, t } from '../../../stb-ui/src/tv/strings.js';

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
});
