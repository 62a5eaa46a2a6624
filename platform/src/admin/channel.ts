import { chmodSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { currentOwner } from '../db/owner-lock.js';
import { AppError, isErrorCode, toWire, type WireError } from '../shared/errors.js';
import { PRIVATE_FILE_MODE } from '../shared/private-fs.js';
import { runOperatorCommand, type OperatorCommand, type OperatorDeps, type OperatorOutcome } from './commands.js';

/**
 * The admin channel: how an operator command reaches the platform that owns the embedded
 * database. HTTP over a unix socket in the data folder, because there the file system is the
 * authentication: the folder is 0700 and the socket 0600, so only the user the platform runs as
 * can connect, with no token to leak, no port any local user (or a browser page) could reach, and
 * nothing to configure. Served only for the embedded database; with PostgreSQL every process,
 * the CLI included, connects to the server directly.
 */
export const ADMIN_SOCKET_FILE = 'admin.sock';
const COMMANDS_PATH = '/v1/commands';
/** A CRL of a whole CA generation can be tens of MB; base64 adds a third. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;
/** Longest unix socket path Linux accepts (sun_path is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/** The answer of one command on the wire. */
type Answer = { outcome: OperatorOutcome } | { error: WireError; detail?: string };

export function adminSocketPath(dataDir: string): string {
  return join(dataDir, ADMIN_SOCKET_FILE);
}

/** Serves operator commands on the data folder's socket until `close`. Call only while owning the database. */
export async function startAdminChannel(dataDir: string, deps: OperatorDeps, log: FastifyBaseLogger): Promise<{ close(): Promise<void> }> {
  const path = adminSocketPath(dataDir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new AppError('CONFIG_INVALID', { detail: `DATA_DIR is too long for the admin socket ${path} (at most ${MAX_SOCKET_PATH_BYTES} bytes)` });
  }
  // The caller owns the database lock, so a socket here was left by a dead owner.
  rmSync(path, { force: true });
  const server = createServer((req, res) => void answer(req, res, deps, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, PRIVATE_FILE_MODE);
  return {
    // Waits for a command in flight: its answer is the operator's acknowledgement.
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, deps: OperatorDeps, log: FastifyBaseLogger): Promise<void> {
  let status = 200;
  let body: Answer;
  try {
    if (req.method !== 'POST' || req.url !== COMMANDS_PATH) throw new AppError('REQ_NOT_FOUND', { detail: `${req.method} ${req.url}` });
    const cmd = JSON.parse(await readBody(req)) as OperatorCommand;
    body = { outcome: await runOperatorCommand(deps, cmd) };
    log.info({ command: cmd.command }, 'operator command done'); // checked by now: a known name
  } catch (err) {
    const e = err instanceof AppError ? err : err instanceof SyntaxError ? new AppError('REQ_INVALID', { detail: err.message }) : new AppError('INTERNAL', { cause: err });
    if (e.code === 'INTERNAL') log.error({ err }, 'operator command failed');
    status = e.status;
    // The caller is the operator on this machine: the detail is theirs to see, as it was when the CLI ran alone.
    body = { error: toWire(e), ...(e.detail ? { detail: e.detail } : {}) };
  }
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AppError('REQ_TOO_LARGE'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Thrown by `sendOperatorCommand` when the platform stopped before answering: open the database yourself. */
export class PlatformGone extends Error {}

/**
 * Runs `cmd` in the platform that owns `dataDir`'s database. A platform still starting has not
 * opened its socket yet: waits for it up to `waitMs`, as long as it still holds the database.
 */
export async function sendOperatorCommand(dataDir: string, cmd: OperatorCommand, waitMs = 60_000): Promise<OperatorOutcome> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await post(adminSocketPath(dataDir), JSON.stringify(cmd));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const notYet = code === 'ENOENT' || code === 'ECONNREFUSED';
      if (!notYet) throw err;
      if (currentOwner(dataDir)?.role !== 'platform') throw new PlatformGone();
      if (Date.now() > deadline) {
        throw new AppError('DB_UNAVAILABLE', { detail: `the platform owns the database in ${dataDir} but its admin channel ${adminSocketPath(dataDir)} does not answer` });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function post(socketPath: string, payload: string): Promise<OperatorOutcome> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: COMMANDS_PATH, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer;
          if ('outcome' in answer) return resolve(answer.outcome);
          const code = isErrorCode(answer.error?.code) ? answer.error.code : 'INTERNAL';
          reject(new AppError(code, { detail: answer.detail, details: answer.error?.details }));
        } catch (err) {
          reject(new AppError('INTERNAL', { detail: 'the admin channel answered something that is not JSON', cause: err }));
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
