import { describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../../../platform/src/shared/errors.js';
import type { SessionResponse, TvHousehold } from '../../../../stb-ui/src/api/platform-client.js';
import { PlatformError } from '../../../../stb-ui/src/api/platform-client.js';
import { DriverError, type DriverEvent } from '../../../../stb-ui/src/api/reader-client.js';
import { CardFlow, DRIVER_ADVICE_AFTER_MS, type FlowStep } from '../../../../stb-ui/src/tv/flow/card-flow.js';

type Kind = 'auth' | 'sign';

/** A reader driver with one virtual My Number Card: PINs, retry counters, presence, identity. */
class FakeReader {
  present = true;
  cert = 'CERT-TARO';
  pins: Record<Kind, string> = { auth: '1234', sign: 'YAMADA2024' };
  tries: Record<Kind, number> = { auth: 3, sign: 5 };
  calls: { cmd: string; params: Record<string, unknown> }[] = [];
  /**
   * When set, the next sign request waits for this promise before it reaches the card (in the
   * link, or queued in the driver): a card gone by then is found absent (CARD_ABSENT, no PIN sent).
   */
  hold: Promise<void> | null = null;
  /**
   * When set, the next sign request is on the card, which checks the PIN until this promise
   * settles: a card taken away meanwhile (put back or not) answers CARD_REMOVED (the try may have been counted).
   */
  holdOnCard: Promise<void> | null = null;
  private _removals = 0;
  /**
   * When set, the next sign reaches the card (a wrong PIN costs a try) and its answer is lost:
   * `drop` — the link goes and the client gives up on it (READER_UNAVAILABLE); `resumed` — the
   * link came back at once and the driver no longer held it (READER_REQUEST_LOST).
   */
  loseNextSign: 'drop' | 'resumed' | null = null;
  /**
   * When set, the card is taken away while the next sign runs: the card has checked the PIN (a
   * wrong one cost a try) and the answer is CARD_REMOVED, before any `card.removed` event.
   */
  removeDuringNextSign = false;
  /**
   * Card requests the driver refuses next because the reader is busy with another client's request
   * (WS_BAD_STATE, before anything reaches the card): the page's certificate cache reading a card
   * that was just put in.
   */
  busy = 0;
  cancel = vi.fn(async (target: string) => ({ cancelled: target }));
  private _listeners = new Set<(e: DriverEvent) => void>();
  private _changeListeners = new Set<() => void>();
  private _n = 0;
  /** The link to the driver. */
  state: 'open' | 'reconnecting' = 'open';
  /** Another reader, with someone else's card coming and going. */
  other = { name: 'Other reader', cardPresent: false };

  get readers() {
    return [{ name: 'Demo card bay', cardPresent: this.present }, this.other];
  }

  onEvent(listener: (e: DriverEvent) => void) {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  onChange(listener: () => void) {
    this._changeListeners.add(listener);
    return () => this._changeListeners.delete(listener);
  }

  /** The driver link drops (requests fail with READER_UNAVAILABLE) or comes back. */
  link(state: 'open' | 'reconnecting') {
    this.state = state;
    for (const l of this._changeListeners) l();
  }

  emit(event: 'card.inserted' | 'card.removed', name = 'Demo card bay') {
    if (name === 'Demo card bay') this.present = event === 'card.inserted';
    if (name === 'Demo card bay' && event === 'card.removed') this._removals++;
    else this.other.cardPresent = event === 'card.inserted';
    for (const l of this._listeners) l({ event, data: { name, cardPresent: event === 'card.inserted' } });
  }

  send(cmd: string, params: Record<string, unknown>) {
    this.calls.push({ cmd, params });
    return { id: `r${++this._n}`, result: this._answer(cmd, params) };
  }

  signs() {
    return this.calls.filter((c) => c.cmd === 'sign').map((c) => `${c.params.key}:${c.params.pin}:${c.params.digestInfo}`);
  }

  private async _answer(cmd: string, params: Record<string, unknown>): Promise<any> {
    await Promise.resolve();
    if (cmd === 'sign' && this.hold) {
      const hold = this.hold;
      this.hold = null;
      await hold;
    }
    // No link: the page's client fails it before sending (it never left the page).
    if (this.state !== 'open') throw new DriverError({ code: 'READER_UNAVAILABLE', message: 'not connected', ja: '' }, true);
    if (this.busy > 0) {
      this.busy--;
      throw fail('WS_BAD_STATE');
    }
    if (cmd === 'sign' && this.loseNextSign) {
      const lost = this.loseNextSign;
      this.loseNextSign = null;
      await this._answer(cmd, params).catch(() => {}); // the card does it; the answer never arrives
      if (lost === 'drop') this.link('reconnecting');
      throw fail(lost === 'drop' ? 'READER_UNAVAILABLE' : 'READER_REQUEST_LOST');
    }
    if (cmd === 'sign' && this.removeDuringNextSign) {
      this.removeDuringNextSign = false;
      await this._answer(cmd, params).catch(() => {});
      this.present = false;
      throw fail('CARD_REMOVED');
    }
    if (params.reader !== undefined && params.reader !== 'Demo card bay') throw fail('CARD_ABSENT');
    if (!this.present) throw fail('CARD_ABSENT');
    if (cmd === 'sign' && this.holdOnCard) {
      const hold = this.holdOnCard;
      const removals = this._removals;
      this.holdOnCard = null;
      await hold;
      if (this._removals !== removals) throw fail('CARD_REMOVED');
    }
    const key = params.key as Kind;
    switch (cmd) {
      case 'cert.read':
        return { der: `${this.cert}-${params.which}` };
      case 'pin.status':
        return { key, triesLeft: this.tries[key], blocked: this.tries[key] === 0 };
      case 'sign':
        if (this.tries[key] === 0) throw fail('CARD_PIN_BLOCKED');
        if (params.pin !== this.pins[key]) {
          this.tries[key]--;
          throw this.tries[key] === 0 ? fail('CARD_PIN_BLOCKED') : fail('CARD_PIN_WRONG', { triesLeft: this.tries[key] });
        }
        this.tries[key] = key === 'auth' ? 3 : 5;
        return { signature: `SIG(${key},${params.digestInfo})`, ...(params.withCertificate ? { certificate: `${this.cert}-${key}` } : {}) };
      default:
        throw new Error(`unexpected ${cmd}`);
    }
  }
}

const fail = (code: ErrorCode, details?: Record<string, unknown>) => new DriverError({ code, message: code, ja: `${code} ja`, ...(details ? { details } : {}) });

const SESSION: SessionResponse = {
  token: 'tok', expiresAt: '2030-01-01T00:00:00Z', person: { id: 'p1', name: '山田　太郎' },
  household: { id: 'h1', label: '山田さん宅', members: [{ personId: 'p1', name: '山田　太郎' }, { personId: 'p2', name: '山田　花子' }] },
};
const HOUSEHOLD: TvHousehold = {
  household: { id: 'h1', label: '山田さん宅', districtCode: 'inami' }, members: SESSION.household.members,
  districts: [{ code: 'johana', name: '城端地域' }, { code: 'inami', name: '井波地域' }],
  consent: { version: 'v1', text: '同意文' },
};

const PEOPLE: Record<string, { personId: string; name: string }> = {
  'CERT-TARO': { personId: 'p1', name: '山田　太郎' },
  'CERT-HANAKO': { personId: 'p2', name: '山田　花子' },
};

function fakePlatform() {
  let drafts = 0;
  /** Whose card a certificate is: 太郎 and 花子 are registered here. */
  const people = new Map(Object.entries(PEOPLE));
  return {
    people,
    presence: vi.fn(async (certificate: string) => {
      const person = people.get(certificate.replace(/-auth$/, ''));
      if (!person) throw new PlatformError({ code: 'AUTH_NOT_REGISTERED', message: '', ja: '' });
      return { ...person, assurance: 'low' as const, revocationUnknown: false };
    }),
    createNonce: vi.fn(async () => ({ nonce: 'N', digestInfo: 'DI-login', expiresAt: '' })),
    createSession: vi.fn(async (): Promise<SessionResponse> => SESSION),
    household: vi.fn(async () => HOUSEHOLD),
    createRegistrationDraft: vi.fn(async (district: string) => {
      drafts++;
      return { draftId: `d${drafts}`, document: { district }, sign: { digestInfo: `DI-sign-${drafts}` }, auth: { digestInfo: `DI-auth-${drafts}` }, expiresAt: '' };
    }),
    submitRegistration: vi.fn(async (input: { draftId: string }) => ({
      registrationId: `reg-${input.draftId}`,
      personalData: { name: '山田　太郎', dateOfBirth: '1950-04-01', gender: '1', address: '富山県南砺市城端１２３番地' },
      district: { code: 'johana', name: '城端地域' }, expiresAt: '',
    })),
    confirmRegistration: vi.fn(async () => ({ personId: 'p1', created: true })),
    cancelRegistration: vi.fn(async () => {}),
    unregister: vi.fn(async () => ({ personId: 'p1', servicesUnlinked: 0, sessionsEnded: 1 })),
  };
}

const flush = async (times = 10) => {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
};

const setup = () => setupWith();

function setupWith(extra: Partial<ConstructorParameters<typeof CardFlow>[0]> = {}) {
  const reader = new FakeReader();
  const platform = fakePlatform();
  const onLoggedIn = vi.fn();
  const onExit = vi.fn();
  /** The flow's one timer (advice when the driver stays away), fired by the test. */
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const setTimer = (fn: () => void, ms: number) => {
    const timer = { fn, ms, cancelled: false };
    timers.push(timer);
    return () => { timer.cancelled = true; };
  };
  const flow = new CardFlow({ reader, platform: platform as never, onLoggedIn, onExit, setTimer, ...extra });
  const step = () => flow.state.step;
  const type = (text: string) => [...text].forEach((c) => flow.typeChar(c));
  return { reader, platform, flow, step, type, onLoggedIn, onExit, timers };
}

/** Login to the pad, `pin` typed; `beforeSubmit` (what goes wrong next) runs just before 決定, then the flow settles. */
async function typedLogin(s: ReturnType<typeof setup>, pin: string, beforeSubmit?: () => void) {
  s.flow.startLogin();
  await flush();
  s.type(pin);
  beforeSubmit?.();
  s.flow.submitPin();
  await flush();
}

const pinStep = (step: FlowStep) => {
  if (step.name !== 'pin') throw new Error(`expected the pin step, got ${step.name}`);
  return step;
};

describe('CardFlow: login', () => {
  it('checks the card, asks the PIN with its tries, signs the nonce with the auth key, and makes a session', async () => {
    const s = setup();
    s.flow.startLogin();
    expect(s.step()).toEqual({ name: 'loading', what: 'card' });
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', status: { triesLeft: 3, blocked: false } });
    s.type('1234');
    expect(pinStep(s.step()).value.chars).toBe('1234');
    s.flow.submitPin();
    expect(s.step()).toMatchObject({ name: 'working', tasks: ['nonce', 'authSign', 'session'] });
    await flush();
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login']);
    // The certificate read at the card check is the one sent: the card is not asked for it again.
    expect(s.reader.calls.find((c) => c.cmd === 'sign')!.params.withCertificate).toBe(false);
    expect(s.reader.calls.filter((c) => c.cmd === 'cert.read')).toHaveLength(1);
    expect(s.platform.createSession).toHaveBeenCalledWith({ nonce: 'N', certificate: 'CERT-TARO-auth', signature: 'SIG(auth,DI-login)' });
    expect(s.onLoggedIn).toHaveBeenCalledWith(SESSION);
    expect(s.flow.active).toBe(false);
  });

  it('uses the certificate read while the card lay in the reader: the card only tells its tries and signs', async () => {
    const kept = new Map([['Demo card bay', Promise.resolve('CERT-TARO-auth')]]);
    const certs = { get: (r: string | undefined) => (r ? kept.get(r) ?? null : null), put: (r: string | undefined, der: string) => void kept.set(r!, Promise.resolve(der)) };
    const s = setupWith({ certs });
    await typedLogin(s, '1234');
    expect(s.reader.calls.map((c) => c.cmd)).toEqual(['pin.status', 'sign']);
    expect(s.platform.presence).toHaveBeenCalledWith('CERT-TARO-auth');
    expect(s.onLoggedIn).toHaveBeenCalledWith(SESSION);
  });

  it('a reader busy reading the card just put in (the page cache) is asked again: the pad comes with the tries, not 「うまく いきませんでした」', async () => {
    const s = setup();
    s.reader.busy = 2;
    s.flow.startLogin();
    await vi.waitFor(() => expect(s.step().name).toBe('pin'), { timeout: 5_000, interval: 50 });
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', status: { triesLeft: 3, blocked: false } });
    expect(s.reader.calls.map((c) => c.cmd)).toEqual(['cert.read', 'cert.read', 'cert.read', 'pin.status']);
    // Busy when 決定 is pressed: refused before the card, so the PIN goes once the reader is free; no try spent.
    s.type('1234');
    s.reader.busy = 1;
    s.flow.submitPin();
    await vi.waitFor(() => expect(s.onLoggedIn).toHaveBeenCalledWith(SESSION), { timeout: 5_000, interval: 50 });
    expect(s.reader.tries.auth).toBe(3);
  });

  it('a reader that stays busy ends in the failure screen after a few seconds, the PIN never sent', async () => {
    const s = setup();
    s.reader.busy = 1_000;
    s.flow.startLogin();
    await vi.waitFor(() => expect(s.step().name).toBe('failed'), { timeout: 10_000, interval: 100 });
    expect(s.reader.signs()).toEqual([]);
  }, 15_000);

  it('says what is missing when 決定 comes too early, and sends nothing', async () => {
    const s = setup();
    s.flow.startLogin();
    await flush();
    s.type('12');
    s.flow.submitPin();
    expect(pinStep(s.step()).notice).toBe('incomplete');
    expect(s.reader.signs()).toEqual([]);
  });

  it('after a wrong PIN shows the tries left and an empty pad, and a right PIN then logs in', async () => {
    const s = setup();
    await typedLogin(s, '9999');
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'wrong', status: { triesLeft: 2 }, value: { chars: '' } });
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(s.onLoggedIn).toHaveBeenCalled();
  });

  it('with one try left asks before sending; いいえ keeps the PIN as typed', async () => {
    const s = setup();
    s.reader.tries.auth = 1;
    s.flow.startLogin();
    await flush();
    s.type('1234');
    s.flow.submitPin();
    expect(pinStep(s.step())).toMatchObject({ confirming: true });
    s.flow.confirmLastTry(false);
    expect(pinStep(s.step())).toMatchObject({ confirming: false, value: { chars: '1234' } });
    expect(s.reader.signs()).toEqual([]);
    s.flow.submitPin();
    s.flow.confirmLastTry(true);
    await flush();
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login']);
    expect(s.onLoggedIn).toHaveBeenCalled();
  });

  it('a blocked PIN shows where to unlock it and accepts no input', async () => {
    const s = setup();
    s.reader.tries.auth = 0;
    s.flow.startLogin();
    await flush();
    expect(s.step()).toEqual({ name: 'blocked', key: 'auth', error: null });
    s.type('1234');
    s.flow.submitPin();
    expect(s.reader.signs()).toEqual([]);
  });

  it('the third wrong PIN ends on the blocked screen with the catalogue text', async () => {
    const s = setup();
    s.reader.tries.auth = 1;
    s.flow.startLogin();
    await flush();
    s.type('0000');
    s.flow.submitPin();
    s.flow.confirmLastTry(true);
    await flush();
    expect(s.step()).toMatchObject({ name: 'blocked', key: 'auth', error: { code: 'CARD_PIN_BLOCKED' } });
  });

  it('a card removed while it checks the PIN says so; the PIN is forgotten, and the same card put back shows the empty pad with its tries', async () => {
    const s = setup();
    await cardTakenWhileSigning(s, 'holdOnCard');
    s.reader.emit('card.inserted');
    await flush();
    // The PIN may have been counted: it is not sent again unseen; the card's own tries are shown.
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'cardRemoved', status: { triesLeft: 3, blocked: false }, value: { chars: '' } });
    expect(s.reader.calls.at(-1)).toMatchObject({ cmd: 'pin.status', params: { key: 'auth' } });
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login']);
    expect(s.onLoggedIn).not.toHaveBeenCalled();
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(s.onLoggedIn).toHaveBeenCalledTimes(1);
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login', 'auth:1234:DI-login']);
  });

  /** Login to 決定 on a wrong PIN; the card is taken away as it counts the try (CARD_REMOVED). */
  const wrongPinCardTaken = (s: ReturnType<typeof setup>) => typedLogin(s, '9999', () => { s.reader.removeDuringNextSign = true; });

  it('a wrong PIN answered with CARD_REMOVED (the card taken away as it counted the try) is not sent again: the card put back shows its tries, one spent', async () => {
    const s = setup();
    await wrongPinCardTaken(s);
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'removed' });
    s.reader.emit('card.removed'); // the event comes after the answer: nothing changes
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'removed' });
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'cardRemoved', status: { triesLeft: 2, blocked: false }, value: { chars: '' } });
    expect(s.reader.signs()).toEqual(['auth:9999:DI-login']);
  });

  it('another card put back after one was taken away mid-PIN is checked like a new one: its own PIN, its own tries', async () => {
    const s = setup();
    await wrongPinCardTaken(s);
    s.reader.cert = 'CERT-HANAKO';
    s.reader.tries.auth = 3;
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'otherCard', status: { triesLeft: 3 }, value: { chars: '' } });
    expect(s.flow.state.cardName).toBe('山田　花子');
    expect(s.reader.signs()).toEqual(['auth:9999:DI-login']);
  });

  it('names the reader the card was found in, and ignores cards coming and going elsewhere', async () => {
    const s = setup();
    s.flow.startLogin();
    await flush();
    s.type('1234');
    let release!: () => void;
    s.reader.hold = new Promise((r) => (release = r));
    s.flow.submitPin();
    await flush();
    s.reader.emit('card.inserted', 'Other reader');
    s.reader.emit('card.removed', 'Other reader');
    expect(s.step()).toMatchObject({ name: 'working' });
    release();
    await flush();
    expect(s.onLoggedIn).toHaveBeenCalled();
    expect(s.reader.calls.every((c) => c.params.reader === 'Demo card bay')).toBe(true);
  });

  it('a PIN sent with no card waits for the card and then goes on without retyping', async () => {
    const s = setup();
    s.flow.startLogin();
    await flush();
    s.reader.emit('card.removed');
    expect(pinStep(s.step()).key).toBe('auth'); // typing is not interrupted
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'removed' });
    s.reader.emit('card.inserted');
    await flush();
    expect(s.onLoggedIn).toHaveBeenCalledTimes(1);
  });

  it('another card put back must have its own PIN typed', async () => {
    const s = setup();
    await typedLogin(s, '1234', () => { s.reader.present = false; });
    s.reader.cert = 'CERT-HANAKO';
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'otherCard', value: { chars: '' } });
    expect(s.onLoggedIn).not.toHaveBeenCalled();
  });

  /**
   * Login to 決定 with the right PIN; the card is taken away while the sign request is held: before
   * it reaches the card (`hold`: the driver finds none, CARD_ABSENT) or on it, checking the PIN
   * (`holdOnCard`: CARD_REMOVED). The screen says so at once, and still once the answer is in.
   */
  async function cardTakenWhileSigning(s: ReturnType<typeof setup>, where: 'hold' | 'holdOnCard') {
    let release!: () => void;
    await typedLogin(s, '1234', () => { s.reader[where] = new Promise((r) => (release = r)); });
    expect(s.step()).toMatchObject({ name: 'working', current: 1 });
    s.reader.emit('card.removed');
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'removed' });
    release();
    await flush();
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'removed' });
  }

  it('a PIN the driver found no card for (CARD_ABSENT, the card taken away as 決定 was pressed) reached no card: the same card put back sends it, no try spent', async () => {
    const s = setup();
    await cardTakenWhileSigning(s, 'hold');
    s.reader.emit('card.inserted');
    await flush();
    expect(s.onLoggedIn).toHaveBeenCalledWith(SESSION);
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login', 'auth:1234:DI-login']);
    expect(s.reader.tries.auth).toBe(3);
  });

  it('a PIN the driver found no card for is forgotten when another card is put back', async () => {
    const s = setup();
    await cardTakenWhileSigning(s, 'hold');
    s.reader.cert = 'CERT-HANAKO';
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'otherCard', status: { triesLeft: 3 }, value: { chars: '' } });
    expect(s.flow.state.cardName).toBe('山田　花子');
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login']);
    expect(s.onLoggedIn).not.toHaveBeenCalled();
  });

  it('the card put back before the answer to the PIN it was checking: the answer decides (CARD_REMOVED: the pad again, empty, with its tries)', async () => {
    const s = setup();
    let release!: () => void;
    await typedLogin(s, '1234', () => { s.reader.holdOnCard = new Promise((r) => (release = r)); });
    s.reader.emit('card.removed');
    s.reader.emit('card.inserted');
    await flush();
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'removed' });
    expect(s.reader.calls.at(-1)?.cmd).toBe('sign'); // nothing asked of the card before the answer
    release();
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'cardRemoved', status: { triesLeft: 3 }, value: { chars: '' } });
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login']);
  });

  it('the member picked is not the one whose card is in the reader: said before any PIN, then the swapped card goes on with its own tries', async () => {
    const s = setup();
    s.reader.tries.auth = 2; // 花子's card, put in below, has one wrong try on it
    s.flow.startLogin({ personId: 'p2', name: '山田　花子' });
    await flush();
    expect(s.step()).toEqual({ name: 'wrongCard', cardName: '山田　太郎', expectedName: '山田　花子' });
    expect(s.reader.calls.map((c) => c.cmd)).toEqual(['cert.read']);
    s.reader.emit('card.removed');
    s.reader.cert = 'CERT-HANAKO';
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', status: { triesLeft: 2 }, notice: null });
    expect(s.flow.state.cardName).toBe('山田　花子');
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(s.platform.createSession).toHaveBeenCalledWith(expect.objectContaining({ certificate: 'CERT-HANAKO-auth' }));
  });

  it('a card swapped while the PIN is typed is checked before anything is sent', async () => {
    const s = setup();
    s.flow.startLogin({ personId: 'p1', name: '山田　太郎' });
    await flush();
    s.type('12');
    s.reader.emit('card.removed');
    expect(pinStep(s.step()).status).toBeNull(); // no card, no tries to show
    s.reader.cert = 'CERT-HANAKO';
    s.reader.emit('card.inserted');
    await flush();
    expect(s.step()).toEqual({ name: 'wrongCard', cardName: '山田　花子', expectedName: '山田　太郎' });
    expect(s.reader.signs()).toEqual([]);
    // 花子 logs in with the card that is there after all.
    s.flow.useCardInReader();
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', status: { triesLeft: 3 } });
    expect(s.flow.state.expectedName).toBe('山田　花子');
  });

  it('an unregistered card is said at the card check, before any PIN', async () => {
    const s = setup();
    s.platform.people.delete('CERT-TARO');
    s.flow.startLogin();
    await flush();
    expect(s.step()).toEqual({ name: 'notRegistered' });
    expect(s.reader.calls.map((c) => c.cmd)).toEqual(['cert.read']);
  });

  it('OK on a pad key with 4 digits typed is 決定', async () => {
    const s = setup();
    s.flow.startLogin();
    await flush();
    for (const c of '12345') s.flow.pressKey(c);
    await flush();
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login']);
    expect(s.onLoggedIn).toHaveBeenCalled();
  });

  it('the driver gone: waits, gives advice after a while, and carries on by itself when it is back', async () => {
    const s = setup();
    await typedLogin(s, '1234', () => { s.reader.link('reconnecting'); });
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'noDriver' });
    const advice = s.timers.at(-1)!;
    expect(advice.ms).toBe(DRIVER_ADVICE_AFTER_MS);
    advice.fn();
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'noDriverLong' });
    s.reader.link('open');
    await flush();
    // The first sign never reached the driver (no link); the PIN typed is used again, not retyped.
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login', 'auth:1234:DI-login']);
    expect(s.onLoggedIn).toHaveBeenCalled();
  });

  for (const lost of ['drop', 'resumed'] as const) {
    it(`a wrong PIN lost with the link before its answer (${lost === 'drop' ? 'link gone' : 'back at once, the driver no longer holding it'}) is not sent again: the card's tries are asked and the pad shown again`, async () => {
      const s = setup();
      s.flow.startLogin();
      await flush();
      s.type('9999');
      s.reader.loseNextSign = lost;
      s.flow.submitPin();
      await flush();
      if (lost === 'drop') {
        expect(s.step()).toEqual({ name: 'waitCard', reason: 'noDriver' });
        s.reader.link('open');
        await flush();
      }
      expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'linkLost', status: { triesLeft: 2, blocked: false }, value: { chars: '' } });
      expect(s.reader.signs()).toEqual(['auth:9999:DI-login']);
      // The tries shown are the card's own, asked after the link came back.
      expect(s.reader.calls.at(-1)).toMatchObject({ cmd: 'pin.status', params: { key: 'auth' } });
      s.type('1234');
      s.flow.submitPin();
      await flush();
      expect(s.reader.signs()).toEqual(['auth:9999:DI-login', 'auth:1234:DI-login']);
      expect(s.onLoggedIn).toHaveBeenCalled();
    });
  }

  it('a request carrying no PIN lost in a short drop (READER_REQUEST_LOST) is asked again by itself', async () => {
    const s = setup();
    const send = s.reader.send.bind(s.reader);
    let lose = true;
    s.reader.send = (cmd, params) => {
      if (cmd !== 'cert.read' || !lose) return send(cmd, params);
      lose = false;
      s.reader.calls.push({ cmd, params });
      return { id: 'lost', result: Promise.reject(fail('READER_REQUEST_LOST')) };
    };
    s.flow.startLogin();
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: null, status: { triesLeft: 3 } });
    expect(s.reader.calls.filter((c) => c.cmd === 'cert.read')).toHaveLength(2);
  });

  it('「やめますか？」 stays open while the working list ticks on, and closes on a new step', async () => {
    const s = setup();
    s.flow.startLogin();
    await flush();
    s.type('1234');
    let release = () => {};
    s.reader.hold = new Promise((r) => { release = r; });
    s.flow.submitPin();
    s.flow.back();
    expect(s.flow.state).toMatchObject({ leaving: true, step: { name: 'working' } });
    await flush();
    expect(s.flow.state).toMatchObject({ leaving: true, step: { name: 'working', current: 1 } });
    release();
    await flush();
    expect(s.onLoggedIn).toHaveBeenCalled();
  });

  it('a card that is not registered offers registration', async () => {
    const s = setup();
    s.platform.createSession.mockRejectedValueOnce(new PlatformError({ code: 'AUTH_NOT_REGISTERED', message: '', ja: 'このカードはまだ登録されていません。' }));
    await typedLogin(s, '1234');
    expect(s.step()).toEqual({ name: 'notRegistered' });
    s.flow.switchToRegistration();
    await flush();
    expect(s.flow.state.kind).toBe('register');
    expect(s.step()).toMatchObject({ name: 'district' });
  });

  it('a platform failure offers もう一度, which tries again with the PIN kept', async () => {
    const s = setup();
    s.platform.createSession.mockRejectedValueOnce(new PlatformError({ code: 'INTERNAL', message: '', ja: '' }, { network: true }));
    await typedLogin(s, '1234');
    expect(s.step()).toMatchObject({ name: 'failed', network: true, canRetry: true });
    s.flow.retry();
    await flush();
    expect(s.onLoggedIn).toHaveBeenCalled();
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login', 'auth:1234:DI-login']);
  });

  it('the nonce is asked for while the PIN is typed; one that failed or ran out is replaced', async () => {
    const s = setup();
    s.platform.createNonce.mockRejectedValueOnce(new PlatformError({ code: 'INTERNAL', message: '', ja: '' }, { network: true }));
    s.platform.createSession.mockRejectedValueOnce(new PlatformError({ code: 'AUTH_NONCE_EXPIRED', message: '', ja: '' }));
    s.flow.startLogin();
    await flush();
    expect(s.platform.createNonce).toHaveBeenCalledTimes(1);
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(s.platform.createNonce).toHaveBeenCalledTimes(3);
    expect(s.reader.signs()).toEqual(['auth:1234:DI-login', 'auth:1234:DI-login']);
    expect(s.onLoggedIn).toHaveBeenCalledWith(SESSION);
  });

  it('Back deletes a digit, then leaves the flow', async () => {
    const s = setup();
    s.flow.startLogin();
    await flush();
    s.type('12');
    expect(s.flow.back()).toBe(true);
    expect(pinStep(s.step()).value.chars).toBe('1');
    s.flow.back();
    expect(s.onExit).not.toHaveBeenCalled();
    s.flow.back();
    expect(s.onExit).toHaveBeenCalledTimes(1);
  });

  it('やめる while the card works cancels the driver request', async () => {
    const s = setup();
    await typedLogin(s, '1234', () => { s.reader.hold = new Promise(() => {}); });
    // やめる asks first (a stray OK must not throw the login away); いいえ goes on, はい stops the card.
    s.flow.cancel();
    expect(s.flow.state.leaving).toBe(true);
    s.flow.confirmExit(false);
    expect(s.flow.state).toMatchObject({ leaving: false, step: { name: 'working' } });
    expect(s.reader.cancel).not.toHaveBeenCalled();
    s.flow.cancel();
    s.flow.confirmExit(true);
    expect(s.reader.cancel).toHaveBeenCalledWith(expect.stringMatching(/^r\d+$/));
    expect(s.onExit).toHaveBeenCalled();
  });
});

describe('CardFlow: registration', () => {
  /** Registration starts with 太郎's card, not registered yet. */
  const setup = () => {
    const s = setupWith();
    s.platform.people.delete('CERT-TARO');
    return s;
  };

  async function toSignPin(s: ReturnType<typeof setup>) {
    s.flow.startRegistration();
    expect(s.step()).toEqual({ name: 'loading', what: 'household' });
    await flush();
    // Focus starts on the household's own district; choosing another one is one arrow away.
    expect(s.step()).toEqual({ name: 'district', districts: HOUSEHOLD.districts, selected: 'inami' });
    s.flow.chooseDistrict('johana');
    expect(s.step()).toEqual({ name: 'consent', text: '同意文' });
    s.flow.acceptConsent();
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'sign', status: { triesLeft: 5 } });
  }

  /** `password` typed on the sign-password keyboard and 決定, then the flow settles. */
  async function typedSign(s: ReturnType<typeof setup>, password: string) {
    s.type(password);
    s.flow.submitPin();
    await flush();
  }

  it('district → consent → sign PIN → auth PIN → both signatures → 基本4情報 → confirmed', async () => {
    const s = setup();
    await toSignPin(s);
    await typedSign(s, 'yamada2024');
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', status: { triesLeft: 3 } });
    s.type('1234');
    s.flow.submitPin();
    expect(s.step()).toMatchObject({ name: 'working', tasks: ['draft', 'signSign', 'authSign', 'submit'] });
    await flush();
    expect(s.platform.createRegistrationDraft).toHaveBeenCalledWith('johana');
    expect(s.reader.signs()).toEqual(['sign:YAMADA2024:DI-sign-1', 'auth:1234:DI-auth-1']);
    expect(s.platform.submitRegistration).toHaveBeenCalledWith({
      draftId: 'd1', signCertificate: 'CERT-TARO-sign', signSignature: 'SIG(sign,DI-sign-1)',
      authCertificate: 'CERT-TARO-auth', authSignature: 'SIG(auth,DI-auth-1)',
    });
    expect(s.step()).toMatchObject({ name: 'confirm', result: { personalData: { name: '山田　太郎' } } });
    s.flow.answer(true);
    await flush();
    expect(s.platform.confirmRegistration).toHaveBeenCalledWith('reg-d1');
    expect(s.step()).toEqual({ name: 'registered', personName: '山田　太郎' });
  });

  it('a wrong sign PIN goes back to the keyboard only; the auth PIN and the draft are kept', async () => {
    const s = setup();
    await toSignPin(s);
    await typedSign(s, 'WRONG1');
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'sign', notice: 'wrong', status: { triesLeft: 4 } });
    await typedSign(s, 'YAMADA2024');
    expect(s.step()).toMatchObject({ name: 'confirm' });
    expect(s.platform.createRegistrationDraft).toHaveBeenCalledTimes(1);
    expect(s.reader.signs()).toEqual(['sign:WRONG1:DI-sign-1', 'sign:YAMADA2024:DI-sign-1', 'auth:1234:DI-auth-1']);
  });

  it('the auth signature lost with the link: only the auth PIN is asked again; the sign signature, the draft and the sign password are kept', async () => {
    const s = setup();
    await toSignPin(s);
    await typedSign(s, 'yamada2024');
    s.type('1234');
    s.reader.hold = null;
    // The sign key's signature passes; the auth key's is lost after it reached the card.
    const send = s.reader.send.bind(s.reader);
    s.reader.send = (cmd, params) => {
      if (cmd === 'sign' && params.key === 'auth' && s.reader.signs().length === 1) s.reader.loseNextSign = 'drop';
      return send(cmd, params);
    };
    s.flow.submitPin();
    await flush();
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'noDriver' });
    // What the wait screen names: the パスワード kept, the 暗証番号 asked again.
    expect(s.flow.secrets).toEqual({ kept: ['sign'], askedAgain: 'auth' });
    s.reader.link('open');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'linkLost', status: { triesLeft: 3 } });
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(s.step()).toMatchObject({ name: 'confirm' });
    expect(s.platform.createRegistrationDraft).toHaveBeenCalledTimes(1);
    expect(s.reader.signs()).toEqual(['sign:YAMADA2024:DI-sign-1', 'auth:1234:DI-auth-1', 'auth:1234:DI-auth-1']);
  });

  it('an expired draft is made again once, with the PINs kept', async () => {
    const s = setup();
    s.platform.submitRegistration.mockRejectedValueOnce(new PlatformError({ code: 'AUTH_REGISTRATION_EXPIRED', message: '', ja: '' }));
    await toSignPin(s);
    await typedSign(s, 'YAMADA2024');
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(s.platform.createRegistrationDraft).toHaveBeenCalledTimes(2);
    expect(s.step()).toMatchObject({ name: 'confirm', result: { registrationId: 'reg-d2' } });
  });

  it('いいえ、ちがいます withdraws the registration', async () => {
    const s = setup();
    await toSignPin(s);
    await typedSign(s, 'YAMADA2024');
    s.type('1234');
    s.flow.submitPin();
    await flush();
    s.flow.answer(false);
    await flush();
    expect(s.platform.cancelRegistration).toHaveBeenCalledWith('reg-d1');
    expect(s.step()).toEqual({ name: 'rejected' });
  });

  it('Back walks the steps backwards: auth PIN → sign PIN → consent → districts → leave', async () => {
    const s = setup();
    await toSignPin(s);
    await typedSign(s, 'YAMADA2024');
    expect(pinStep(s.step()).key).toBe('auth');
    // The sign password comes back as it was typed (44 presses are not thrown away).
    s.flow.back();
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'sign', value: { chars: 'YAMADA2024' } });
    for (let i = 0; i < 'YAMADA2024'.length; i++) s.flow.back();
    expect(pinStep(s.step())).toMatchObject({ key: 'sign', value: { chars: '' } });
    s.flow.back();
    expect(s.step().name).toBe('consent');
    s.flow.back();
    expect(s.step()).toMatchObject({ name: 'district', selected: 'johana' });
    s.flow.back();
    expect(s.onExit).toHaveBeenCalled();
  });

  it('a card already registered here is said at the card check: log in instead, or register again', async () => {
    const s = setupWith(); // 太郎 is registered
    s.flow.startRegistration();
    await flush();
    s.flow.chooseDistrict('johana');
    s.flow.acceptConsent();
    await flush();
    expect(s.step()).toEqual({ name: 'alreadyRegistered', personName: '山田　太郎' });
    s.flow.registerAgain();
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'sign', status: { triesLeft: 5 } });
    s.flow.back();
    s.flow.acceptConsent();
    await flush();
    expect(pinStep(s.step()).key).toBe('sign'); // asked once: the answer stands for this card

    const t = setupWith();
    t.flow.startRegistration();
    await flush();
    t.flow.chooseDistrict('johana');
    t.flow.acceptConsent();
    await flush();
    t.flow.loginInstead();
    await flush();
    expect(t.flow.state).toMatchObject({ kind: 'login', expectedName: '山田　太郎', step: { name: 'pin', key: 'auth' } });
    t.type('1234');
    t.flow.submitPin();
    await flush();
    expect(t.onLoggedIn).toHaveBeenCalled();
  });

  it('with no card at the card check, waits, and goes on by itself when a card is put in', async () => {
    const s = setup();
    s.reader.present = false;
    s.flow.startRegistration();
    await flush();
    s.flow.chooseDistrict('inami');
    s.flow.acceptConsent();
    await flush();
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'absent' });
    expect(s.flow.secrets).toEqual({ kept: [], askedAgain: null }); // nothing typed yet: the screen speaks of none
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step()).key).toBe('sign');
  });

  /** The sign password typed and sent, then the auth PIN typed (not sent yet). */
  async function toAuthPinTyped(s: ReturnType<typeof setup>, signPassword: string) {
    await toSignPin(s);
    await typedSign(s, signPassword);
    s.type('1234');
  }

  it('a card removed during the second signature keeps the draft, the first signature and the sign password; the auth PIN is asked again', async () => {
    const s = setup();
    await toAuthPinTyped(s, 'YAMADA2024');
    const origSend = s.reader.send.bind(s.reader);
    let release!: () => void;
    s.reader.send = (cmd, params) => {
      if (cmd === 'sign' && params.key === 'auth' && !release) s.reader.holdOnCard = new Promise((r) => (release = r));
      return origSend(cmd, params);
    };
    s.flow.submitPin();
    await flush();
    expect(s.step()).toMatchObject({ name: 'working', current: 2 });
    s.reader.emit('card.removed');
    release();
    await flush();
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'removed' });
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', notice: 'cardRemoved', status: { triesLeft: 3 }, value: { chars: '' } });
    expect(s.reader.signs()).toEqual(['sign:YAMADA2024:DI-sign-1', 'auth:1234:DI-auth-1']);
    s.type('1234');
    s.flow.submitPin();
    await flush();
    expect(s.step()).toMatchObject({ name: 'confirm' });
    expect(s.platform.createRegistrationDraft).toHaveBeenCalledTimes(1);
    expect(s.reader.signs()).toEqual(['sign:YAMADA2024:DI-sign-1', 'auth:1234:DI-auth-1', 'auth:1234:DI-auth-1']);
  });

  it('a card taken away while it checks the sign password: only the password is asked again (with its tries); the auth PIN is kept', async () => {
    const s = setup();
    await toAuthPinTyped(s, 'WRONG1');
    s.reader.removeDuringNextSign = true;
    s.flow.submitPin();
    await flush();
    expect(s.step()).toEqual({ name: 'waitCard', reason: 'removed' });
    expect(s.flow.secrets).toEqual({ kept: ['auth'], askedAgain: 'sign' }); // the wait screen says パスワード
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'sign', notice: 'cardRemoved', status: { triesLeft: 4 }, value: { chars: '' } });
    await typedSign(s, 'YAMADA2024');
    expect(s.step()).toMatchObject({ name: 'confirm' });
    expect(s.platform.createRegistrationDraft).toHaveBeenCalledTimes(1);
    expect(s.reader.signs()).toEqual(['sign:WRONG1:DI-sign-1', 'sign:YAMADA2024:DI-sign-1', 'auth:1234:DI-auth-1']);
  });
});

describe('CardFlow: cancelling my registration', () => {
  it('checks the card, asks the auth PIN, signs an unregister nonce and tells the app', async () => {
    const onUnregistered = vi.fn();
    const s = setupWith({ onUnregistered });
    s.flow.startUnregister({ personId: 'p1', name: '山田　太郎' });
    await flush();
    expect(s.flow.state.kind).toBe('unregister');
    expect(pinStep(s.step())).toMatchObject({ key: 'auth', status: { triesLeft: 3 } });
    s.type('1234');
    s.flow.submitPin();
    expect(s.step()).toMatchObject({ name: 'working', tasks: ['nonce', 'authSign', 'unregister'] });
    await flush();
    expect(s.platform.createNonce).toHaveBeenCalledWith('unregister');
    expect(s.platform.unregister).toHaveBeenCalledWith({ nonce: 'N', certificate: 'CERT-TARO-auth', signature: 'SIG(auth,DI-login)' });
    expect(s.platform.createSession).not.toHaveBeenCalled();
    expect(s.step()).toEqual({ name: 'unregistered' });
    expect(onUnregistered).toHaveBeenCalledTimes(1);
  });

  it("another member's card is said before any PIN, and cannot be used instead", async () => {
    const s = setup();
    s.reader.cert = 'CERT-HANAKO';
    s.flow.startUnregister({ personId: 'p1', name: '山田　太郎' });
    await flush();
    expect(s.step()).toEqual({ name: 'wrongCard', cardName: '山田　花子', expectedName: '山田　太郎' });
    s.flow.useCardInReader(); // only a login may switch person
    expect(s.step().name).toBe('wrongCard');
    // The right card put in: its PIN is asked.
    s.reader.emit('card.removed');
    s.reader.cert = 'CERT-TARO';
    s.reader.emit('card.inserted');
    await flush();
    expect(pinStep(s.step())).toMatchObject({ key: 'auth' });
    expect(s.reader.signs()).toEqual([]);
    expect(s.platform.unregister).not.toHaveBeenCalled();
  });
});
