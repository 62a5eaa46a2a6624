import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/src/config.js';

describe('loadConfig', () => {
  it('uses the embedded database and loopback by default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: null, seedDemo: true, jpkiMode: 'dev' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' }).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/x');
  });

  it('lists every problem at once instead of stopping at the first', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', SEED_DEMO: 'maybe', JPKI_MODE: 'test' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('Invalid configuration');
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'SEED_DEMO', 'JPKI_MODE']) expect(message).toContain(name);
    expect(message.split('\n- ')).toHaveLength(6);
  });
});
