import { PIN_RULES } from './pins.js';

/**
 * The file a virtual My Number Card lives in (`CARD.json`), written by the dev JPKI center
 * (`npm run jpki-center -- issue-card`) and read by the virtual card. The card writes it back
 * (atomically) whenever a PIN counter or PIN value changes, so a lockout survives restarts just as
 * on a real card. PINs are stored in the clear: this is a development card, never a real one.
 */
export interface CardFile {
  format: 'jpki-virtual-card/1';
  /** Stable name in the demo card bay, e.g. `yamada-taro`. */
  id: string;
  /** EF 0006 token label: `JPKIAPICCTOKEN2` for a My Number Card. */
  tokenLabel: string;
  /** Contact ATR the card presents, hex (SPEC §1.2). */
  atr: string;
  /**
   * Elementary files of the JPKI AP by FID (hex, 4 digits), base64 DER. At least `0001` (sign
   * certificate), `0002` (sign CA), `000A` (auth certificate), `000B` (auth CA). The card pads
   * each EF with filler after the DER (SPEC §1.4), as a real card does.
   */
  files: Record<string, string>;
  /** Private keys, base64 PKCS#8 DER (RSA-2048). */
  keys: { auth: string; sign: string };
  /** PIN values and remaining tries (auth: 4 digits, 3 tries; sign: 6–16 A–Z0–9, 5 tries). */
  pins: {
    auth: { value: string; triesLeft: number };
    sign: { value: string; triesLeft: number };
  };
}

export const CARD_FILE_FORMAT = 'jpki-virtual-card/1';
export const AUTH_PIN_MAX_TRIES = PIN_RULES.auth.maxTries;
export const SIGN_PIN_MAX_TRIES = PIN_RULES.sign.maxTries;
