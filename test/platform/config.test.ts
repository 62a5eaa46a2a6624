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

  it('has rate limits and the reader port by default, and refuses nonsense for them', () => {
    expect(loadConfig({})).toMatchObject({ rateLimitPerDevice: 60, rateLimitPerIp: 600, readerPort: 24780 });
    expect(loadConfig({ RATE_LIMIT_PER_DEVICE: '5', RATE_LIMIT_PER_IP: '50', READER_PORT: '19401' })).toMatchObject({ rateLimitPerDevice: 5, rateLimitPerIp: 50, readerPort: 19401 });
    const message = (() => {
      try {
        loadConfig({ RATE_LIMIT_PER_DEVICE: '0', RATE_LIMIT_PER_IP: 'lots', READER_PORT: '0' });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    for (const name of ['RATE_LIMIT_PER_DEVICE', 'RATE_LIMIT_PER_IP', 'READER_PORT']) expect(message).toContain(name);
  });
});
