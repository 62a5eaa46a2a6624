import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../../platform/src/shared/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { log: pino(loggerOptions('info'), stream), lines };
}

describe('logger redaction', () => {
  it('never writes PINs, certificate serials or personal data', () => {
    const { log, lines } = capture();
    log.info({ pin: '1234', card: { signPin: 'ABCD1234', serial: '018C453E' }, person: { name: '山田　太郎', address: '富山県' }, req: { body: { pin: '9999' } } }, 'x');
    const out = lines.join('');
    for (const secret of ['1234', 'ABCD1234', '018C453E', '山田', '富山県', '9999']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('keeps ordinary fields', () => {
    const { log, lines } = capture();
    log.info({ code: 'CARD_PIN_WRONG', triesLeft: 2 }, 'refused');
    expect(lines.join('')).toContain('CARD_PIN_WRONG');
  });
});
