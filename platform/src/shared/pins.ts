/**
 * What the two JPKI PINs look like (SPEC §2), for everyone who checks one: the TV's PIN entry,
 * the reader driver before a PIN reaches a card, the virtual card and the dev JPKI center.
 * Pure data, no imports: the browser imports it too.
 */

/** Which key pair a PIN opens: 利用者証明用 (auth) or 署名用 (sign). */
export type PinKind = 'auth' | 'sign';

export interface PinRule {
  kind: PinKind;
  minLength: number;
  maxLength: number;
  /** One character that may be typed. */
  charset: RegExp;
  /** A whole PIN (sign PINs after upper-casing). */
  pattern: RegExp;
  /** Tries a fresh card allows before the PIN locks. */
  maxTries: number;
}

export const PIN_RULES: Readonly<Record<PinKind, Readonly<PinRule>>> = {
  auth: { kind: 'auth', minLength: 4, maxLength: 4, charset: /^[0-9]$/, pattern: /^[0-9]{4}$/, maxTries: 3 },
  sign: { kind: 'sign', minLength: 6, maxLength: 16, charset: /^[A-Z0-9]$/, pattern: /^[A-Z0-9]{6,16}$/, maxTries: 5 },
};
