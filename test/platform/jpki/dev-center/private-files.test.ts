import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueDemoCards } from '../../../../platform/src/demo/dev-jpki.js';
import { writeFileAtomic } from '../../../../platform/src/jpki/dev-center/store.js';
import { copyJpkiCenter } from '../../../helpers/jpki-fixtures.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the dev JPKI center keeps its keys private', { timeout: 60_000 }, () => {
  it('creates folders 0700 and files 0600 whatever the umask', async () => {
    const root = mkdtempSync(join(tmpdir(), 'private-files-'));
    const previous = process.umask(0o022);
    try {
      await writeFileAtomic(join(root, 'ca', 'signca01.key.pem'), 'not a real key');
    } finally {
      process.umask(previous);
    }
    expect(mode(join(root, 'ca'))).toBe(0o700);
    expect(mode(join(root, 'ca', 'signca01.key.pem'))).toBe(0o600);
  });

  it('issues the demo cards (their keys and PINs) into a private folder, each file 0600', async () => {
    const cardsDir = join(mkdtempSync(join(tmpdir(), 'private-cards-')), 'demo-cards');
    const previous = process.umask(0o022);
    try {
      await issueDemoCards(await copyJpkiCenter(), cardsDir);
    } finally {
      process.umask(previous);
    }
    expect(mode(cardsDir)).toBe(0o700);
    const files = readdirSync(cardsDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(mode(join(cardsDir, file)), file).toBe(0o600);
  });
});
