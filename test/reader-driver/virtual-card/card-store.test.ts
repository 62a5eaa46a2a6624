import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCardStore, MemoryCardStore, validateCardFile, writeFileAtomic } from '../../../reader-driver/src/virtual-card/card-store.js';
import { VirtualCard } from '../../../reader-driver/src/virtual-card/virtual-card.js';
import { buildCardFile, h, hx } from '../helpers.js';

const dir = await mkdtemp(join(tmpdir(), 'virtual-card-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let n = 0;
const cardPath = async (file = buildCardFile()) => {
  const path = join(dir, `card-${n++}.json`);
  await writeFile(path, JSON.stringify(file));
  return path;
};

const SEL_AP = h('00A4040C0AD392F000260100000001');
const send = async (card: VirtualCard, hex: string) => hx(await card.process(h(hex)));

describe('FileCardStore', () => {
  it('loads what it saved', async () => {
    const store = new FileCardStore(await cardPath());
    const file = await store.load();
    file.pins.sign.triesLeft = 2;
    await store.save(file);
    expect(await store.load()).toEqual(file);
    expect((await readFile(store.path, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('writes atomically: no temporary file is left behind', async () => {
    const store = new FileCardStore(await cardPath());
    const file = await store.load();
    await Promise.all([1, 2, 0].map((t) => store.save({ ...file, pins: { ...file.pins, auth: { ...file.pins.auth, triesLeft: t } } })));
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect([0, 1, 2]).toContain((await store.load()).pins.auth.triesLeft);
  });

  it('cleans up and rejects when the directory is missing', async () => {
    await expect(writeFileAtomic(join(dir, 'nope', 'card.json'), '{}')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(new FileCardStore(join(dir, 'nope', 'card.json')).load()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a file that is not JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"format":');
    await expect(new FileCardStore(path).load()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('keeps PIN counters across a new VirtualCard on the same file (restart)', async () => {
    const path = await cardPath();
    const first = await VirtualCard.open(new FileCardStore(path));
    first.powerOn();
    for (const c of ['00A4040C0AD392F000260100000001', '00A4020C020018', '002000800430303030', '002000800430303030']) await send(first, c);
    expect(await send(first, '00200080')).toBe('63C1');

    const second = await VirtualCard.open(new FileCardStore(path));
    second.powerOn();
    await second.process(SEL_AP);
    await send(second, '00A4020C020018');
    expect(await send(second, '00200080')).toBe('63C1');
    expect(await send(second, '002000800430303030')).toBe('63C0');

    const third = await VirtualCard.open(new FileCardStore(path));
    third.powerOn();
    await third.process(SEL_AP);
    await send(third, '00A4020C020018');
    expect(await send(third, '002000800431323334')).toBe('6984');
    expect(JSON.parse(await readFile(path, 'utf8')).pins.auth.triesLeft).toBe(0);
  });

  it('keeps a changed PIN across a restart', async () => {
    const path = await cardPath();
    const first = await VirtualCard.open(new FileCardStore(path));
    first.powerOn();
    for (const c of ['00A4040C0AD392F000260100000001', '00A4020C020018', '002000800431323334']) await send(first, c);
    expect(await send(first, '002401800439383736')).toBe('9000');
    const second = await VirtualCard.open(new FileCardStore(path));
    second.powerOn();
    for (const c of ['00A4040C0AD392F000260100000001', '00A4020C020018']) await send(second, c);
    expect(await send(second, '002000800439383736')).toBe('9000');
  });
});

describe('MemoryCardStore', () => {
  it('holds a copy, counts saves and loads validated', async () => {
    const file = buildCardFile();
    const store = new MemoryCardStore(file);
    file.id = 'changed';
    expect((await store.load()).id).toBe('test-card');
    await store.save(buildCardFile({ id: 'other' }));
    expect(store.saves).toBe(1);
    expect(store.file.id).toBe('other');
  });
});

describe('validateCardFile', () => {
  it('accepts the helper card file', () => {
    expect(validateCardFile(buildCardFile()).id).toBe('test-card');
  });

  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const { '000B': _dropped, ...withoutAuthCa } = buildCardFile().files;

  it.each([
    ['a wrong format', { format: 'jpki-virtual-card/0' }, 'format'],
    ['an empty id', { id: '' }, 'id'],
    ['a 33-character label', { tokenLabel: 'X'.repeat(33) }, 'tokenLabel'],
    ['a non-hex ATR', { atr: '3BZZ' }, 'atr'],
    ['a missing certificate', { files: withoutAuthCa }, 'files.000B'],
    ['a lower-case FID', { files: { ...buildCardFile().files, '000c': '' } }, '000c'],
    ['a key EF in files', { files: { ...buildCardFile().files, '0017': '' } }, '0017'],
    ['bad base64', { files: { ...buildCardFile().files, '0002': '!!' } }, 'files.0002'],
    ['a 1024-bit key', { keys: { auth: weak, sign: buildCardFile().keys.sign } }, 'keys.auth must be an RSA-2048'],
    ['an EC key', { keys: { auth: buildCardFile().keys.auth, sign: ec } }, 'keys.sign must be an RSA-2048'],
    ['a non-key', { keys: { auth: 'AAAA', sign: buildCardFile().keys.sign } }, 'keys.auth is not'],
    ['a 5-digit auth PIN', { pins: { auth: { value: '12345', triesLeft: 3 }, sign: { value: 'ABC123', triesLeft: 5 } } }, 'pins.auth.value'],
    ['a lower-case sign PIN', { pins: { auth: { value: '1234', triesLeft: 3 }, sign: { value: 'abc123', triesLeft: 5 } } }, 'pins.sign.value'],
    ['4 auth tries', { pins: { auth: { value: '1234', triesLeft: 4 }, sign: { value: 'ABC123', triesLeft: 5 } } }, 'pins.auth.triesLeft'],
    ['-1 sign tries', { pins: { auth: { value: '1234', triesLeft: 3 }, sign: { value: 'ABC123', triesLeft: -1 } } }, 'pins.sign.triesLeft'],
  ])('refuses %s with CONFIG_INVALID', (_, change, mentions) => {
    expect(() => validateCardFile({ ...buildCardFile(), ...change })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.stringContaining(mentions) }),
    );
  });

  it('lists every problem at once', () => {
    try {
      validateCardFile({ format: 'x' });
      expect.unreachable();
    } catch (e) {
      const detail = (e as { detail: string }).detail;
      for (const field of ['format', 'id', 'tokenLabel', 'atr', 'files', 'keys.auth', 'keys.sign', 'pins.auth', 'pins.sign']) expect(detail).toContain(field);
    }
    expect(() => validateCardFile(null)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('is applied by the VirtualCard constructor', () => {
    expect(() => new VirtualCard({ ...buildCardFile(), atr: 'nothex' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
