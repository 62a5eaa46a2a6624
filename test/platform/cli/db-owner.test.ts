import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../../platform/src/identity/audit.js';
import { ADMIN_SOCKET_FILE } from '../../../platform/src/admin/channel.js';
import { openDatabase, type Db, type DbHandle } from '../../../platform/src/db/client.js';
import { OWNER_LOCK_FILE } from '../../../platform/src/db/owner-lock.js';
import { persons, sessions } from '../../../platform/src/db/schema/index.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { provisionDevice } from '../../../platform/src/identity/devices.js';
import { newSessionToken } from '../../../platform/src/identity/sessions.js';
import { freshDatabase, TEST_DATABASE_URL } from '../../helpers/database.js';
import { copyJpkiCenter } from '../../helpers/jpki-fixtures.js';
import { freePort, runTs, waitForOk } from '../../helpers/process.js';

const CLI = 'platform/src/cli/platform.ts';
const MAIN = 'platform/src/main.ts';

/** Everything a test started, stopped after it whatever happened. */
const started: ReturnType<typeof runTs>[] = [];
const toClose: DbHandle[] = [];
afterEach(async () => {
  for (const run of started.splice(0)) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  for (const handle of toClose.splice(0)) await handle.close().catch(() => {});
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** A new TV in a demo household with a person's session open on it, written before the platform starts. */
async function tvWithSession(db: Db) {
  const tv = await provisionDevice(db, { kind: 'tv', householdContractNo: 'CATV-0001' }, 'test TV', CLI_ACTOR);
  const [person] = await db.insert(persons).values({ name: '試験　花子' }).returning();
  const token = newSessionToken(3600);
  await db.insert(sessions).values({ tokenHash: token.tokenHash, personId: person!.id, deviceId: tv.id, assurance: 'high', expiresAt: token.expiresAt });
  return { tv, token: token.token };
}

/** A data folder whose embedded database is migrated, seeded and holds `tvWithSession` (closed again: the platform will own it). */
async function preparedDataDir() {
  const dataDir = mkdtempSync(join(tmpdir(), 'db-owner-'));
  const db = await openDatabase({ databaseUrl: null, dataDir });
  try {
    await db.migrate();
    await seedDemoWorld(db.db);
    return { dataDir, ...(await tvWithSession(db.db)) };
  } finally {
    await db.close();
  }
}

async function startPlatform(env: Record<string, string>) {
  const port = await freePort();
  const run = runTs(MAIN, [], { PORT: String(port), OPERATOR_PORT: '0', SHELTER_PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...env });
  started.push(run);
  await waitForOk(`http://127.0.0.1:${port}/healthz`, 60_000, run.child);
  return { run, base: `http://127.0.0.1:${port}` };
}

async function cli(args: string[], env: Record<string, string>) {
  const run = runTs(CLI, args, { LOG_LEVEL: 'silent', ...env });
  started.push(run);
  const code = await run.exited;
  return { code, output: run.output(), json: () => JSON.parse(run.output().slice(run.output().indexOf('{'))) as Record<string, unknown> };
}

const askNonce = (base: string, credential: string) =>
  fetch(`${base}/api/v1/nonces`, { method: 'POST', headers: { authorization: credential, 'content-type': 'application/json' }, body: JSON.stringify({ purpose: 'login' }) });
const currentSession = (base: string, credential: string, token: string) =>
  fetch(`${base}/api/v1/sessions/current`, { headers: { authorization: `Bearer ${token}`, 'x-device': credential.slice('Device '.length) } });
const errorCode = async (res: Response) => ((await res.json()) as { error?: { code?: string } }).error?.code;

// Each case spawns platform and CLI processes (several seconds each on a busy 2-core machine).
describe('the embedded database has one owner', { timeout: 180_000 }, () => {
  it('a TV withdrawn from the CLI while the platform runs is refused at once and its session is gone', async () => {
    // On PostgreSQL the CLI connects to the server itself and the platform hears a NOTIFY; on the
    // embedded database the command runs inside the platform, through its admin channel.
    const shared = TEST_DATABASE_URL ? await freshDatabase() : null;
    if (shared) {
      toClose.push(shared);
      await seedDemoWorld(shared.db);
    }
    const { dataDir, tv, token } = shared
      ? { dataDir: mkdtempSync(join(tmpdir(), 'db-owner-')), ...(await tvWithSession(shared.db)) }
      : await preparedDataDir();
    const env = { DATA_DIR: dataDir, DATABASE_URL: shared?.url ?? '', DATABASE_OWNER_URL: shared?.ownerUrl ?? '', JPKI_DEV_DIR: await copyJpkiCenter() };

    const platform = await startPlatform(env);
    const { base } = platform;
    expect((await askNonce(base, tv.credential)).status).toBe(201); // now in the platform's credential cache
    expect((await currentSession(base, tv.credential, token)).status).toBe(200);

    const withdraw = await cli(['withdraw-device', tv.id], env);
    expect(withdraw.code).toBe(0);
    expect(withdraw.json()).toEqual({ withdrawn: true, sessionsEnded: 1 });

    // PostgreSQL: the NOTIFY reaches the platform (another process) a moment after the commit;
    // nothing there tells us when, so ask until it refuses (bounded: a lost NOTIFY fails here).
    await expect.poll(async () => (await askNonce(base, tv.credential)).status, { timeout: 15_000 }).toBe(403);
    const refused = await askNonce(base, tv.credential);
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe('AUTH_DEVICE_WITHDRAWN');
    expect(await errorCode(await currentSession(base, tv.credential, token))).toBe('AUTH_DEVICE_WITHDRAWN');

    const audit = await cli(['verify-audit'], env);
    expect(audit.json()).toMatchObject({ ok: true });

    // The session row is ended in the database itself (the embedded one: once the platform let go of it).
    if (!shared) {
      platform.run.child.kill('SIGTERM');
      expect(await platform.run.exited).toBe(0);
    }
    const check = shared ?? (await openDatabase({ databaseUrl: null, dataDir }));
    if (!shared) toClose.push(check);
    const [row] = await check.db.select().from(sessions).where(eq(sessions.deviceId, tv.id));
    expect(row!.endedAt).not.toBeNull();
  });

  it('keeps every acknowledged CLI write across a kill -9 of the platform, which then starts cleanly', async () => {
    const { dataDir, tv, token } = await preparedDataDir();
    const env = { DATA_DIR: dataDir, DATABASE_URL: '', JPKI_DEV_DIR: await copyJpkiCenter() };
    const first = await startPlatform(env);

    const kept = await cli(['provision-device', '--kind', 'tv', '--household', 'CATV-0002', '--label', '居間のテレビ'], env);
    expect(kept.code).toBe(0);
    const lost = await cli(['provision-device', '--kind', 'tv', '--household', 'CATV-0001', '--label', '盗まれたテレビ'], env);
    expect(lost.code).toBe(0);
    const withdraw = await cli(['withdraw-device', String(lost.json().id)], env);
    expect(withdraw.json()).toEqual({ withdrawn: true, sessionsEnded: 0 });
    // And the platform writes after the CLI did: a resident logs out on the TV.
    const logout = await fetch(`${first.base}/api/v1/sessions/current`, {
      method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'x-device': tv.credential.slice('Device '.length) },
    });
    expect(logout.status).toBe(204);

    first.run.child.kill('SIGKILL');
    await first.run.exited;
    expect(first.run.child.signalCode).toBe('SIGKILL');

    const second = await startPlatform(env);
    expect(second.run.output()).not.toContain('PANIC');
    expect((await askNonce(second.base, String(kept.json().credential))).status).toBe(201);
    expect(await errorCode(await askNonce(second.base, String(lost.json().credential)))).toBe('AUTH_DEVICE_WITHDRAWN');
    const audit = await cli(['verify-audit'], env);
    expect(audit.code).toBe(0);
    expect(audit.json()).toMatchObject({ ok: true });
    expect(Number(audit.json().entries)).toBeGreaterThanOrEqual(1);

    // Stopped cleanly, the folder is free again: the CLI opens it itself and finds the same.
    second.run.child.kill('SIGTERM');
    expect(await second.run.exited).toBe(0);
    const alone = await cli(['withdraw-device', String(lost.json().id)], env);
    expect(alone.json()).toEqual({ withdrawn: false, sessionsEnded: 0 });
    const check = await openDatabase({ databaseUrl: null, dataDir });
    toClose.push(check);
    const [row] = await check.db.select().from(sessions).where(eq(sessions.deviceId, tv.id));
    expect(row!.endedAt).not.toBeNull();
  });

  it('refuses a second platform and a CLI while another process owns the folder, with a clear message; a starting platform waits for a command', async () => {
    const { dataDir } = await preparedDataDir();
    const env = { DATA_DIR: dataDir, DATABASE_URL: '', JPKI_DEV_DIR: await copyJpkiCenter() };
    const first = await startPlatform(env);

    const port = await freePort();
    const second = runTs(MAIN, [], { ...env, PORT: String(port), OPERATOR_PORT: '0', SHELTER_PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
    started.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('DB_IN_USE');
    expect(second.output()).toMatch(new RegExp(`open in the platform \\(pid ${first.run.child.pid}\\).*only one process may open it`));
    // The refused one took nothing away from the first.
    expect((await fetch(`${first.base}/healthz`)).status).toBe(200);
    first.run.child.kill('SIGTERM');
    expect(await first.run.exited).toBe(0);

    // An operator command holding the folder (here: this test process) refuses the next opener too.
    const holder = await openDatabase({ databaseUrl: null, dataDir, role: 'cli' });
    toClose.push(holder);
    const cliRefused = await cli(['verify-audit'], env);
    expect(cliRefused.code).toBe(1);
    expect(cliRefused.output).toContain(`DB_IN_USE: The embedded database is open in another process (the embedded database in ${dataDir} is open in an operator command (pid ${process.pid})`);
    // In one process, a second open of the same folder is refused as well.
    await expect(openDatabase({ databaseUrl: null, dataDir, role: 'cli' })).rejects.toMatchObject({ code: 'DB_IN_USE' });

    // A platform starting meanwhile waits for the command to finish (a restart must not fail
    // because a command ran at that moment) and never opens the database alongside it.
    const waiting = runTs(MAIN, [], { ...env, PORT: String(port), OPERATOR_PORT: '0', SHELTER_PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
    started.push(waiting);
    await new Promise<void>((resolve, reject) => {
      const onData = () => waiting.output().includes(`waiting for the operator command (pid ${process.pid})`) && resolve();
      waiting.child.stderr!.on('data', onData);
      waiting.child.stdout!.on('data', onData);
      waiting.child.once('exit', (code) => reject(new Error(`platform exited with ${code} instead of waiting:\n${waiting.output()}`)));
    });
    expect(JSON.parse(readFileSync(join(dataDir, OWNER_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, role: 'cli' });
    await holder.close();
    await waitForOk(`http://127.0.0.1:${port}/healthz`, 60_000, waiting.child);
    expect(JSON.parse(readFileSync(join(dataDir, OWNER_LOCK_FILE), 'utf8'))).toMatchObject({ pid: waiting.child.pid, role: 'platform' });
  });

  it('takes over the lock of an owner that died, and keeps the data folder, socket and lock private', async () => {
    const { dataDir } = await preparedDataDir();
    chmodSync(dataDir, 0o755); // as an older version left it
    const centerDir = await copyJpkiCenter();
    chmodSync(centerDir, 0o755);
    chmodSync(join(centerDir, 'ca'), 0o755);
    const env = { DATA_DIR: dataDir, DATABASE_URL: '', JPKI_DEV_DIR: centerDir };
    const first = await startPlatform(env);
    first.run.child.kill('SIGKILL');
    await first.run.exited;
    expect(JSON.parse(readFileSync(join(dataDir, OWNER_LOCK_FILE), 'utf8'))).toMatchObject({ pid: first.run.child.pid, role: 'platform' });

    const second = await startPlatform(env);
    expect(JSON.parse(readFileSync(join(dataDir, OWNER_LOCK_FILE), 'utf8'))).toMatchObject({ pid: second.run.child.pid, role: 'platform' });
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, OWNER_LOCK_FILE))).toBe(0o600);
    expect(mode(join(dataDir, ADMIN_SOCKET_FILE))).toBe(0o600);
    expect(mode(centerDir)).toBe(0o700);
    expect(mode(join(centerDir, 'ca'))).toBe(0o700);
  });
});
