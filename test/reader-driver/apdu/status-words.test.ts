import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/src/shared/errors.js';
import { SW, describeSw, errorForSw, expectOk, isOk, isWrongLength, pinStatusFromSw, swTriesLeft } from '../../../reader-driver/src/apdu/status-words.js';
import { h } from '../helpers.js';

describe('status-word table', () => {
  it.each([
    [0x9000, 'ok'],
    [0x63c5, 'pin-tries'],
    [0x63c1, 'pin-tries'],
    [0x63c0, 'pin-blocked'],
    [0x6983, 'pin-blocked'],
    [0x6984, 'pin-blocked'],
    [0x6110, 'more-data'],
    [0x6c20, 'wrong-le'],
    [0x6982, 'error'],
  ])('%s is %s', (sw, kind) => {
    expect(describeSw(sw).outcome.kind).toBe(kind);
  });

  it.each([
    [0x63c4, 'CARD_PIN_WRONG', 4],
    [0x63c1, 'CARD_PIN_WRONG', 1],
    [0x63c0, 'CARD_PIN_BLOCKED', 0],
    [0x6983, 'CARD_PIN_BLOCKED', 0],
    [0x6984, 'CARD_PIN_BLOCKED', 0],
  ])('%s becomes %s with triesLeft %i', (sw, code, triesLeft) => {
    const e = errorForSw(sw, 'verify');
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ code, details: { triesLeft } });
  });

  it.each([
    [0x6982, 'other', 'CARD_SECURITY_STATUS'],
    [0x6a82, 'select-ef', 'CARD_COMMAND_FAILED'],
    [0x6a82, 'select-ap', 'CARD_NOT_JPKI'],
    [0x6a86, 'select-ap', 'CARD_NOT_JPKI'],
    [0x6d00, 'select-ap', 'CARD_NOT_JPKI'],
    [0x6e00, 'select-ap', 'CARD_NOT_JPKI'],
    [0x6a86, 'sign', 'CARD_COMMAND_FAILED'],
    [0x6700, 'sign', 'APDU_MALFORMED'],
    [0x6b00, 'read', 'CARD_COMMAND_FAILED'],
    [0x6282, 'read', 'CARD_COMMAND_FAILED'],
    [0x6d00, 'other', 'CARD_COMMAND_FAILED'],
    [0x6e00, 'other', 'CARD_COMMAND_FAILED'],
    [0x6985, 'sign', 'CARD_COMMAND_FAILED'],
    [0x6882, 'other', 'CARD_COMMAND_FAILED'],
    [0x69fc, 'other', 'CARD_COMMAND_FAILED'],
    [0x6a80, 'change', 'CARD_PIN_FORMAT'],
    [0x6a80, 'other', 'CARD_COMMAND_FAILED'],
    [0x6300, 'verify', 'CARD_PIN_WRONG'],
    [0x6581, 'verify', 'CARD_COMMAND_FAILED'],
    [0x1234, 'other', 'CARD_COMMAND_FAILED'],
  ] as const)('%s in %s becomes %s', (sw, context, code) => {
    expect(errorForSw(sw, context).code).toBe(code);
  });

  it('keeps the SW in the logged detail, never in the wire message', () => {
    const e = errorForSw(0x63c2, 'verify');
    expect(e.detail).toContain('63C2');
    expect(e.message).not.toContain('63C2');
  });

  it('expectOk returns the data on 9000 and throws the mapped error otherwise', () => {
    expect(expectOk(h('AB9000'))).toEqual(h('AB'));
    expect(() => expectOk(h('6982'), 'read')).toThrow(expect.objectContaining({ code: 'CARD_SECURITY_STATUS' }));
  });

  it('reads retry-query answers: 9000 verified, 63Cx tries, blocked variants, others null', () => {
    expect(pinStatusFromSw(0x9000)).toEqual({ triesLeft: null, blocked: false });
    expect(pinStatusFromSw(0x63c3)).toEqual({ triesLeft: 3, blocked: false });
    for (const sw of [0x63c0, 0x6983, 0x6984]) expect(pinStatusFromSw(sw)).toEqual({ triesLeft: 0, blocked: true });
    expect(pinStatusFromSw(0x6a88)).toBeNull();
  });

  it('builds 63Cx and names the predicates', () => {
    expect(swTriesLeft(3)).toBe(0x63c3);
    expect(() => swTriesLeft(16)).toThrow(RangeError);
    expect(isOk(SW.OK)).toBe(true);
    expect(isWrongLength(SW.WRONG_LENGTH)).toBe(true);
    expect(isWrongLength(SW.OK)).toBe(false);
  });
});
