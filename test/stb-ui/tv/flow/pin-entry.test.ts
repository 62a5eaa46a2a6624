import { describe, expect, it } from 'vitest';
import {
  backAction, deleteChar, emptyPin, isComplete, masked, pinMessage, submitDecision, triesAdvice, typeChar, waitHint, type PinMessage, type PinValue,
} from '../../../../stb-ui/src/tv/flow/pin-entry.js';
import { t } from '../../../../stb-ui/src/tv/strings.js';

const typed = (kind: 'auth' | 'sign', text: string): PinValue => [...text].reduce(typeChar, emptyPin(kind));

describe('PIN entry', () => {
  it('takes 4 digits for the auth PIN and ignores anything else or more', () => {
    expect(typed('auth', '12a3').chars).toBe('123');
    expect(typed('auth', '123456').chars).toBe('1234');
    expect(isComplete(typed('auth', '123'))).toBe(false);
    expect(isComplete(typed('auth', '1234'))).toBe(true);
  });

  it('takes 6–16 of A–Z and 0–9 for the sign PIN, upper-casing letters', () => {
    expect(typed('sign', 'yamada2024').chars).toBe('YAMADA2024');
    expect(typed('sign', 'ab-c!').chars).toBe('ABC');
    expect(isComplete(typed('sign', 'ABCDE'))).toBe(false);
    expect(isComplete(typed('sign', 'ABCDEF'))).toBe(true);
    expect(typed('sign', 'A'.repeat(20)).chars).toHaveLength(16);
  });

  it('shows dots, and only the last character in clear when asked', () => {
    const v = typed('sign', 'AB12');
    expect(masked(v)).toEqual(['●', '●', '●', '●']);
    expect(masked(v, true)).toEqual(['●', '●', '●', '2']);
    expect(masked(emptyPin('auth'), true)).toEqual([]);
  });

  it('Back deletes a character while there is one, then leaves', () => {
    let v = typed('auth', '12');
    expect(backAction(v)).toBe('delete');
    v = deleteChar(deleteChar(v));
    expect(v.chars).toBe('');
    expect(backAction(v)).toBe('leave');
    expect(deleteChar(v)).toBe(v);
  });

  it('reads the retry counter: unknown, ok, last try, blocked', () => {
    expect(triesAdvice(null)).toEqual({ level: 'unknown' });
    expect(triesAdvice({ triesLeft: null, blocked: false })).toEqual({ level: 'unknown' });
    expect(triesAdvice({ triesLeft: 3, blocked: false })).toEqual({ level: 'ok', triesLeft: 3 });
    expect(triesAdvice({ triesLeft: 1, blocked: false })).toEqual({ level: 'last', triesLeft: 1 });
    expect(triesAdvice({ triesLeft: 0, blocked: false })).toEqual({ level: 'blocked', triesLeft: 0 });
    expect(triesAdvice({ triesLeft: 2, blocked: true }).level).toBe('blocked');
  });

  it('decides what 決定 does: incomplete, confirm the last try, send, or nothing when blocked', () => {
    expect(submitDecision(typed('auth', '12'), { triesLeft: 3, blocked: false })).toBe('incomplete');
    expect(submitDecision(typed('auth', '1234'), { triesLeft: 3, blocked: false })).toBe('send');
    expect(submitDecision(typed('auth', '1234'), null)).toBe('send');
    expect(submitDecision(typed('auth', '1234'), { triesLeft: 1, blocked: false })).toBe('confirmLastTry');
    expect(submitDecision(typed('auth', '1234'), { triesLeft: 0, blocked: true })).toBe('blocked');
    expect(submitDecision(emptyPin('sign'), { triesLeft: 0, blocked: true })).toBe('blocked');
  });
});

describe('what the PIN screens say', () => {
  const MESSAGES: PinMessage[] = ['incomplete', 'wrong', 'otherCard', 'format', 'linkLost', 'cardRemoved', 'lastTry', 'confirmLastTry'];
  /** The messages that name the secret (the incomplete ones say how many characters instead). */
  const NAMING = MESSAGES.filter((m) => m !== 'incomplete');

  // The sign password's keyboard (registration, the pension confirmation) heads it 英数字のパスワード:
  // a notice there that said 暗証番号 would name a second secret the resident does not have.
  it.each(MESSAGES)('on the sign password keyboard, %s never says 暗証番号', (message) => {
    expect(pinMessage('sign', message)).not.toContain('暗証番号');
  });

  it.each(NAMING)('on the sign password keyboard, %s says パスワード, by its full name where it asks for it again', (message) => {
    expect(pinMessage('sign', message)).toContain('パスワード');
  });

  it('asks for the sign password again by the name its keyboard has', () => {
    expect(t('pin.sign.title')).toContain('英数字のパスワード');
    for (const m of ['otherCard', 'linkLost', 'cardRemoved'] as const) expect(pinMessage('sign', m)).toContain('英数字のパスワード');
  });

  it.each(NAMING)('on the 4-digit pad, %s keeps saying 暗証番号', (message) => {
    expect(pinMessage('auth', message)).toContain('暗証番号');
    expect(pinMessage('auth', message)).not.toContain('パスワード');
  });

  it('a locked sign password is said in the same word, where to unlock it too', () => {
    expect(t('pin.blocked.title.sign')).toContain('パスワード');
    expect(t('pin.blocked.text.sign')).toContain('パスワード');
    expect(t('pin.blocked.text.sign')).not.toContain('暗証番号');
  });

  it('a wait screen names what was typed as the PIN screens do: 暗証番号, パスワード, both, or nothing yet', () => {
    const carryOn = 'カードをおくと、自動で つづきから はじまります。';
    expect(waitHint('absent', [], null)).toBe(carryOn);
    expect(waitHint('absent', ['auth'], null)).toBe(`${carryOn}入力した暗証番号は そのまま使います。`);
    expect(waitHint('absent', ['sign'], null)).toBe(`${carryOn}入力したパスワードは そのまま使います。`);
    expect(waitHint('absent', ['auth', 'sign'], null)).toBe(`${carryOn}入力した暗証番号と パスワードは そのまま使います。`);
    expect(waitHint('removed', ['sign'], null)).toBe(`${carryOn}パスワードを 送ったあとに 離れたときは、もう一度 入れてもらいます。`);
    expect(waitHint('removed', ['auth', 'sign'], null)).toContain('暗証番号か パスワードを 送ったあとに');
    // Registration: the 暗証番号's answer lost with the link, the パスワード kept.
    expect(waitHint('noDriver', ['sign'], 'auth')).toBe('つながると、自動で つづきから はじまります。暗証番号を 送ったあとに 切れたときは、もう一度 入れてもらいます。');
    expect(waitHint('noDriver', [], null)).toBe('つながると、自動で つづきから はじまります。');
  });
});
