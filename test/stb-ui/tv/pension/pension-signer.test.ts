import { describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../../../platform/src/shared/errors.js';
import type { ConfirmationDraftView } from '../../../../stb-ui/src/api/platform-client.js';
import { PlatformError } from '../../../../stb-ui/src/api/platform-client.js';
import { DriverError, type DriverEvent } from '../../../../stb-ui/src/api/reader-client.js';
import { PensionSigner } from '../../../../stb-ui/src/tv/pension/pension-signer.js';

const fail = (code: ErrorCode, details?: Record<string, unknown>) => new DriverError({ code, message: code, ja: '', ...(details ? { details } : {}) });

/** A reader driver with one virtual card: the sign password, its tries, presence, identity, the link. */
class FakeReader {
  present = true;
  cert = 'CERT-TARO';
  password = 'YAMADA2024';
  tries = 5;
  state: 'open' | 'reconnecting' = 'open';
  calls: { cmd: string; params: Record<string, unknown> }[] = [];
  /**
   * How the next sign's answer is lost after the card checked the password: the link drops and
   * the driver no longer holds it (READER_REQUEST_LOST), or the card is taken away (CARD_REMOVED).
   */
  loseNextSign: 'link' | 'card' | null = null;
  cancel = vi.fn(async (target: string) => ({ cancelled: target }));
  private _changes = new Set<() => void>();
  private _n = 0;

  get readers() {
    return [{ name: 'Demo card bay', cardPresent: this.present }];
  }

  onEvent(_listener: (e: DriverEvent) => void) {
    return () => {};
  }

  onChange(listener: () => void) {
    this._changes.add(listener);
    return () => this._changes.delete(listener);
  }

  /** The link or the card changed (the client updates `readers`, then tells). */
  change(patch: Partial<Pick<FakeReader, 'state' | 'present' | 'cert'>>) {
    Object.assign(this, patch);
    for (const l of [...this._changes]) l();
  }

  signs() {
    return this.calls.filter((c) => c.cmd === 'sign').map((c) => c.params.pin);
  }

  send(cmd: string, params: Record<string, unknown>) {
    this.calls.push({ cmd, params });
    return { id: `r${++this._n}`, result: this._answer(cmd, params) };
  }

  private async _answer(cmd: string, params: Record<string, unknown>): Promise<any> {
    await Promise.resolve();
    if (this.state !== 'open') throw new DriverError({ code: 'READER_UNAVAILABLE', message: '', ja: '' }, true);
    if (!this.present) throw fail('CARD_ABSENT');
    if (cmd === 'cert.read') return { der: `${this.cert}-${params.which}` };
    if (cmd === 'pin.status') return { key: 'sign', triesLeft: this.tries, blocked: this.tries === 0 };
    const lost = this.loseNextSign;
    this.loseNextSign = null;
    if (params.pin !== this.password) {
      this.tries--;
      if (lost === 'link') return this.change({ state: 'reconnecting' }), Promise.reject(fail('READER_REQUEST_LOST'));
      if (lost === 'card') return this.change({ present: false }), Promise.reject(fail('CARD_REMOVED'));
      throw fail('CARD_PIN_WRONG', { triesLeft: this.tries });
    }
    this.tries = 5;
    return { signature: 'SIG', certificate: `${this.cert}-sign` };
  }
}

const DRAFT = { draftId: 'd1', sign: { digestInfo: 'DI' } } as unknown as ConfirmationDraftView;
const flush = async (times = 10) => {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
};

function setup() {
  const reader = new FakeReader();
  const platform = { submitPensionConfirmation: vi.fn(async () => ({ state: 'sealed' }) as never) };
  const signer = new PensionSigner(reader as never, platform);
  return { reader, platform, signer };
}

describe('PensionSigner', () => {
  it('a wrong password whose answer was lost with the link is not sent again: after the link is back, the card is checked and its tries asked, one spent', async () => {
    const s = setup();
    expect(await s.signer.status()).toEqual({ triesLeft: 5, blocked: false });
    s.reader.loseNextSign = 'link';
    expect(await s.signer.sign(DRAFT, 'WRONG1')).toEqual({ kind: 'askAgain', notice: 'linkLost' });
    let again: unknown = null;
    void s.signer.statusAgain().then((a) => (again = a));
    await flush();
    expect(again).toBeNull(); // no link yet: nothing is asked
    s.reader.change({ state: 'open' });
    await flush();
    expect(again).toEqual({ status: { triesLeft: 4, blocked: false }, otherCard: false });
    expect(s.reader.signs()).toEqual(['WRONG1']);
    expect(s.reader.calls.slice(-2).map((c) => c.cmd)).toEqual(['cert.read', 'pin.status']);
    expect(s.platform.submitPensionConfirmation).not.toHaveBeenCalled();
  });

  it('a card taken away while it checks the password: the password is forgotten, and the card put back tells its tries', async () => {
    const s = setup();
    await s.signer.status();
    s.reader.loseNextSign = 'card';
    expect(await s.signer.sign(DRAFT, 'WRONG1')).toEqual({ kind: 'askAgain', notice: 'cardRemoved' });
    let again: unknown = null;
    void s.signer.statusAgain().then((a) => (again = a));
    await flush();
    expect(again).toBeNull(); // no card yet
    s.reader.change({ present: true });
    await flush();
    expect(again).toEqual({ status: { triesLeft: 4, blocked: false }, otherCard: false });
    expect(s.reader.signs()).toEqual(['WRONG1']);
  });

  it('another card put back is said (its own password, its own tries)', async () => {
    const s = setup();
    await s.signer.status();
    await flush();
    s.reader.loseNextSign = 'card';
    await s.signer.sign(DRAFT, 'WRONG1');
    s.reader.tries = 5;
    s.reader.change({ present: true, cert: 'CERT-HANAKO' });
    expect(await s.signer.statusAgain()).toEqual({ status: { triesLeft: 5, blocked: false }, otherCard: true });
  });

  it('no card when 決定 is pressed keeps the password (nothing reached a card)', async () => {
    const s = setup();
    await s.signer.status();
    s.reader.change({ present: false });
    expect(await s.signer.sign(DRAFT, 'YAMADA2024')).toEqual({ kind: 'cardAway' });
    s.reader.change({ present: true });
    expect(await s.signer.sign(DRAFT, 'YAMADA2024')).toMatchObject({ kind: 'done' });
    expect(s.reader.tries).toBe(5);
    expect(s.platform.submitPensionConfirmation).toHaveBeenCalledTimes(1);
  });

  it('no link to the reader when 決定 is pressed (the cable out): the request never left the TV, so the password is kept and signs once the link is back', async () => {
    const s = setup();
    await s.signer.status();
    s.reader.change({ state: 'reconnecting' });
    expect(await s.signer.sign(DRAFT, 'YAMADA2024')).toEqual({ kind: 'noReader' });
    s.reader.change({ state: 'open' });
    expect(await s.signer.sign(DRAFT, 'YAMADA2024')).toMatchObject({ kind: 'done' });
    expect(s.reader.signs()).toEqual(['YAMADA2024', 'YAMADA2024']);
    expect(s.reader.tries).toBe(5);
  });

  it('the platform not answering once the card has signed: the signature is kept, and もう一度 sends it again without the card', async () => {
    const s = setup();
    await s.signer.status();
    const timeout = new PlatformError({ code: 'CLIENT_TIMEOUT', message: '', ja: '' }, { network: true });
    s.platform.submitPensionConfirmation.mockRejectedValueOnce(timeout);
    const first = await s.signer.sign(DRAFT, 'YAMADA2024');
    expect(first).toMatchObject({ kind: 'notSent', error: timeout });
    if (first.kind !== 'notSent') return;
    expect(await first.again()).toMatchObject({ kind: 'done' });
    expect(s.reader.signs()).toEqual(['YAMADA2024']);
    expect(s.platform.submitPensionConfirmation).toHaveBeenCalledTimes(2);
    expect(s.platform.submitPensionConfirmation.mock.calls[1]).toEqual(s.platform.submitPensionConfirmation.mock.calls[0]);
  });

  it('the platform failing to seal (no timestamp, 503) once the card has signed: the signature is kept for もう一度; a refusal (410) is not', async () => {
    const s = setup();
    await s.signer.status();
    const noTimestamp = new PlatformError({ code: 'TSA_UNAVAILABLE', message: '', ja: '時刻の証明を受けられませんでした。' }, { status: 503 });
    s.platform.submitPensionConfirmation.mockRejectedValueOnce(noTimestamp);
    const first = await s.signer.sign(DRAFT, 'YAMADA2024');
    expect(first).toMatchObject({ kind: 'notSent', error: noTimestamp });
    if (first.kind !== 'notSent') return;
    const expired = new PlatformError({ code: 'PENSION_DRAFT_EXPIRED', message: '', ja: '' }, { status: 410 });
    s.platform.submitPensionConfirmation.mockRejectedValueOnce(expired);
    expect(await first.again()).toEqual({ kind: 'failed', error: expired });
    expect(s.reader.signs()).toEqual(['YAMADA2024']);
  });
});
