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

  it('keeps the audit chain key and checkpoints apart from the database', () => {
    const config = loadConfig({ DATA_DIR: '/srv/cap' });
    expect(config.auditHmacSecret).not.toBe(config.nonceSecret);
    expect(config.auditHmacSecret.length).toBeGreaterThanOrEqual(32);
    expect(config).toMatchObject({ auditCheckpointDir: '/srv/cap/audit-checkpoints', auditSigningKeyFile: '/srv/cap/audit-signing-key.pem', auditCheckpointIntervalSeconds: 60 });
  });

  it('in production requires an audit key of 32+ characters and a separate owner role for PostgreSQL', () => {
    const base = { JPKI_MODE: 'production', SEED_DEMO: 'false', CERT_LOOKUP_SECRET: 'c'.repeat(32), NONCE_SECRET: 'n'.repeat(32), DATABASE_URL: 'postgres://cap_platform@db/cap' };
    expect(() => loadConfig({ ...base, AUDIT_HMAC_SECRET: 'short', DATABASE_OWNER_URL: 'postgres://cap_owner@db/cap' })).toThrow(/AUDIT_HMAC_SECRET/);
    expect(() => loadConfig({ ...base, AUDIT_HMAC_SECRET: 'a'.repeat(32) })).toThrow(/DATABASE_OWNER_URL is required/);
    expect(loadConfig({ ...base, AUDIT_HMAC_SECRET: 'a'.repeat(32), DATABASE_OWNER_URL: 'postgres://cap_owner@db/cap' })).toMatchObject({
      databaseUrl: 'postgres://cap_platform@db/cap', databaseOwnerUrl: 'postgres://cap_owner@db/cap',
    });
    expect(() => loadConfig({ DATABASE_OWNER_URL: 'postgres://cap_owner@db/cap' })).toThrow(/needs DATABASE_URL/);
  });
});
