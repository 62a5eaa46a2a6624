import { resolve } from 'node:path';

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
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Create the demo world on first start. */
  seedDemo: boolean;
  /** Which JPKI trust store to use: the real J-LIS roots, or the dev JPKI center's. */
  jpkiMode: 'production' | 'dev';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and checks the environment once, listing every problem; the result is frozen. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = [];

  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be an integer 0–65535 (got "${env.PORT}")`);

  const host = env.HOST ?? '127.0.0.1';
  if (!host) problems.push('HOST must not be empty');

  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const seedDemo = parseBoolean(env.SEED_DEMO ?? 'true', 'SEED_DEMO', problems);

  const jpkiMode = (env.JPKI_MODE ?? 'dev') as Config['jpkiMode'];
  if (jpkiMode !== 'production' && jpkiMode !== 'dev') problems.push('JPKI_MODE must be "production" or "dev"');

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
  });
}

function parseBoolean(raw: string, name: string, problems: string[]): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return false;
}
