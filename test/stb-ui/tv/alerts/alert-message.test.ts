import { describe, expect, it } from 'vitest';
import type { TvAlertMessage } from '../../../../stb-ui/src/api/alerts-client.js';
import { messageIn, otherLanguage } from '../../../../stb-ui/src/tv/alerts/alert-message.js';

const message = (language: string, title: string): TvAlertMessage => ({ language, title, colour: '#aa00aa', greeting: '', lines: [], speech: title });

describe('the language an alert overlay shows', () => {
  const en = message('en-US', 'Alert Level 4: Evacuation order');
  const ja = message('ja-JP', '警戒レベル4 避難指示');

  it('is Japanese first even when the source wrote English first, and the other language is offered', () => {
    const alert = { messages: [en, ja] };
    expect(messageIn(alert)).toBe(ja);
    expect(otherLanguage(alert, ja)).toBe('en');
    expect(messageIn(alert, 'en')).toBe(en);
    expect(otherLanguage(alert, en)).toBe('ja');
  });

  it('falls back to Japanese, then to the first, for a language the alert does not carry; one language offers no switch', () => {
    expect(messageIn({ messages: [en, ja] }, 'pt')).toBe(ja);
    const pt = message('pt-BR', 'Nível 4');
    expect(messageIn({ messages: [pt, en] }, 'ja')).toBe(pt);
    expect(otherLanguage({ messages: [ja] }, ja)).toBeNull();
  });
});
