import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loggerOptions } from '../../platform/src/shared/logger.js';
import { AppError } from '../../platform/src/shared/errors.js';
import { freshDatabase } from '../helpers/database.js';

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

  it("never writes a failed query's values (drizzle puts them in the message, the stack and `params`; PostgreSQL in `detail`), and keeps what helps: the SQL, the SQLSTATE, the constraint", async () => {
    const database = await freshDatabase();
    try {
      await database.db.execute(sql`create temporary table people_t (name text primary key)`);
      await database.db.execute(sql`insert into people_t values (${'山田　太郎'})`);
      const failure = await database.db.execute(sql`insert into people_t values (${'山田　太郎'})`).then(() => null, (err: unknown) => err);
      expect(failure).toBeInstanceOf(Error);
      const { log, lines } = capture();
      log.error({ err: failure }, 'query failed');
      log.error({ err: new AppError('INTERNAL', { detail: 'x', cause: failure }) }, 'request failed');
      const out = lines.join('');
      expect(out).not.toContain('山田');
      expect(out).toContain('insert into people_t values');
      expect(out).toContain('23505');
      expect(out).toContain('people_t_pkey');
    } finally {
      await database.close();
    }
  });
});
