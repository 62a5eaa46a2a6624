/**
 * Where a virtual card keeps its `CardFile` between commands and across restarts. The card calls
 * `save` whenever a PIN counter or value changes, and answers only after `save` resolved, so a
 * lockout survives a restart just as on a real card's EEPROM.
 */
import { createPrivateKey } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../platform/src/shared/errors.js';
import { CARD_FILE_FORMAT, type CardFile } from '../../../platform/src/shared/card-file.js';
import { PIN_RULES } from '../../../platform/src/shared/pins.js';

/** Persistence of one card's file. */
export interface CardStore {
  /** Reads the card file (validated). */
  load(): Promise<CardFile>;
  /** Replaces the stored card file; resolves once the change is durable. */
  save(file: CardFile): Promise<void>;
}

/** Keeps the card file in memory (unit tests, throw-away demo cards). */
export class MemoryCardStore implements CardStore {
  private _file: CardFile;
  /** How many times `save` was called. */
  saves = 0;

  constructor(file: CardFile) {
    this._file = structuredClone(file);
  }

  /** The last saved file (a copy). */
  get file(): CardFile {
    return structuredClone(this._file);
  }

  async load(): Promise<CardFile> {
    return validateCardFile(structuredClone(this._file));
  }

  async save(file: CardFile): Promise<void> {
    this._file = structuredClone(file);
    this.saves++;
  }
}

/**
 * Keeps the card file as JSON on disk (`CARD.json`). Writes are atomic: a temporary file in the
 * same directory is written and fsynced, then renamed over the target, so a crash leaves either
 * the old or the new file, never half of one.
 */
export class FileCardStore implements CardStore {
  constructor(readonly path: string) {}

  async load(): Promise<CardFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      throw new AppError('CONFIG_INVALID', { detail: `cannot read card file ${this.path}`, cause: err });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new AppError('CONFIG_INVALID', { detail: `card file ${this.path} is not JSON`, cause: err });
    }
    return validateCardFile(json);
  }

  async save(file: CardFile): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }
}

/** Writes `text` to `path` via a temporary file and rename (atomic on POSIX file systems). */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** EFs every card file must hold: the four certificates (SPEC §1.3). */
export const REQUIRED_CERT_FIDS = ['0001', '0002', '000A', '000B'] as const;
/** FIDs the card derives itself (key and PIN EFs); a card file may not hold them. */
const RESERVED_FIDS = new Set(['0017', '0018', '001A', '001B']);


/**
 * Checks a parsed card file and returns it typed; throws AppError('CONFIG_INVALID') listing every
 * problem at once (house style 9.5).
 */
export function validateCardFile(value: unknown): CardFile {
  const problems: string[] = [];
  const v = value as Partial<CardFile> | null;
  if (typeof v !== 'object' || v === null) throw new AppError('CONFIG_INVALID', { detail: 'card file is not an object' });
  if (v.format !== CARD_FILE_FORMAT) problems.push(`format must be ${CARD_FILE_FORMAT}`);
  if (typeof v.id !== 'string' || v.id.length === 0) problems.push('id is required');
  if (typeof v.tokenLabel !== 'string' || !/^[\x20-\x7e]{1,32}$/.test(v.tokenLabel)) problems.push('tokenLabel must be 1–32 printable ASCII characters');
  if (typeof v.atr !== 'string' || !/^(?:[0-9a-fA-F]{2}){2,33}$/.test(v.atr)) problems.push('atr must be 2–33 bytes of hex');
  if (typeof v.files !== 'object' || v.files === null) {
    problems.push('files is required');
  } else {
    for (const fid of REQUIRED_CERT_FIDS) if (typeof v.files[fid] !== 'string') problems.push(`files.${fid} is required`);
    for (const [fid, b64] of Object.entries(v.files)) {
      if (!/^[0-9A-F]{4}$/.test(fid)) problems.push(`files key ${fid} must be 4 upper-case hex digits`);
      else if (RESERVED_FIDS.has(fid)) problems.push(`files.${fid} is a key or PIN EF the card derives itself`);
      if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) problems.push(`files.${fid} must be base64`);
    }
  }
  for (const kind of ['auth', 'sign'] as const) {
    const key = v.keys?.[kind];
    if (typeof key !== 'string') {
      problems.push(`keys.${kind} is required`);
    } else {
      try {
        const k = createPrivateKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'pkcs8' });
        if (k.asymmetricKeyType !== 'rsa' || k.asymmetricKeyDetails?.modulusLength !== 2048) problems.push(`keys.${kind} must be an RSA-2048 key`);
      } catch {
        problems.push(`keys.${kind} is not a PKCS#8 private key`);
      }
    }
    const pin = v.pins?.[kind];
    const { pattern, maxTries: max } = PIN_RULES[kind];
    if (typeof pin?.value !== 'string' || !pattern.test(pin.value)) problems.push(`pins.${kind}.value must match ${pattern}`);
    if (!Number.isInteger(pin?.triesLeft) || pin!.triesLeft < 0 || pin!.triesLeft > max) problems.push(`pins.${kind}.triesLeft must be 0–${max}`);
  }
  if (problems.length) throw new AppError('CONFIG_INVALID', { detail: `Invalid card file:\n- ${problems.join('\n- ')}` });
  return v as CardFile;
}
