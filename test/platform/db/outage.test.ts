import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../platform/src/app.js';
import { openDatabase } from '../../../platform/src/db/client.js';
import { isDatabaseUnavailable } from '../../../platform/src/db/outage.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { createJpkiContext } from '../../../platform/src/jpki/index.js';
import { testConfig } from '../../helpers/app.js';
import { freshDatabase } from '../../helpers/database.js';
import { copyJpkiCenter } from '../../helpers/jpki-fixtures.js';

/** A database outage is the platform's "try again later" (DB_UNAVAILABLE, 503), never INTERNAL. */

const tv = DEMO_HOUSEHOLDS[0]!.tv;
const asTv = { authorization: `Device ${tv.id}:${tv.secret}` };
/** Nothing listens here (a port of this test's own range). */
const DEAD_POSTGRES = 'postgres://postgres@127.0.0.1:19899/nothing';

describe('a database that goes away under a running app', async () => {
  const config = testConfig({ jpkiDevDir: await copyJpkiCenter() });
  const database = await freshDatabase();
  await seedDemoWorld(database.db);
  const app = await buildApp({ config, database, jpki: await createJpkiContext(config) });
  afterAll(() => app.close());

  it('answers DB_UNAVAILABLE 503 on an API route, and the health check says degraded', async () => {
    const before = await app.inject({ method: 'GET', url: '/api/v1/tv/household', headers: asTv });
    expect(before.statusCode).toBe(200);

    await database.close(); // PGlite closed, or the PostgreSQL pool ended (and its database dropped)

    const res = await app.inject({ method: 'GET', url: '/api/v1/tv/household', headers: asTv });
    expect(res.json().error.code).toBe('DB_UNAVAILABLE');
    expect(res.statusCode).toBe(503);
    expect(res.json().error.ja).toMatch(/しばらく待って/);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
  });
});

describe('a PostgreSQL server that cannot be reached', async () => {
  const config = testConfig({ jpkiDevDir: await copyJpkiCenter() });
  const database = await openDatabase({ databaseUrl: DEAD_POSTGRES, dataDir: null });
  const app = await buildApp({ config, database, jpki: await createJpkiContext(config) });
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it('answers DB_UNAVAILABLE 503, not INTERNAL, when the device is looked up', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/tv/household', headers: asTv });
    expect(res.json().error.code).toBe('DB_UNAVAILABLE');
    expect(res.statusCode).toBe(503);
  });
});

describe('isDatabaseUnavailable', () => {
  const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('knows a refused or cut connection, an unavailable server and a closed handle, also when wrapped', () => {
    expect(isDatabaseUnavailable(coded('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(coded('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isDatabaseUnavailable(coded('08006'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('PGlite is closed'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Failed query: select 1', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([coded('ECONNREFUSED')], 'connect failed'))).toBe(true);
  });

  it('leaves a query that is wrong alone (that stays INTERNAL, a bug to fix)', () => {
    expect(isDatabaseUnavailable(coded('42P01', 'relation "nope" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(coded('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('Failed query: select', { cause: coded('22P02') }))).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
