import { readFile } from 'node:fs/promises';
import { CARD_FILE_FORMAT, type CardFile } from '../../shared/card-file.js';
import { AppError } from '../../shared/errors.js';
import { invalid } from './checks.js';
import { writeFileAtomic } from './store.js';

/** Writes a card file atomically (pretty JSON). */
export async function writeCardFile(path: string, card: CardFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(card, null, 2) + '\n');
}

/** Reads a card file written by `issueCard`/`renewCard` (or changed since by the virtual card). */
export async function readCardFile(path: string): Promise<CardFile> {
  let card: CardFile;
  try {
    card = JSON.parse(await readFile(path, 'utf8')) as CardFile;
  } catch (err) {
    throw new AppError('REQ_INVALID', { detail: `cannot read card file ${path}: ${(err as Error).message}`, cause: err });
  }
  if (card.format !== CARD_FILE_FORMAT) throw invalid(`${path} is not a ${CARD_FILE_FORMAT} card file`);
  return card;
}
