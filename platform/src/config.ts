import { resolve } from 'node:path';
import { DEFAULT_READER_PORT } from './shared/reader-address.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './shared/logger.js';

/** The platform's settings; `loadConfig` is the only reader of `process.env`. */
export interface Config {
  /** TCP port of the one HTTP server (API, WebSocket, UI pages). */
  port: number;
  /** Interface to listen on; loopback unless deliberately exposed. */
  host: string;
  /** PostgreSQL connection string; `null` selects the embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  /** Folder for the embedded database and other local state. */
  dataDir: string;
  /** Folder holding the built UI pages (`vite build` output). */
  uiDir: string;
  /** pino level. */
  logLevel: LogLevel;
  /** Create the demo world on first start. */
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
  /** Port the TV pages' reader driver listens on (READER_PORT, as the driver reads it); `npm start` points the TV page at it. */
  readerPort: number;
  /** READER_ALLOWED_ORIGINS as given, passed on to the driver `npm start` launches; null = the platform's own origin. */
  readerAllowedOrigins: string | null;
  /** How long a TV session lasts without a new card login. */
  sessionTtlSeconds: number;
  /** Oldest CRL (since thisUpdate) still trusted when nextUpdate has not passed; older = status unknown. */
  crlMaxAgeSeconds: number;
}

/** Used only in dev mode when CERT_LOOKUP_SECRET is unset; production refuses to start without one. */
const DEV_LOOKUP_SECRET = 'dev-only-lookup-secret-change-me';

/** Reads and checks the environment once, listing every problem; the result is frozen. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = [];

  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be an integer 0–65535 (got "${env.PORT}")`);

  const readerPort = Number(env.READER_PORT ?? DEFAULT_READER_PORT);
  if (!Number.isInteger(readerPort) || readerPort < 0 || readerPort > 65535) problems.push(`READER_PORT must be an integer 0–65535 (got "${env.READER_PORT}")`);

  const host = env.HOST ?? '127.0.0.1';
  if (!host) problems.push('HOST must not be empty');

  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!isLogLevel(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const seedDemo = parseBoolean(env.SEED_DEMO ?? 'true', 'SEED_DEMO', problems);

  const jpkiMode = (env.JPKI_MODE ?? 'dev') as Config['jpkiMode'];
  if (jpkiMode !== 'production' && jpkiMode !== 'dev') problems.push('JPKI_MODE must be "production" or "dev"');

  const certLookupSecret = env.CERT_LOOKUP_SECRET ?? (jpkiMode === 'dev' ? DEV_LOOKUP_SECRET : '');
  if (jpkiMode === 'production' && certLookupSecret.length < 32) problems.push('CERT_LOOKUP_SECRET of at least 32 characters is required when JPKI_MODE=production');

  const nonceSecret = env.NONCE_SECRET ?? (jpkiMode === 'dev' ? `${certLookupSecret}/nonce` : '');
  if (jpkiMode === 'production' && nonceSecret.length < 32) problems.push('NONCE_SECRET of at least 32 characters is required when JPKI_MODE=production');
  const nonceTtlSeconds = positiveInt(env.NONCE_TTL_SECONDS ?? '120', 'NONCE_TTL_SECONDS', problems);
  const sessionTtlSeconds = positiveInt(env.SESSION_TTL_SECONDS ?? String(12 * 3600), 'SESSION_TTL_SECONDS', problems);
  const crlMaxAgeSeconds = positiveInt(env.CRL_MAX_AGE_SECONDS ?? String(48 * 3600), 'CRL_MAX_AGE_SECONDS', problems);

  if (problems.length) {
    throw new Error(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
  return Object.freeze({
    port,
    host,
    databaseUrl,
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    uiDir: resolve(env.UI_DIR ?? 'dist/stb-ui'),
    logLevel,
    seedDemo,
    jpkiMode,
    jpkiDevDir: resolve(env.JPKI_DEV_DIR ?? resolve(env.DATA_DIR ?? 'data', 'jpki-dev')),
    certLookupSecret,
    nonceTtlSeconds,
    nonceSecret,
    readerPort,
    readerAllowedOrigins: env.READER_ALLOWED_ORIGINS?.trim() || null,
    sessionTtlSeconds,
    crlMaxAgeSeconds,
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
