import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/src/config.js';
import { DEFAULT_READER_PORT } from '../../platform/src/shared/reader-address.js';

describe('loadConfig', () => {
  it('uses the embedded database and loopback by default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, operatorPort: 8081, host: '127.0.0.1', databaseUrl: null, seedDemo: true, jpkiMode: 'dev' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("knows where `npm start` puts the reader driver: the driver's own default port unless READER_PORT says otherwise", () => {
    expect(loadConfig({})).toMatchObject({ readerPort: DEFAULT_READER_PORT, readerAllowedOrigins: null, readerDeviceCredentialFile: null });
    expect(loadConfig({ READER_PORT: '19850', READER_ALLOWED_ORIGINS: 'http://tv.test', READER_DEVICE_CREDENTIAL_FILE: '/etc/stb/device.json' }))
      .toMatchObject({ readerPort: 19850, readerAllowedOrigins: 'http://tv.test', readerDeviceCredentialFile: '/etc/stb/device.json' });
    expect(() => loadConfig({ READER_PORT: '70000' })).toThrow(/READER_PORT must be an integer/);
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' }).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/x');
  });

  it('keeps at most 10 PostgreSQL connections per process unless DATABASE_POOL_SIZE says otherwise, and refuses nonsense for it', () => {
    expect(loadConfig({}).databasePoolSize).toBe(10);
    expect(loadConfig({ DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25);
    for (const bad of ['0', '-3', '2.5', 'lots', '51', '']) expect(() => loadConfig({ DATABASE_POOL_SIZE: bad })).toThrow(/DATABASE_POOL_SIZE must be a whole number 1–50/);
  });

  it('asks each LISTEN connection for an answer every 15 s, within 5 s, unless told otherwise, and refuses nonsense for either', () => {
    expect(loadConfig({})).toMatchObject({ databaseListenHeartbeatSeconds: 15, databaseListenHeartbeatTimeoutSeconds: 5 });
    expect(loadConfig({ DATABASE_LISTEN_HEARTBEAT_SECONDS: '30', DATABASE_LISTEN_HEARTBEAT_TIMEOUT_SECONDS: '2' })).toMatchObject({ databaseListenHeartbeatSeconds: 30, databaseListenHeartbeatTimeoutSeconds: 2 });
    for (const name of ['DATABASE_LISTEN_HEARTBEAT_SECONDS', 'DATABASE_LISTEN_HEARTBEAT_TIMEOUT_SECONDS']) {
      for (const bad of ['0', '-1', '1.5', 'often']) expect(() => loadConfig({ [name]: bad })).toThrow(new RegExp(`${name} must be a positive whole number`));
    }
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

  const PENSION = { PENSION_TSA_URL: 'https://tsa.example.jp/tsa', PENSION_TSA_ROOT_FILE: '/etc/cap/tsa-root.pem', PENSION_EVIDENCE_KEY_FILE: '/etc/cap/evidence.key', PENSION_EVIDENCE_CERT_FILE: '/etc/cap/evidence.pem' };
  const PRODUCTION = { JPKI_MODE: 'production', CERT_LOOKUP_SECRET: 'l'.repeat(32), NONCE_SECRET: 'n'.repeat(32), AUDIT_HMAC_SECRET: 'a'.repeat(32), ...PENSION };

  it('takes the pension TSA and evidence key from settings; production requires them, dev falls back to the dev center', () => {
    expect(loadConfig({})).toMatchObject({ pensionTsaUrl: null, pensionEvidenceKeyFile: null, pensionCrlMaxAgeSeconds: 86_400 });
    expect(loadConfig(PRODUCTION)).toMatchObject({ pensionTsaUrl: 'https://tsa.example.jp/tsa', pensionEvidenceKeyFile: '/etc/cap/evidence.key' });
    const { PENSION_TSA_URL: _url, ...withoutTsa } = PRODUCTION;
    expect(() => loadConfig(withoutTsa)).toThrow(/PENSION_TSA_URL, PENSION_TSA_ROOT_FILE, PENSION_EVIDENCE_KEY_FILE, PENSION_EVIDENCE_CERT_FILE are required/);
    expect(() => loadConfig({ PENSION_TSA_URL: 'ftp://x' })).toThrow(/PENSION_TSA_URL must be an http/);
  });

  it('does not seed the demo world in production unless told, and then refuses', () => {
    expect(loadConfig(PRODUCTION).seedDemo).toBe(false);
    expect(loadConfig({ ...PRODUCTION, SEED_DEMO: 'false' }).seedDemo).toBe(false);
    expect(() => loadConfig({ ...PRODUCTION, SEED_DEMO: 'true' })).toThrow(/SEED_DEMO must be false when JPKI_MODE=production/);
    expect(loadConfig({ SEED_DEMO: 'true' }).seedDemo).toBe(true);
  });

  it('lists demo seeding in production alongside the other problems', () => {
    let message = '';
    try {
      loadConfig({ JPKI_MODE: 'production', SEED_DEMO: 'yes', PORT: 'eighty' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['PORT', 'SEED_DEMO', 'CERT_LOOKUP_SECRET', 'NONCE_SECRET']) expect(message).toContain(name);
  });

  it('serves the operator console on its own port: PORT + 1 unless set, never PORT itself', () => {
    expect(loadConfig({ PORT: '9000' }).operatorPort).toBe(9001);
    expect(loadConfig({ PORT: '0' }).operatorPort).toBe(0);
    expect(loadConfig({ PORT: '9000', OPERATOR_PORT: '9100' }).operatorPort).toBe(9100);
    expect(() => loadConfig({ PORT: '9000', OPERATOR_PORT: '9000' })).toThrow(/OPERATOR_PORT must differ from PORT/);
    expect(() => loadConfig({ PORT: '65535' })).toThrow(/OPERATOR_PORT must be an integer/);
  });

  it('serves the shelter tablet on its own port too: PORT + 2 unless set, never PORT or OPERATOR_PORT', () => {
    expect(loadConfig({ PORT: '9000' }).shelterPort).toBe(9002);
    expect(loadConfig({ PORT: '0' }).shelterPort).toBe(0);
    expect(() => loadConfig({ PORT: '9000', SHELTER_PORT: '9001' })).toThrow(/SHELTER_PORT must differ from PORT and OPERATOR_PORT/);
    expect(() => loadConfig({ DEMO_DRILL_RESIDENTS: '-1' })).toThrow(/DEMO_DRILL_RESIDENTS must be a whole number/);
  });

  it('keeps the audit chain key and checkpoints apart from the database', () => {
    const config = loadConfig({ DATA_DIR: '/srv/cap' });
    expect(config.auditHmacSecret).not.toBe(config.nonceSecret);
    expect(config.auditHmacSecret.length).toBeGreaterThanOrEqual(32);
    expect(config).toMatchObject({ auditCheckpointDir: '/srv/cap/audit-checkpoints', auditSigningKeyFile: '/srv/cap/audit-signing-key.pem', auditCheckpointIntervalSeconds: 60 });
  });

  it('in production requires an audit key of 32+ characters and a separate owner role for PostgreSQL', () => {
    const base = { ...PRODUCTION, DATABASE_URL: 'postgres://cap_platform@db/cap' };
    expect(() => loadConfig({ ...base, AUDIT_HMAC_SECRET: 'short', DATABASE_OWNER_URL: 'postgres://cap_owner@db/cap' })).toThrow(/AUDIT_HMAC_SECRET/);
    expect(() => loadConfig(base)).toThrow(/DATABASE_OWNER_URL is required/);
    expect(loadConfig({ ...base, DATABASE_OWNER_URL: 'postgres://cap_owner@db/cap' })).toMatchObject({
      databaseUrl: 'postgres://cap_platform@db/cap', databaseOwnerUrl: 'postgres://cap_owner@db/cap',
    });
    expect(() => loadConfig({ DATABASE_OWNER_URL: 'postgres://cap_owner@db/cap' })).toThrow(/needs DATABASE_URL/);
  });
});
