import { resolve } from 'node:path';
import { DEFAULT_READER_PORT } from './shared/reader-address.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './shared/logger.js';
import { parseRevocationPolicy, type RevocationPolicy } from './jpki/ocsp/policy.js';

/** The platform's settings; `loadConfig` is the only reader of `process.env`. */
export interface Config {
  /** TCP port of the HTTP server for the API and the TV page. */
  port: number;
  /**
   * TCP port of the operator console's own origin (same process, same API). A separate origin so
   * the console can never read what the TV page keeps in its storage, nor the TV the console's.
   */
  operatorPort: number;
  /**
   * TCP port of the shelter tablet page's own origin (same process, same API). Its own origin so
   * the reader driver can hand the tablet's device credential to it alone, never the TV's, and the
   * tablet's outbox (IndexedDB) is kept apart from every other page's storage.
   */
  shelterPort: number;
  /** Interface to listen on; loopback unless deliberately exposed. */
  host: string;
  /**
   * PostgreSQL connection string of the role the platform works as; `null` selects the embedded
   * PGlite in `dataDir`. With `databaseOwnerUrl` set this role may only add to the audit log.
   */
  databaseUrl: string | null;
  /**
   * The owner role's connection string: migrations run as it, and it grants the `databaseUrl`
   * role what the platform needs (README "Running at scale"). `null`: migrations run as
   * `databaseUrl` (one role, for development). Required with PostgreSQL in production.
   */
  databaseOwnerUrl: string | null;
  /** PostgreSQL only: how many connections each platform process keeps open to `databaseUrl` at most. */
  databasePoolSize: number;
  /**
   * PostgreSQL only: how often each LISTEN connection (alerts, CRLs, withdrawals) must answer, and
   * within how long, before it counts as lost and is opened again (a silently dead network path).
   */
  databaseListenHeartbeatSeconds: number;
  databaseListenHeartbeatTimeoutSeconds: number;
  /** Folder for the embedded database and other local state. */
  dataDir: string;
  /** Folder holding the built UI pages (`vite build` output). */
  uiDir: string;
  /** pino level. */
  logLevel: LogLevel;
  /** Create the demo world on first start (its TV secrets are in the source: never in production). */
  seedDemo: boolean;
  /** Which JPKI trust store to use: the real J-LIS roots, or the dev JPKI center's. */
  jpkiMode: 'production' | 'dev';
  /** Folder of the dev JPKI center (its roots are the dev trust store; demo cards are issued there). */
  jpkiDevDir: string;
  /** Key of the keyed hash that turns issuer + serial into a lookup key (シリアル番号変換値). */
  certLookupSecret: string;
  /** How long a login/registration nonce lives. */
  nonceTtlSeconds: number;
  /** Key that seals nonces (HMAC); every platform process must share it. */
  nonceSecret: string;
  /** READER_ALLOWED_ORIGINS as given, passed on to the driver `npm start` launches; null = the platform's own origin. */
  readerAllowedOrigins: string | null;
  /** `npm start`: which of those pages may receive the TV's device credential (default: the TV page's origin). */
  readerCredentialOrigins: string | null;
  /** `npm start` in dev: how many extra demo residents (訓練用, cards `drill-01`…) to issue cards to and register, for shelter drills and tests. */
  demoDrillResidents: number;
  /** READER_DEVICE_CREDENTIAL_FILE as given, passed on to that driver; null = `npm start` provisions the demo TV's. */
  readerDeviceCredentialFile: string | null;
  /** How long a TV session lasts without a new card login. */
  sessionTtlSeconds: number;
  /** Operator console: a staff session ends after this long without a request (a desk tool, unlike the TV). */
  staffIdleSeconds: number;
  /** Operator console: a staff session ends after this long whatever happens (a working day). */
  staffSessionMaxSeconds: number;
  /** Operator console: how long an invitation code can be redeemed. */
  staffInviteTtlSeconds: number;
  /** Alerts: how long an alert without `expires` stays active after it was sent (research §1.3: a local TTL). */
  alertDefaultTtlSeconds: number;
  /** Alerts: the console's watchdog warns when 99 % of an alert's TVs have not had it delivered within this many seconds of publishing. */
  alertDeliveryBoundSeconds: number;
  /** Oldest CRL (since thisUpdate) still trusted when nextUpdate has not passed; older = status unknown. */
  crlMaxAgeSeconds: number;
  /** Which revocation source each operation uses and what unknown means there (REVOCATION_POLICY over the defaults of issue 17). */
  revocationPolicy: RevocationPolicy;
  /** An OCSP responder that has not answered after this long counts as unreachable. */
  ocspTimeoutMs: number;
  /** Clock difference tolerated between us and an OCSP responder (thisUpdate ahead, nextUpdate behind). */
  ocspSkewSeconds: number;
  /**
   * OCSP responders per purpose for certificates that name none (sign certificates carry no AIA;
   * J-LIS gives authorised verifiers the address); null: CRLs only for that purpose.
   */
  ocspUrls: { sign: string | null; auth: string | null };
  /**
   * Port of the reader driver on the device's loopback (READER_PORT, as the driver reads it): the TV
   * page may open a WebSocket to it (CSP connect-src), and `npm start` points the TV page at it.
   */
  readerPort: number;
  /** Requests per minute one device credential may make to each card route (nonces, logins, registration drafts). */
  rateLimitPerDevice: number;
  /** Requests per minute one client IP may make to each card route, whatever the device. */
  rateLimitPerIp: number;
  /** Key of the audit chain's HMAC; only platform processes hold it, never the database. */
  auditHmacSecret: string;
  /** Folder where the signed audit checkpoint (chain head) is published, outside the database. */
  auditCheckpointDir: string;
  /** Ed25519 private key (PEM) that signs audit checkpoints; created 0600 on first use. */
  auditSigningKeyFile: string;
  /** How often the chain head is checked and published as a checkpoint. */
  auditCheckpointIntervalSeconds: number;
  /**
   * Pension evidence: the RFC 3161 timestamp authority's URL and its root (PEM file), and the
   * platform's evidence-signing key and certificate (PEM files). In dev mode, when unset, the dev
   * JPKI center's TSA (started in-process on first use) and its platform credential stand in;
   * production requires all four.
   */
  pensionTsaUrl: string | null;
  pensionTsaRootFile: string | null;
  pensionEvidenceKeyFile: string | null;
  pensionEvidenceCertFile: string | null;
  /** A sign certificate's CRL must be at most this old at the timestamp, else the submission waits ("revocation pending"). */
  pensionCrlMaxAgeSeconds: number;
  /** How long a printed link code can be used. */
  pensionLinkCodeTtlSeconds: number;
}

/** More connections per process than this would eat PostgreSQL's own limit (max_connections, 100 by default) with two processes. */
const MAX_POOL_SIZE = 50;

/** Used only in dev mode when CERT_LOOKUP_SECRET is unset; production refuses to start without one. */
const DEV_LOOKUP_SECRET = 'dev-only-lookup-secret-change-me';

/** Reads and checks the environment once, listing every problem; the result is frozen. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = [];

  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be an integer 0–65535 (got "${env.PORT}")`);

  // Default PORT + 1 (0 stays 0: any free port); a bad PORT is reported once, not again here.
  const operatorPort = Number(env.OPERATOR_PORT ?? (!Number.isInteger(port) ? 8081 : port === 0 ? 0 : port + 1));
  if (!Number.isInteger(operatorPort) || operatorPort < 0 || operatorPort > 65535) {
    problems.push(`OPERATOR_PORT must be an integer 0–65535 (got "${env.OPERATOR_PORT ?? operatorPort}")`);
  } else if (operatorPort !== 0 && operatorPort === port) {
    problems.push('OPERATOR_PORT must differ from PORT: the operator console needs its own origin');
  }

  // Default PORT + 2, the same way; every page's origin must be its own.
  const shelterPort = Number(env.SHELTER_PORT ?? (!Number.isInteger(port) ? 8082 : port === 0 ? 0 : port + 2));
  if (!Number.isInteger(shelterPort) || shelterPort < 0 || shelterPort > 65535) {
    problems.push(`SHELTER_PORT must be an integer 0–65535 (got "${env.SHELTER_PORT ?? shelterPort}")`);
  } else if (shelterPort !== 0 && (shelterPort === port || shelterPort === operatorPort)) {
    problems.push('SHELTER_PORT must differ from PORT and OPERATOR_PORT: the shelter tablet needs its own origin');
  }

  const host = env.HOST ?? '127.0.0.1';
  if (!host) problems.push('HOST must not be empty');

  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const databaseOwnerUrl = env.DATABASE_OWNER_URL?.trim() || null;
  if (databaseOwnerUrl && !/^postgres(ql)?:\/\//.test(databaseOwnerUrl)) {
    problems.push('DATABASE_OWNER_URL must start with postgres:// or postgresql://');
  }
  if (databaseOwnerUrl && !databaseUrl) problems.push('DATABASE_OWNER_URL needs DATABASE_URL (the platform role) as well');
  const databasePoolSize = Number(env.DATABASE_POOL_SIZE ?? 10);
  if (!Number.isInteger(databasePoolSize) || databasePoolSize < 1 || databasePoolSize > MAX_POOL_SIZE) {
    problems.push(`DATABASE_POOL_SIZE must be a whole number 1–${MAX_POOL_SIZE} (got "${env.DATABASE_POOL_SIZE}")`);
  }

  const databaseListenHeartbeatSeconds = positiveInt(env.DATABASE_LISTEN_HEARTBEAT_SECONDS ?? '15', 'DATABASE_LISTEN_HEARTBEAT_SECONDS', problems);
  const databaseListenHeartbeatTimeoutSeconds = positiveInt(env.DATABASE_LISTEN_HEARTBEAT_TIMEOUT_SECONDS ?? '5', 'DATABASE_LISTEN_HEARTBEAT_TIMEOUT_SECONDS', problems);

  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!isLogLevel(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const jpkiMode = (env.JPKI_MODE ?? 'dev') as Config['jpkiMode'];
  if (jpkiMode !== 'production' && jpkiMode !== 'dev') problems.push('JPKI_MODE must be "production" or "dev"');

  // The demo world's TV credentials are published in the source: production never seeds them.
  const seedDemo = parseBoolean(env.SEED_DEMO ?? (jpkiMode === 'production' ? 'false' : 'true'), 'SEED_DEMO', problems);
  if (seedDemo && jpkiMode === 'production') problems.push('SEED_DEMO must be false when JPKI_MODE=production (the demo TVs\' secrets are public)');

  const certLookupSecret = env.CERT_LOOKUP_SECRET ?? (jpkiMode === 'dev' ? DEV_LOOKUP_SECRET : '');
  if (jpkiMode === 'production' && certLookupSecret.length < 32) problems.push('CERT_LOOKUP_SECRET of at least 32 characters is required when JPKI_MODE=production');

  const nonceSecret = env.NONCE_SECRET ?? (jpkiMode === 'dev' ? `${certLookupSecret}/nonce` : '');
  if (jpkiMode === 'production' && nonceSecret.length < 32) problems.push('NONCE_SECRET of at least 32 characters is required when JPKI_MODE=production');
  const auditHmacSecret = env.AUDIT_HMAC_SECRET ?? (jpkiMode === 'dev' ? `${certLookupSecret}/audit` : '');
  if (jpkiMode === 'production' && auditHmacSecret.length < 32) problems.push('AUDIT_HMAC_SECRET of at least 32 characters is required when JPKI_MODE=production');
  if (jpkiMode === 'production' && databaseUrl && !databaseOwnerUrl) {
    problems.push('DATABASE_OWNER_URL is required with DATABASE_URL when JPKI_MODE=production (the platform role must not own the audit log)');
  }
  const auditCheckpointIntervalSeconds = positiveInt(env.AUDIT_CHECKPOINT_INTERVAL_SECONDS ?? '60', 'AUDIT_CHECKPOINT_INTERVAL_SECONDS', problems);
  const nonceTtlSeconds = positiveInt(env.NONCE_TTL_SECONDS ?? '120', 'NONCE_TTL_SECONDS', problems);
  const sessionTtlSeconds = positiveInt(env.SESSION_TTL_SECONDS ?? String(12 * 3600), 'SESSION_TTL_SECONDS', problems);
  const staffIdleSeconds = positiveInt(env.STAFF_IDLE_SECONDS ?? '900', 'STAFF_IDLE_SECONDS', problems);
  const staffSessionMaxSeconds = positiveInt(env.STAFF_SESSION_MAX_SECONDS ?? String(10 * 3600), 'STAFF_SESSION_MAX_SECONDS', problems);
  const staffInviteTtlSeconds = positiveInt(env.STAFF_INVITE_TTL_SECONDS ?? String(72 * 3600), 'STAFF_INVITE_TTL_SECONDS', problems);
  const alertDefaultTtlSeconds = positiveInt(env.ALERT_DEFAULT_TTL_SECONDS ?? String(24 * 3600), 'ALERT_DEFAULT_TTL_SECONDS', problems);
  const alertDeliveryBoundSeconds = positiveInt(env.ALERT_DELIVERY_BOUND_SECONDS ?? '60', 'ALERT_DELIVERY_BOUND_SECONDS', problems);
  const crlMaxAgeSeconds = positiveInt(env.CRL_MAX_AGE_SECONDS ?? String(48 * 3600), 'CRL_MAX_AGE_SECONDS', problems);
  const revocationPolicy = parseRevocationPolicy(env.REVOCATION_POLICY, problems);
  const ocspTimeoutMs = positiveInt(env.OCSP_TIMEOUT_MS ?? '3000', 'OCSP_TIMEOUT_MS', problems);
  const ocspSkewSeconds = positiveInt(env.OCSP_SKEW_SECONDS ?? '300', 'OCSP_SKEW_SECONDS', problems);
  const ocspUrl = (name: string): string | null => {
    const raw = env[name]?.trim();
    if (!raw) return null;
    if (!/^https?:\/\/[^\s]+$/.test(raw)) problems.push(`${name} must be an http(s) URL (got "${raw}")`);
    return raw;
  };
  const ocspUrls = { sign: ocspUrl('OCSP_URL_SIGN'), auth: ocspUrl('OCSP_URL_AUTH') };
  const demoDrillResidents = Number(env.DEMO_DRILL_RESIDENTS ?? 0);
  if (!Number.isInteger(demoDrillResidents) || demoDrillResidents < 0 || demoDrillResidents > 99) problems.push(`DEMO_DRILL_RESIDENTS must be a whole number 0–99 (got "${env.DEMO_DRILL_RESIDENTS}")`);
  const readerPort = Number(env.READER_PORT ?? DEFAULT_READER_PORT);
  if (!Number.isInteger(readerPort) || readerPort < 1 || readerPort > 65535) problems.push(`READER_PORT must be an integer 1–65535 (got "${env.READER_PORT}")`);
  // A person logs in or registers a few times an hour; these only stop floods and scripted guessing.
  const rateLimitPerDevice = positiveInt(env.RATE_LIMIT_PER_DEVICE ?? '60', 'RATE_LIMIT_PER_DEVICE', problems);
  const rateLimitPerIp = positiveInt(env.RATE_LIMIT_PER_IP ?? '600', 'RATE_LIMIT_PER_IP', problems);

  const pensionFiles = ['PENSION_TSA_URL', 'PENSION_TSA_ROOT_FILE', 'PENSION_EVIDENCE_KEY_FILE', 'PENSION_EVIDENCE_CERT_FILE'] as const;
  if (jpkiMode === 'production' && pensionFiles.some((name) => !env[name]?.trim())) problems.push(`${pensionFiles.join(', ')} are required when JPKI_MODE=production`);
  const pensionTsaUrl = env.PENSION_TSA_URL?.trim() || null;
  if (pensionTsaUrl && !/^https?:\/\//.test(pensionTsaUrl)) problems.push('PENSION_TSA_URL must be an http(s) URL');
  const pensionCrlMaxAgeSeconds = positiveInt(env.PENSION_CRL_MAX_AGE_SECONDS ?? String(24 * 3600), 'PENSION_CRL_MAX_AGE_SECONDS', problems);
  const pensionLinkCodeTtlSeconds = positiveInt(env.PENSION_LINK_CODE_TTL_SECONDS ?? String(120 * 24 * 3600), 'PENSION_LINK_CODE_TTL_SECONDS', problems);

  if (problems.length) {
    throw new Error(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  return Object.freeze({
    port,
    operatorPort,
    shelterPort,
    host,
    databaseUrl,
    databaseOwnerUrl,
    databasePoolSize,
    databaseListenHeartbeatSeconds,
    databaseListenHeartbeatTimeoutSeconds,
    dataDir,
    uiDir: resolve(env.UI_DIR ?? 'dist/stb-ui'),
    logLevel,
    seedDemo,
    jpkiMode,
    jpkiDevDir: resolve(env.JPKI_DEV_DIR ?? resolve(env.DATA_DIR ?? 'data', 'jpki-dev')),
    certLookupSecret,
    nonceTtlSeconds,
    nonceSecret,
    readerAllowedOrigins: env.READER_ALLOWED_ORIGINS?.trim() || null,
    readerCredentialOrigins: env.READER_CREDENTIAL_ORIGINS?.trim() || null,
    demoDrillResidents,
    readerDeviceCredentialFile: env.READER_DEVICE_CREDENTIAL_FILE?.trim() || null,
    sessionTtlSeconds,
    staffIdleSeconds,
    staffSessionMaxSeconds,
    staffInviteTtlSeconds,
    alertDefaultTtlSeconds,
    alertDeliveryBoundSeconds,
    crlMaxAgeSeconds,
    revocationPolicy,
    ocspTimeoutMs,
    ocspSkewSeconds,
    ocspUrls,
    readerPort,
    rateLimitPerDevice,
    rateLimitPerIp,
    auditHmacSecret,
    auditCheckpointDir: resolve(env.AUDIT_CHECKPOINT_DIR ?? resolve(dataDir, 'audit-checkpoints')),
    auditSigningKeyFile: resolve(env.AUDIT_SIGNING_KEY_FILE ?? resolve(dataDir, 'audit-signing-key.pem')),
    auditCheckpointIntervalSeconds,
    pensionTsaUrl,
    pensionTsaRootFile: fileOrNull(env.PENSION_TSA_ROOT_FILE),
    pensionEvidenceKeyFile: fileOrNull(env.PENSION_EVIDENCE_KEY_FILE),
    pensionEvidenceCertFile: fileOrNull(env.PENSION_EVIDENCE_CERT_FILE),
    pensionCrlMaxAgeSeconds,
    pensionLinkCodeTtlSeconds,
  });
}

/** For entry points: the config, or every problem printed and exit code 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  try {
    return loadConfig(env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}

function fileOrNull(raw: string | undefined): string | null {
  return raw?.trim() ? resolve(raw.trim()) : null;
}

function positiveInt(raw: string, name: string, problems: string[]): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) problems.push(`${name} must be a positive whole number (got "${raw}")`);
  return n;
}

function parseBoolean(raw: string, name: string, problems: string[]): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return false;
}
