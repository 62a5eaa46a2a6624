import { describe, expect, it } from 'vitest';
import type { TvAlertMessage } from '../../../../stb-ui/src/api/alerts-client.js';
import { messageIn, notRealNotice, otherLanguage, spokenAlert, mostUrgentLast, urgency } from '../../../../stb-ui/src/tv/alerts/alert-message.js';

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

describe('a drill on a TV flagged for test alerts', () => {
  const ja = message('ja-JP', '警戒レベル4 避難指示');

  it('says 訓練 or テスト in plain Japanese, never the CAP status in English; a real order says nothing of the kind', () => {
    expect(notRealNotice({ status: 'Exercise' })).toBe('訓練です。本当の 避難情報では ありません');
    expect(notRealNotice({ status: 'Test' })).toBe('テストです。本当の 避難情報では ありません');
    expect(notRealNotice({ status: 'System' })).toBe('テスト・訓練です。本当の 避難情報では ありません');
    for (const status of ['Exercise', 'Test', 'System']) expect(notRealNotice({ status })).not.toMatch(/[A-Za-z]/);
    expect(notRealNotice({ status: 'Actual' })).toBeNull();
    expect(notRealNotice({})).toBeNull();
  });

  it('is read aloud as a drill, before and after the order, so nobody hears it as a real one; a real order is read as it is', () => {
    const spoken = spokenAlert({ status: 'Exercise', messages: [ja] });
    expect(spoken.startsWith('訓練です。')).toBe(true);
    expect(spoken.endsWith('訓練です。本当の 避難情報では ありません')).toBe(true);
    expect(spoken).toContain('警戒レベル4 避難指示');
    expect(spokenAlert({ status: 'Actual', messages: [ja] })).toBe('警戒レベル4 避難指示');
  });
});

describe('the order alerts come onto the screen', () => {
  const at = (id: string, level: string | undefined, sentAt: string) => ({ id, ...(level ? { level } : {}), sentAt });

  it('the most urgent comes next whatever arrived later: 緊急安全確保, 避難指示, 高齢者等避難, one with no level, a lift', () => {
    const order = mostUrgentLast([
      at('five', '5', '2026-12-03T10:00:00Z'), at('lift', 'lift', '2026-12-03T10:05:00Z'), at('three', '3', '2026-12-03T10:04:00Z'),
      at('none', undefined, '2026-12-03T10:03:00Z'), at('four', '4', '2026-12-03T10:02:00Z'),
    ]).map((a) => a.id);
    expect(order).toEqual(['lift', 'none', 'three', 'four', 'five']);
  });

  it('of equally urgent ones the latest sent comes next; the same time keeps the order they arrived in', () => {
    const order = mostUrgentLast([
      at('later', '4', '2026-12-03T10:05:00Z'), at('earlier', '4', '2026-12-03T10:00:00Z'), at('same-a', '3', '2026-12-03T10:00:00Z'), at('same-b', '3', '2026-12-03T10:00:00Z'),
    ]).map((a) => a.id);
    expect(order).toEqual(['same-a', 'same-b', 'earlier', 'later']);
    expect(urgency({ level: 'x' })).toBe(1);
  });
});
