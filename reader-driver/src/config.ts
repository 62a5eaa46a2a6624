import { resolve } from 'node:path';
import { isLogLevel, type LogLevel } from '../../platform/src/shared/logger.js';
import { DEFAULT_READER_PORT } from '../../platform/src/shared/reader-address.js';

/** The reader driver's settings; `loadDriverConfig` is its only reader of `process.env`. */
export interface DriverConfig {
  /** Loopback TCP port of the WebSocket API (`ws://127.0.0.1:<port>/v1`). */
  port: number;
  /** Page origins allowed to connect; everything else is refused (deny by default). */
  allowedOrigins: readonly string[];
  /** Folder of demo card files to load into the demo card bay; `null` = no demo bay. */
  demoCardsDir: string | null;
  /** Use pcscd when it can be reached. */
  usePcsc: boolean;
  /** Latency model of the demo virtual cards. */
  cardLatency: 'off' | 'realistic';
  /** Seconds between heartbeat events pushed to pages. */
  heartbeatSeconds: number;
  /** How long a disconnected page's session (and results finished meanwhile) is kept for resume. */
  resumeSeconds: number;
  /**
   * Origins that may also receive the device credential: the TV page's. Other allow-listed pages
   * (the operator console, on a desk PC where staff log in with their own card) use the reader but
   * never get the box's credential. Defaults to every allowed origin.
   */
  credentialOrigins: readonly string[];
  /**
   * Most closed sessions kept for resume at once; past it the oldest is dropped. One device has
   * one or two pages, so a few are plenty; the cap keeps connect/close churn from growing memory.
   */
  maxKeptSessions: number;
  /** Provisioning file with this STB's device credential (0600), handed only to `credentialOrigins`; `null` = none. */
  deviceCredentialFile: string | null;
  /**
   * A shelter tablet's provisioning file (0600), handed only to `tabletCredentialOrigins` (the
   * shelter page's own origin), never to the TV's. On a real tablet the driver holds only this one;
   * in development one driver serves the TV and the demo tablet, each its own credential.
   */
  tabletCredentialFile: string | null;
  /** Origins that receive the tablet's credential instead of the TV's; disjoint from `credentialOrigins`. */
  tabletCredentialOrigins: readonly string[];
  /** File holding the token the local `npm run demo` CLI presents. */
  controlTokenFile: string;
  logLevel: LogLevel;
}

/** Reads and checks the environment once, listing every problem; the result is frozen. */
export function loadDriverConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = []): Readonly<DriverConfig> {
  const problems: string[] = [];
  const port = Number(env.READER_PORT ?? DEFAULT_READER_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`READER_PORT must be an integer 0–65535 (got "${env.READER_PORT}")`);

  const platformPort = env.PORT ?? '8080';
  const allowedOrigins = (env.READER_ALLOWED_ORIGINS ?? `http://127.0.0.1:${platformPort},http://localhost:${platformPort}`)
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of allowedOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`READER_ALLOWED_ORIGINS entry "${origin}" must be scheme://host[:port] with no path`);
  }

  const tabletOriginsGiven = (env.READER_TABLET_CREDENTIAL_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const credentialOrigins = env.READER_CREDENTIAL_ORIGINS
    ? env.READER_CREDENTIAL_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)
    : allowedOrigins.filter((o) => !tabletOriginsGiven.includes(o));
  for (const origin of credentialOrigins) {
    if (!allowedOrigins.includes(origin)) problems.push(`READER_CREDENTIAL_ORIGINS entry "${origin}" must also be in READER_ALLOWED_ORIGINS`);
  }

  const tabletCredentialOrigins = tabletOriginsGiven;
  for (const origin of tabletCredentialOrigins) {
    if (!allowedOrigins.includes(origin)) problems.push(`READER_TABLET_CREDENTIAL_ORIGINS entry "${origin}" must also be in READER_ALLOWED_ORIGINS`);
    if (credentialOrigins.includes(origin)) problems.push(`READER_TABLET_CREDENTIAL_ORIGINS entry "${origin}" is also a TV credential origin: one page gets one credential`);
  }
  if (tabletCredentialOrigins.length && !env.READER_TABLET_CREDENTIAL_FILE) problems.push('READER_TABLET_CREDENTIAL_ORIGINS needs READER_TABLET_CREDENTIAL_FILE');

  const demoFlag = argv.indexOf('--demo');
  const demoArg = demoFlag >= 0 ? argv[demoFlag + 1] : undefined;
  const demoDir = env.READER_DEMO_CARDS ?? (demoArg && !demoArg.startsWith('--') ? demoArg : demoFlag >= 0 ? 'data/demo-cards' : null);

  const usePcsc = !/^(0|false|no|off)$/i.test(env.READER_PCSC ?? 'true');
  const cardLatency = (env.READER_CARD_LATENCY ?? 'realistic') as DriverConfig['cardLatency'];
  if (cardLatency !== 'off' && cardLatency !== 'realistic') problems.push('READER_CARD_LATENCY must be "off" or "realistic"');

  const heartbeatSeconds = Number(env.READER_HEARTBEAT_SECONDS ?? 15);
  if (!(heartbeatSeconds > 0)) problems.push('READER_HEARTBEAT_SECONDS must be a positive number');
  // A page reload takes seconds; a minute covers a slow one without keeping dead pages long.
  const resumeSeconds = Number(env.READER_RESUME_SECONDS ?? 60);
  if (!(resumeSeconds > 0)) problems.push('READER_RESUME_SECONDS must be a positive number');
  const maxKeptSessions = Number(env.READER_MAX_KEPT_SESSIONS ?? 16);
  if (!Number.isInteger(maxKeptSessions) || maxKeptSessions < 1) problems.push('READER_MAX_KEPT_SESSIONS must be a positive whole number');

  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!isLogLevel(logLevel)) problems.push('LOG_LEVEL is not a pino level');

  if (problems.length) throw new Error(`Invalid reader-driver configuration:\n- ${problems.join('\n- ')}`);
  return Object.freeze({
    port,
    allowedOrigins: Object.freeze(allowedOrigins),
    credentialOrigins: Object.freeze(credentialOrigins),
    demoCardsDir: demoDir ? resolve(demoDir) : null,
    usePcsc,
    cardLatency,
    heartbeatSeconds,
    resumeSeconds,
    maxKeptSessions,
    deviceCredentialFile: env.READER_DEVICE_CREDENTIAL_FILE ? resolve(env.READER_DEVICE_CREDENTIAL_FILE) : null,
    tabletCredentialFile: env.READER_TABLET_CREDENTIAL_FILE ? resolve(env.READER_TABLET_CREDENTIAL_FILE) : null,
    tabletCredentialOrigins: Object.freeze(tabletCredentialOrigins),
    controlTokenFile: resolve(env.READER_CONTROL_TOKEN_FILE ?? resolve(env.DATA_DIR ?? 'data', 'reader-driver.token')),
    logLevel,
  });
}
