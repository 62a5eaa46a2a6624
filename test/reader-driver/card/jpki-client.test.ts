import { createHash, verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JpkiClient, normalisePin, type KeyKind } from '../../../reader-driver/src/card/jpki-client.js';
import { digestInfoForSha256Hash } from '../../../platform/src/shared/digest-info.js';
import type { CardSession } from '../../../reader-driver/src/transport/transport.js';
import { VirtualBay } from '../../../reader-driver/src/transport/virtual-bay.js';
import type { CardFile } from '../../../platform/src/shared/card-file.js';
import { FileCardStore, MemoryCardStore } from '../../../reader-driver/src/virtual-card/card-store.js';
import { VirtualCard, type VirtualCardOptions } from '../../../reader-driver/src/virtual-card/virtual-card.js';
import { AUTH_PIN, SIGN_PIN, ScriptedSession, TEST_CERTS, buildCardFile, fakeDer, hx, publicKeyOf } from '../helpers.js';

const SEL_AP = '00A4040C0AD392F000260100000001';

/** A session that records what passes through it and can run a hook before each command. */
class SpySession implements CardSession {
  readonly sent: string[] = [];
  readonly transactionStarts: number[] = [];
  beforeTransmit: ((hex: string) => void) | null = null;
  constructor(private readonly inner: CardSession) {}
  get readerName() {
    return this.inner.readerName;
  }
  get atr() {
    return this.inner.atr;
  }
  transmit(command: Uint8Array) {
    const hex = hx(command);
    this.beforeTransmit?.(hex);
    this.sent.push(hex);
    return this.inner.transmit(command);
  }
  transaction<T>(fn: () => Promise<T>) {
    return this.inner.transaction(() => {
      this.transactionStarts.push(this.sent.length);
      return fn();
    });
  }
  disconnect() {
    return this.inner.disconnect();
  }
  /** Commands that carried a PIN (VERIFY or CHANGE with data). */
  get pinCommands() {
    return this.sent.filter((c) => /^002[04]0[01]80[0-9A-F]{2}/.test(c));
  }
}

async function setup(file: CardFile = buildCardFile(), opts: VirtualCardOptions & { signal?: AbortSignal } = {}) {
  const { signal, ...cardOpts } = opts;
  const store = new MemoryCardStore(file);
  const card = new VirtualCard(file, { store, ...cardOpts });
  const bay = new VirtualBay();
  bay.insert('R', card);
  const spy = new SpySession(await bay.connect('R'));
  const client = new JpkiClient(spy, signal ? { signal } : {});
  return { card, bay, spy, client, store };
}

const digest = (message: string) => digestInfoForSha256Hash(createHash('sha256').update(message).digest());

describe('JpkiClient: public reads', () => {
  it('reads the token label, padding removed', async () => {
    const { client } = await setup();
    expect(await client.tokenLabel()).toBe('JPKIAPICCTOKEN2');
  });

  it('trims NUL padding too', async () => {
    const label = Buffer.alloc(32, 0);
    label.write('JPKIAPICCTOKEN2');
    const { client } = await setup(buildCardFile({ files: { ...buildCardFile().files, '0006': label.toString('base64') } }));
    expect(await client.tokenLabel()).toBe('JPKIAPICCTOKEN2');
  });

  it('reads the auth certificate to its exact DER length, never the filler', async () => {
    const { client, spy } = await setup();
    const der = await client.readAuthCertificate();
    expect(hx(der)).toBe(hx(TEST_CERTS['000A']));
    // SELECT AP, SELECT EF, a 7-byte header read, then ⌈(1586 − 7) / 256⌉ = 7 chunks of ≤ 256 bytes.
    expect(spy.sent.slice(0, 3)).toEqual([SEL_AP, '00A4020C02000A', '00B0000007']);
    const reads = spy.sent.slice(3);
    expect(reads).toHaveLength(7);
    expect(reads[0]).toBe('00B0000700');
    expect(reads.at(-1)).toBe(`00B0${(7 + 6 * 256).toString(16).padStart(4, '0').toUpperCase()}${(1586 - 7 - 6 * 256).toString(16).toUpperCase().padStart(2, '0')}`);
  });

  it.each([
    ['auth', '000B'],
    ['sign', '0002'],
  ] as const)('reads the %s CA certificate (EF %s)', async (kind, fid) => {
    const { client } = await setup();
    expect(hx(await client.readCaCertificate(kind))).toBe(hx(TEST_CERTS[fid]));
  });

  it.each([
    ['short', 100],
    ['81', 200],
    ['82 with an exact multiple of 256', 1020],
  ])('handles the %s length form', async (_, content) => {
    const der = fakeDer(content, 9);
    const { client } = await setup(buildCardFile({ files: { ...buildCardFile().files, '000A': Buffer.from(der).toString('base64') } }));
    expect(hx(await client.readAuthCertificate())).toBe(hx(der));
  });

  it('reads an 83-form length from a scripted card', async () => {
    const content = new Uint8Array(300).fill(0x42);
    const der = Uint8Array.from([0x30, 0x83, 0x00, 0x01, 0x2c, ...content]); // BER-style 83 form, 305 bytes
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C02000A', '9000'],
      ['00B0000007', hx(der.subarray(0, 7)) + '9000'],
      ['00B0000700', hx(der.subarray(7, 263)) + '9000'],
      ['00B001072A', hx(der.subarray(263)) + '9000'] // 305 − 263 = 42 bytes,
    ]);
    expect(hx(await new JpkiClient(s).readAuthCertificate())).toBe(hx(der));
    expect(s.done).toBe(true);
  });

  it('fails with CARD_COMMAND_FAILED when the EF holds no DER', async () => {
    const { client } = await setup(buildCardFile({ files: { ...buildCardFile().files, '000B': Buffer.alloc(64, 0xff).toString('base64') } }));
    await expect(client.readCaCertificate('auth')).rejects.toMatchObject({ code: 'CARD_COMMAND_FAILED' });
  });

  it('fails with CARD_COMMAND_FAILED when the card ends the EF early', async () => {
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C02000A', '9000'],
      ['00B0000007', '3082062E0102039000'],
      ['00B0000700', '9000'],
    ]);
    await expect(new JpkiClient(s).readAuthCertificate()).rejects.toMatchObject({ code: 'CARD_COMMAND_FAILED' });
  });

  it('says CARD_NOT_JPKI when the card has no JPKI AP', async () => {
    for (const sw of ['6A82', '6A86', '6D00', '6E00']) {
      const s = new ScriptedSession([[SEL_AP, sw]]);
      await expect(new JpkiClient(s).tokenLabel()).rejects.toMatchObject({ code: 'CARD_NOT_JPKI' });
      expect(s.sent).toEqual([SEL_AP]);
    }
  });

  it('runs every operation in its own transaction that starts with SELECT of the JPKI AID', async () => {
    const { client, spy } = await setup();
    await client.tokenLabel();
    await client.readAuthCertificate();
    await client.readCaCertificate('sign');
    await client.pinStatus('auth');
    await client.readSignCertificate(SIGN_PIN);
    await client.sign('auth', AUTH_PIN, digest('x'));
    await client.changePin('auth', AUTH_PIN, '4321');
    expect(spy.transactionStarts).toHaveLength(7);
    for (const at of spy.transactionStarts) expect(spy.sent[at]).toBe(SEL_AP);
  });
});

describe('JpkiClient: PIN status', () => {
  it('reports fresh counters (3 auth, 5 sign) without spending any', async () => {
    const { client, card } = await setup();
    for (let i = 0; i < 3; i++) {
      expect(await client.pinStatus('auth')).toEqual({ triesLeft: 3, blocked: false });
      expect(await client.pinStatus('sign')).toEqual({ triesLeft: 5, blocked: false });
    }
    expect(card.triesLeft('auth')).toBe(3);
    expect(card.triesLeft('sign')).toBe(5);
  });

  it('sends the empty VERIFY as 4 bytes, and the 5-byte form only after 6700', async () => {
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C020018', '9000'],
      ['00200080', '6700'],
      ['0020008000', '63C2'],
    ]);
    expect(await new JpkiClient(s).pinStatus('auth')).toEqual({ triesLeft: 2, blocked: false });
    expect(s.done).toBe(true);
  });

  it.each([
    ['9000', { triesLeft: null, blocked: false }],
    ['63C1', { triesLeft: 1, blocked: false }],
    ['63C0', { triesLeft: 0, blocked: true }],
    ['6983', { triesLeft: 0, blocked: true }],
    ['6984', { triesLeft: 0, blocked: true }],
  ])('reads a %s answer', async (sw, status) => {
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C02001B', '9000'],
      ['00200080', sw],
    ]);
    expect(await new JpkiClient(s).pinStatus('sign')).toEqual(status);
  });

  it('throws the mapped error for an unexpected answer', async () => {
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C020018', '9000'],
      ['00200080', '6A88'],
    ]);
    await expect(new JpkiClient(s).pinStatus('auth')).rejects.toMatchObject({ code: 'CARD_COMMAND_FAILED' });
  });
});

describe('JpkiClient: PIN format is checked before anything reaches the card', () => {
  it.each([
    ['auth', '123'],
    ['auth', '12345'],
    ['auth', 'abcd'],
    ['auth', '１２３４'],
    ['auth', ' 1234'],
    ['auth', ''],
    ['sign', 'ABC12'],
    ['sign', 'ABC-123'],
    ['sign', 'A'.repeat(17)],
    ['sign', 'パスワード123'],
    ['sign', ''],
  ] as const)('%s PIN %j → CARD_PIN_FORMAT, no command sent, counter unchanged', async (kind, pin) => {
    const { client, spy, card } = await setup();
    await expect(client.sign(kind, pin, digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    if (kind === 'sign') await expect(client.readSignCertificate(pin)).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    await expect(client.changePin(kind, pin, kind === 'auth' ? '1111' : 'NEWPASS1')).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    await expect(client.changePin(kind, kind === 'auth' ? AUTH_PIN : SIGN_PIN, pin)).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    expect(spy.sent).toEqual([]);
    expect(card.triesLeft(kind)).toBe(kind === 'auth' ? 3 : 5);
  });

  it('normalisePin upper-cases the sign password and keeps the auth PIN as is', () => {
    expect(normalisePin('sign', 'password1234')).toBe('PASSWORD1234');
    expect(normalisePin('sign', 'Abc123')).toBe('ABC123');
    expect(normalisePin('auth', '0000')).toBe('0000');
    expect(() => normalisePin('auth', 12 as unknown as string)).toThrow(expect.objectContaining({ code: 'CARD_PIN_FORMAT' }));
    expect(() => normalisePin('other' as KeyKind, '1234')).toThrow(expect.objectContaining({ code: 'REQ_INVALID' }));
  });

  it('accepts a lower-case sign password by upper-casing it', async () => {
    const { client } = await setup();
    expect(hx(await client.readSignCertificate(SIGN_PIN.toLowerCase()))).toBe(hx(TEST_CERTS['0001']));
  });

  it('refuses a signature input outside 1–245 bytes and an unknown kind with REQ_INVALID, sending nothing', async () => {
    const { client, spy } = await setup();
    await expect(client.sign('auth', AUTH_PIN, new Uint8Array(246))).rejects.toMatchObject({ code: 'REQ_INVALID' });
    await expect(client.sign('auth', AUTH_PIN, new Uint8Array(0))).rejects.toMatchObject({ code: 'REQ_INVALID' });
    await expect(client.pinStatus('both' as KeyKind)).rejects.toMatchObject({ code: 'REQ_INVALID' });
    await expect(client.readCaCertificate('both' as KeyKind)).rejects.toMatchObject({ code: 'REQ_INVALID' });
    expect(spy.sent).toEqual([]);
  });
});

describe('JpkiClient: signatures', () => {
  it.each(['auth', 'sign'] as const)('signs with the %s key; node:crypto verifies it with the public key of the card key', async (kind) => {
    const { client, spy } = await setup();
    const message = 'nonce-7f3a9c';
    const signature = await client.sign(kind, kind === 'auth' ? AUTH_PIN : SIGN_PIN, digest(message));
    expect(signature.length).toBe(256);
    expect(verify('sha256', Buffer.from(message), publicKeyOf(kind), signature)).toBe(true);
    const pinEf = kind === 'auth' ? '0018' : '001B';
    const keyEf = kind === 'auth' ? '0017' : '001A';
    expect(spy.sent.slice(0, 4)).toEqual([SEL_AP, `00A4020C02${pinEf}`, '00200080', expect.stringMatching(/^00200080/)]);
    expect(spy.sent[4]).toBe(`00A4020C02${keyEf}`);
    expect(spy.sent[5]).toMatch(/^802A008033/);
    expect(spy.sent.at(-1)).toBe(SEL_AP); // re-SELECT drops the PIN state
  });

  it('leaves no verified PIN on the card afterwards', async () => {
    const { client, card } = await setup();
    await client.sign('auth', AUTH_PIN, digest('x'));
    expect(card.isVerified('auth')).toBe(false);
    await client.readSignCertificate(SIGN_PIN);
    expect(card.isVerified('sign')).toBe(false);
  });

  it('collects a 61xx answer with GET RESPONSE (T=0 readers)', async () => {
    const sig = 'AB'.repeat(256);
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C020018', '9000'],
      ['00200080', '63C3'],
      ['002000800431323334', '9000'],
      ['00A4020C020017', '9000'],
      ['*', '6100'],
      ['00C0000000', sig + '9000'],
      [SEL_AP, '9000'],
    ]);
    expect(hx(await new JpkiClient(s).sign('auth', AUTH_PIN, digest('x')))).toBe(sig);
    expect(s.done).toBe(true);
  });
});

describe('JpkiClient: wrong PINs and lockout', () => {
  it('auth: 2 and 1 tries left, then blocked on the third; never retried by itself', async () => {
    const { client, spy, card } = await setup();
    await expect(client.sign('auth', '0000', digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 2 } });
    expect(card.triesLeft('auth')).toBe(2);
    await expect(client.sign('auth', '0000', digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 1 } });
    await expect(client.sign('auth', '0000', digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED', details: { triesLeft: 0 } });
    expect(spy.pinCommands).toHaveLength(3);
    expect(spy.sent.filter((c) => c.startsWith('802A'))).toEqual([]);
    // Blocked: the client checks the counter and does not send the PIN at all.
    await expect(client.sign('auth', AUTH_PIN, digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED', details: { triesLeft: 0 } });
    expect(spy.pinCommands).toHaveLength(3);
    expect(await client.pinStatus('auth')).toEqual({ triesLeft: 0, blocked: true });
    // The sign key is independent (SPEC §2).
    expect(await client.pinStatus('sign')).toEqual({ triesLeft: 5, blocked: false });
  });

  it('sign: 4, 3, 2, 1 tries left, then blocked on the fifth', async () => {
    const { client } = await setup();
    for (const left of [4, 3, 2, 1]) {
      await expect(client.readSignCertificate('WRONG99')).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: left } });
    }
    await expect(client.readSignCertificate('WRONG99')).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED', details: { triesLeft: 0 } });
    await expect(client.readSignCertificate(SIGN_PIN)).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED' });
    await expect(client.changePin('sign', SIGN_PIN, 'NEWPASS1')).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED' });
  });

  it('a correct PIN resets the counter', async () => {
    const { client } = await setup();
    await expect(client.sign('auth', '0000', digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_WRONG' });
    await expect(client.sign('auth', '0000', digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_WRONG' });
    await client.sign('auth', AUTH_PIN, digest('x'));
    expect(await client.pinStatus('auth')).toEqual({ triesLeft: 3, blocked: false });
  });

  it.each(['63C0', '6983', '6984'])('treats a %s answer to VERIFY as CARD_PIN_BLOCKED', async (sw) => {
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C02001B', '9000'],
      ['00200080', '63C1'],
      [`00200080${'0C'}${hx(Buffer.from(SIGN_PIN))}`, sw],
      [SEL_AP, '9000'],
    ]);
    await expect(new JpkiClient(s).sign('sign', SIGN_PIN, digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED', details: { triesLeft: 0 } });
    expect(s.done).toBe(true);
  });

  it.each(['63C0', '6983', '6984'])('does not send the PIN when the retry query answers %s', async (sw) => {
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C020018', '9000'],
      ['00200080', sw],
      [SEL_AP, '9000'],
    ]);
    await expect(new JpkiClient(s).sign('auth', AUTH_PIN, digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED', details: { triesLeft: 0 } });
    expect(s.done).toBe(true);
  });

  it('counters persist across a new VirtualCard on the same card file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jpki-client-'));
    try {
      const path = join(dir, 'card.json');
      await writeFile(path, JSON.stringify(buildCardFile()));
      const first = await setup(await new FileCardStore(path).load(), { store: new FileCardStore(path) });
      await expect(first.client.sign('auth', '0000', digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 2 } });
      await expect(first.client.sign('auth', '9999', digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 1 } });
      await first.bay.close();

      const card = await VirtualCard.open(new FileCardStore(path));
      const bay = new VirtualBay();
      bay.insert('R', card);
      const client = new JpkiClient(await bay.connect('R'));
      expect(await client.pinStatus('auth')).toEqual({ triesLeft: 1, blocked: false });
      await expect(client.sign('auth', '0000', digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('JpkiClient: changePin', () => {
  it('changes the auth PIN: the new one works, the old one does not', async () => {
    const { client } = await setup();
    await client.changePin('auth', AUTH_PIN, '4321');
    expect(await client.sign('auth', '4321', digest('x'))).toHaveLength(256);
    await expect(client.sign('auth', AUTH_PIN, digest('x'))).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 2 } });
  });

  it('changes the sign password (upper-casing both) and persists it', async () => {
    const { client, store } = await setup();
    await client.changePin('sign', SIGN_PIN.toLowerCase(), 'newpass2024');
    expect(store.file.pins.sign.value).toBe('NEWPASS2024');
    expect(hx(await client.readSignCertificate('NEWPASS2024'))).toBe(hx(TEST_CERTS['0001']));
  });

  it('refuses with CARD_PIN_WRONG when the old PIN is wrong, leaving the PIN as it was', async () => {
    const { client, spy, store } = await setup();
    await expect(client.changePin('auth', '0000', '4321')).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 2 } });
    expect(spy.sent.some((c) => c.startsWith('00240180'))).toBe(false);
    expect(store.file.pins.auth.value).toBe(AUTH_PIN);
  });

  it('maps a card that refuses the new value as incorrect data to CARD_PIN_FORMAT', async () => {
    const s = new ScriptedSession([
      [SEL_AP, '9000'],
      ['00A4020C020018', '9000'],
      ['00200080', '63C3'],
      ['002000800431323334', '9000'],
      ['002401800435363738', '6A80'],
      [SEL_AP, '9000'],
    ]);
    await expect(new JpkiClient(s).changePin('auth', AUTH_PIN, '5678')).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
  });
});

describe('JpkiClient: card removal and cancellation', () => {
  it('answers CARD_REMOVED when the card is pulled during the signature', async () => {
    let bay!: VirtualBay;
    const slowRsa = { commandMs: 0, byteMs: 0, writeMs: 0, signMs: 400 };
    const ctx = await setup(buildCardFile(), {
      latency: slowRsa,
      // The card "computes" for 400 ms: the test pulls it at that moment instead of waiting.
      sleep: (ms) => {
        if (ms >= 400) {
          bay.remove('R');
          return new Promise(() => {});
        }
        return Promise.resolve();
      },
    });
    bay = ctx.bay;
    await expect(ctx.client.sign('auth', AUTH_PIN, digest('x'))).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    expect(ctx.spy.sent.filter((c) => c.startsWith('802A'))).toHaveLength(1);
    expect(ctx.card.isPowered).toBe(false);
  });

  it('answers CARD_REMOVED when the card is pulled between two APDUs', async () => {
    const { client, spy, bay } = await setup();
    spy.beforeTransmit = (hex) => {
      if (hex === '00A4020C020017') bay.remove('R');
    };
    await expect(client.sign('auth', AUTH_PIN, digest('x'))).rejects.toMatchObject({ code: 'CARD_REMOVED' });
  });

  it('answers only CARD_REMOVED, and never costs a try, whichever command the card is pulled before', async () => {
    const full = await setup();
    await full.client.sign('auth', AUTH_PIN, digest('x'));
    const commands = full.spy.sent.length;
    for (let k = 0; k < commands; k++) {
      const { client, spy, bay, card } = await setup();
      spy.beforeTransmit = () => {
        if (spy.sent.length === k) bay.remove('R');
      };
      const outcome = await client.sign('auth', AUTH_PIN, digest('x')).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
      // Pulled before the final re-SELECT, the signature is already out: that clean-up may fail silently.
      expect(outcome).toBe(k === commands - 1 ? 'ok' : 'CARD_REMOVED');
      expect(card.triesLeft('auth')).toBe(3);
    }
  });

  it('cancels before the first APDU when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { client, spy } = await setup(buildCardFile(), { signal: controller.signal });
    await expect(client.readAuthCertificate()).rejects.toMatchObject({ code: 'WS_CANCELLED' });
    expect(spy.sent).toEqual([]);
  });

  it('cancels between APDUs: after VERIFY, the signature is never asked for', async () => {
    const controller = new AbortController();
    const { client, spy, card } = await setup(buildCardFile(), { signal: controller.signal });
    spy.beforeTransmit = (hex) => {
      if (/^0020008004/.test(hex)) queueMicrotask(() => controller.abort());
    };
    await expect(client.sign('auth', AUTH_PIN, digest('x'))).rejects.toMatchObject({ code: 'WS_CANCELLED' });
    expect(spy.sent.some((c) => c.startsWith('802A'))).toBe(false);
    expect(spy.sent.at(-1)).toBe(SEL_AP); // the clean-up still drops the PIN state
    expect(card.isVerified('auth')).toBe(false);
  });

  it('cancels a long certificate read between chunks', async () => {
    const controller = new AbortController();
    const { client, spy } = await setup(buildCardFile(), { signal: controller.signal });
    spy.beforeTransmit = (hex) => {
      if (hex === '00B0000700') controller.abort();
    };
    await expect(client.readAuthCertificate()).rejects.toMatchObject({ code: 'WS_CANCELLED' });
    expect(spy.sent.at(-1)).toBe('00B0000700');
  });
});

describe('digestInfoForSha256Hash', () => {
  it('prefixes the SHA-256 DigestInfo header (SPEC §4)', () => {
    const hash = createHash('sha256').update('abc').digest();
    const di = digestInfoForSha256Hash(hash);
    expect(di.length).toBe(51);
    expect(hx(di)).toBe('3031300D060960864801650304020105000420' + hx(hash));
  });

  it('refuses anything but 32 bytes', () => {
    expect(() => digestInfoForSha256Hash(new Uint8Array(20))).toThrow(expect.objectContaining({ code: 'REQ_INVALID' }));
  });
});
