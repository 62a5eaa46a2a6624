import { PIN_RULES, type PinRule } from '../../../../platform/src/shared/pins.js';
import type { KeyKind, PinStatus } from '../../api/reader-client.js';
import { t, type StringKey } from '../strings.js';

/**
 * Pure rules of PIN entry on the TV, without any DOM: what each PIN looks like, how a typed value
 * changes, and what the screen must say about tries left. JPKI: the 利用者証明用 PIN (auth) is 4
 * digits with 3 tries; the 署名用 PIN (sign) is 6–16 characters A–Z and 0–9 with 5 tries.
 */

/** The shape of one kind of PIN (the one definition, shared with the driver and the cards). */
export type PinSpec = Readonly<PinRule>;
export const PIN_SPECS: Readonly<Record<KeyKind, PinSpec>> = PIN_RULES;

/** A PIN being typed: the characters so far, never shown in clear (see `masked`). */
export interface PinValue {
  readonly spec: PinSpec;
  readonly chars: string;
}

export const emptyPin = (kind: KeyKind): PinValue => ({ spec: PIN_SPECS[kind], chars: '' });

/** Adds one character; ignored when it is not allowed or the PIN is full. Lower-case letters count as upper-case. */
export function typeChar(value: PinValue, char: string): PinValue {
  const c = char.toUpperCase();
  if (c.length !== 1 || !value.spec.charset.test(c) || value.chars.length >= value.spec.maxLength) return value;
  return { spec: value.spec, chars: value.chars + c };
}

/** Deletes the last character (nothing happens when empty). */
export function deleteChar(value: PinValue): PinValue {
  return value.chars ? { spec: value.spec, chars: value.chars.slice(0, -1) } : value;
}

export const isEmpty = (value: PinValue) => value.chars.length === 0;
export const isFull = (value: PinValue) => value.chars.length >= value.spec.maxLength;
/** Long enough (and only allowed characters) to be sent to the card. */
export const isComplete = (value: PinValue) =>
  value.chars.length >= value.spec.minLength && value.chars.length <= value.spec.maxLength && [...value.chars].every((c) => value.spec.charset.test(c));

/**
 * What the screen shows instead of the PIN: one ● per character; with `revealLast`, the last
 * character in clear (the viewer asked to check what they just typed).
 */
export function masked(value: PinValue, revealLast = false): string[] {
  const dots = [...value.chars].map(() => '●');
  if (revealLast && dots.length) dots[dots.length - 1] = value.chars[value.chars.length - 1]!;
  return dots;
}

/** What the screen must do about the PIN's retry counter. */
export type TriesAdvice =
  /** The count is not known yet (still asking the card), or the card did not say. */
  | { level: 'unknown' }
  | { level: 'ok'; triesLeft: number }
  /** One try left: warn, and ask for an explicit confirmation before sending. */
  | { level: 'last'; triesLeft: 1 }
  /** Locked: explain where to unlock it; nothing may be sent. */
  | { level: 'blocked'; triesLeft: 0 };

export function triesAdvice(status: PinStatus | null): TriesAdvice {
  if (!status) return { level: 'unknown' };
  if (status.blocked || status.triesLeft === 0) return { level: 'blocked', triesLeft: 0 };
  if (status.triesLeft === null) return { level: 'unknown' };
  if (status.triesLeft === 1) return { level: 'last', triesLeft: 1 };
  return { level: 'ok', triesLeft: status.triesLeft };
}

/** What pressing 決定 should do now. */
export type SubmitDecision = 'incomplete' | 'blocked' | 'confirmLastTry' | 'send';

export function submitDecision(value: PinValue, status: PinStatus | null): SubmitDecision {
  const advice = triesAdvice(status);
  if (advice.level === 'blocked') return 'blocked';
  if (!isComplete(value)) return 'incomplete';
  return advice.level === 'last' ? 'confirmLastTry' : 'send';
}

/** What Back (Backspace) does on a PIN screen: delete a character while there is one, else leave. */
export const backAction = (value: PinValue): 'delete' | 'leave' => (isEmpty(value) ? 'leave' : 'delete');

/**
 * What the PIN screen says above the pad (`linkLost`: the link broke after 決定; `cardRemoved`:
 * the card was taken away while it checked the PIN — either way the PIN is asked again).
 */
export type PinNotice = 'incomplete' | 'wrong' | 'otherCard' | 'format' | 'linkLost' | 'cardRemoved';

/** A message of a PIN screen: a notice about the last try, the one-try-left warning and question. */
export type PinMessage = PinNotice | 'lastTry' | 'confirmLastTry';

/** Which string each PIN screen message is, per kind of secret (the 4-digit 暗証番号, the sign password パスワード). */
const PIN_MESSAGES: Readonly<Record<KeyKind, Readonly<Record<PinMessage, StringKey>>>> = {
  auth: {
    incomplete: 'pin.notice.incomplete.auth', wrong: 'pin.notice.wrong', otherCard: 'pin.notice.otherCard', format: 'pin.notice.format',
    linkLost: 'pin.notice.linkLost', cardRemoved: 'pin.notice.cardRemoved', lastTry: 'pin.lastTry', confirmLastTry: 'pin.confirm.message',
  },
  // The keyboard heads it 英数字のパスワード: every message there says パスワード, never 暗証番号.
  sign: {
    incomplete: 'pin.notice.incomplete.sign', wrong: 'pin.notice.wrong.sign', otherCard: 'pin.notice.otherCard.sign', format: 'pin.notice.format.sign',
    linkLost: 'pin.notice.linkLost.sign', cardRemoved: 'pin.notice.cardRemoved.sign', lastTry: 'pin.lastTry.sign', confirmLastTry: 'pin.confirm.message.sign',
  },
};

/** What a PIN screen says (`key`: the secret on screen, the 4-digit PIN or the sign password). */
export const pinMessage = (key: KeyKind, message: PinMessage): string => t(PIN_MESSAGES[key][message]);

/** A string with `{name}` placeholders filled in. */
const fill = (text: string, values: Record<string, string>): string => text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

/** The secrets named as the PIN screens name them: 暗証番号, パスワード, or both (`and`: kept together; `or`: either one). */
function secretWords(keys: readonly KeyKind[], join: 'and' | 'or'): string {
  const auth = t('flow.wait.secret.auth');
  const sign = t('flow.wait.secret.sign');
  if (keys.includes('auth') && keys.includes('sign')) return fill(t(join === 'and' ? 'flow.wait.secret.and' : 'flow.wait.secret.or'), { auth, sign });
  return keys.includes('sign') ? sign : auth;
}

/**
 * What a wait screen says about what was typed: `kept`, the secrets held for what comes next;
 * `askedAgain`, one that may have reached the card and is asked again once it is back. Waiting for
 * a card (`absent`) they are used as typed; after the card left (`removed`) or the reader's link
 * broke (`noDriver`), one that was being sent is asked again (`askedAgain` when known, else any
 * kept one may have been on its way). A wait before anything was typed speaks of no secret.
 */
export function waitHint(reason: 'absent' | 'removed' | 'noDriver', kept: readonly KeyKind[], askedAgain: KeyKind | null): string {
  if (reason === 'absent') return t('flow.wait.hint') + (kept.length ? fill(t('flow.wait.hint.kept'), { secret: secretWords(kept, 'and') }) : '');
  // The one asked again, when the card's answer was lost; else any kept one may be on its way.
  const atStake = askedAgain ? [askedAgain] : kept;
  const [first, then] = reason === 'removed' ? (['flow.wait.hint', 'flow.wait.hint.removed'] as const) : (['flow.wait.noDriver.hint', 'flow.wait.noDriver.hint.sent'] as const);
  return t(first) + (atStake.length ? fill(t(then), { secret: secretWords(atStake, 'or') }) : '');
}
