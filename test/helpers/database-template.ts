import { createHash, randomBytes } from 'node:crypto';
import { access, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { dumpMigratedPglite, openDatabase } from '../../platform/src/db/client.js';

/**
 * vitest globalSetup: migrates one database before any test file starts, and each file's
 * `freshDatabase()` starts from a copy of it instead of an empty one (initdb and all migrations
 * per file were most of the suite's time). The copy is still a real, separate database of the
 * engine under test, migrated by the same code; its `migrate()` still runs (and finds nothing to do).
 *
 * PGlite: the migrated data folder, dumped as a tar and cached in the OS temp folder under a hash
 * of the migrations and the PGlite build (as the JPKI fixtures are), so a run after an unchanged
 * one does not build it again. PostgreSQL (DATABASE_URL): a template database created for this run
 * and dropped after it; `create database … template` copies it.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the migrated PGlite data folder's tar, or '' (then each file migrates its own). */
    pgliteTemplate: string;
    /** Name of the migrated PostgreSQL template database, or '' (then each file migrates its own). */
    postgresTemplate: string;
  }
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const MIGRATIONS_DIR = join(root, 'platform/src/db/migrations');

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) {
    project.provide('pgliteTemplate', await pgliteTemplate());
    project.provide('postgresTemplate', '');
    return;
  }
  project.provide('pgliteTemplate', '');
  const name = `tpl_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(url, `create database ${name}`);
  const ownerUrl = new URL(url);
  ownerUrl.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: ownerUrl.toString(), dataDir: null });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  project.provide('postgresTemplate', name);
  return async () => {
    await admin(url, `drop database if exists ${name} with (force)`);
  };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The cached dump's path, built first when missing (into a private file, then renamed into place). */
async function pgliteTemplate(): Promise<string> {
  const path = join(tmpdir(), `pglite-migrated-${await sourceHash()}.tar`);
  if (await access(path).then(() => true, () => false)) return path;
  const work = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(work, new Uint8Array(await (await dumpMigratedPglite()).arrayBuffer()));
  try {
    await rename(work, path);
  } catch {
    await rm(work, { force: true });
  }
  return path;
}

/** Hash of what shapes the dump: the migrations, the PGlite build, the client that opens it, this file. */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(MIGRATIONS_DIR, { recursive: true })).map(String).sort().map((f) => join(MIGRATIONS_DIR, f));
  const pgliteDir = dirname(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')));
  files.push(join(pgliteDir, 'package.json'), join(root, 'platform/src/db/client.ts'), fileURLToPath(import.meta.url));
  for (const file of files) {
    const content = await readFile(file).catch(() => null); // a folder (migrations/meta)
    if (content) hash.update(relative(root, file)).update(content);
  }
  return hash.digest('hex').slice(0, 16);
}
