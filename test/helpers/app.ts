import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { buildApp } from '../../platform/src/app.js';
import { loadConfig, type Config } from '../../platform/src/config.js';
import type { DbHandle } from '../../platform/src/db/client.js';
import { freshDatabase } from './database.js';

/** Settings for an app under test: quiet logs, no demo world unless a test asks for it. */
export const testConfig = (overrides: Partial<Config> = {}): Readonly<Config> =>
  Object.freeze({ ...loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', UI_DIR: 'dist/stb-ui' }), ...overrides });

/** Builds an app on a fresh database for this test file; both are closed after the file's tests. */
export async function buildTestApp(overrides: Partial<Config> = {}): Promise<{ app: FastifyInstance; database: DbHandle }> {
  const database = await freshDatabase();
  const app = await buildApp({ config: testConfig(overrides), database });
  afterAll(async () => {
    await app.close();
    await database.close();
  });
  return { app, database };
}
