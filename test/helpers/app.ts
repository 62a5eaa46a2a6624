import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { buildApp } from '../../platform/src/app.js';
import { loadConfig, type Config } from '../../platform/src/config.js';
import { feedDevCrls, feedDevLinkage } from '../../platform/src/demo/dev-jpki.js';
import { seedDemoWorld } from '../../platform/src/demo/seed.js';
import type { IdentityDeps } from '../../platform/src/identity/deps.js';
import { createJpkiContext, type JpkiContext } from '../../platform/src/jpki/index.js';
import { freshDatabase, type TestDatabase } from './database.js';
import { copyJpkiCenter } from './jpki-fixtures.js';

/** Settings for an app under test: quiet logs, no demo world unless a test asks for it. */
export const testConfig = (overrides: Partial<Config> = {}): Readonly<Config> =>
  Object.freeze({ ...loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', UI_DIR: 'dist/stb-ui', CERT_LOOKUP_SECRET: 'test-lookup-secret' }), ...overrides });

export interface TestApp {
  app: FastifyInstance;
  /** Its connection strings too, on PostgreSQL (for a second process on the same database). */
  database: TestDatabase;
  jpki: JpkiContext;
  /** A private copy of the fixture dev JPKI center (safe to revoke, renew, issue in). */
  centerDir: string;
  config: Readonly<Config>;
  identity: IdentityDeps;
}

/**
 * Builds an app on a fresh database for this test file, trusting a private copy of the fixture
 * dev JPKI center; with `demo`, the demo world is seeded and fresh CRLs and the linkage data from
 * that center are installed (as J-LIS would deliver them). Everything is closed after the file's tests.
 */
export async function buildTestApp(overrides: Partial<Config> = {}, opts: { demo?: boolean } = {}): Promise<TestApp> {
  const centerDir = await copyJpkiCenter();
  const config = testConfig({ jpkiDevDir: centerDir, ...overrides });
  const database = await freshDatabase();
  const jpki = await createJpkiContext(config);
  const identity: IdentityDeps = { db: database.db, jpki, config };
  if (opts.demo) {
    await seedDemoWorld(database.db);
    await feedDevCrls(identity, centerDir);
    await feedDevLinkage(identity, centerDir);
  }
  const app = await buildApp({ config, database, jpki });
  afterAll(async () => {
    await app.close();
    await database.close();
  });
  return { app, database, jpki, centerDir, config, identity };
}
