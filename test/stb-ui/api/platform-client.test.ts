import { describe, expect, it, vi } from 'vitest';
import { PlatformClient, PlatformError } from '../../../stb-ui/src/api/platform-client.js';

const DEVICE = { id: '00000000-0000-4000-8000-000000000101', secret: 'demo-tv-yamada' };

/** A fetch that answers from a queue and records what was asked. */
function fakeFetch(...answers: { status: number; body?: unknown }[]) {
  const calls: { url: string; method: string; headers: Record<string, string>; body: unknown }[] = [];
  const fn = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, method: init.method ?? 'GET', headers: init.headers as Record<string, string>, body: init.body ? JSON.parse(init.body as string) : undefined });
    const a = answers.shift() ?? { status: 500 };
    return new Response(a.body === undefined ? null : JSON.stringify(a.body), { status: a.status });
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

describe('PlatformClient device credential from a source (the TV: the reader driver)', () => {
  it('asks the source once, on the first call that needs it, and never for /healthz', async () => {
    const f = fakeFetch({ status: 200, body: { status: 'ok' } }, { status: 200, body: {} }, { status: 200, body: {} });
    const source = vi.fn(async () => DEVICE);
    const client = new PlatformClient({ device: source, fetch: f.fetch });
    await client.health();
    expect(source).not.toHaveBeenCalled();
    await Promise.all([client.household(), client.household()]);
    expect(source).toHaveBeenCalledTimes(1);
    expect(f.calls[1]!.headers.authorization).toBe(`Device ${DEVICE.id}:${DEVICE.secret}`);
    expect(f.calls[2]!.headers.authorization).toBe(`Device ${DEVICE.id}:${DEVICE.secret}`);
  });

  it('fails the call with the source\'s catalogue error, sends nothing, and asks again next time', async () => {
    const f = fakeFetch({ status: 200, body: {} });
    const source = vi.fn()
      .mockRejectedValueOnce(Object.assign(new Error('down'), { error: { code: 'READER_UNAVAILABLE', message: 'not connected', ja: '' } }))
      .mockResolvedValueOnce(DEVICE);
    const client = new PlatformClient({ device: source, fetch: f.fetch });
    await expect(client.household()).rejects.toMatchObject({ code: 'READER_UNAVAILABLE' });
    expect(f.calls).toHaveLength(0);
    await client.household();
    expect(source).toHaveBeenCalledTimes(2);
    expect(f.calls[0]!.headers.authorization).toBe(`Device ${DEVICE.id}:${DEVICE.secret}`);
  });
});

describe('PlatformClient', () => {
  it('logs in with the device credential, keeps the token in memory, and sends it with X-Device', async () => {
    const session = { token: 'T1', expiresAt: 'x', person: { id: 'p', name: '山田　太郎' }, household: { id: 'h', label: 'l', members: [] } };
    const f = fakeFetch({ status: 201, body: { nonce: 'N', digestInfo: 'D', expiresAt: 'e' } }, { status: 201, body: session },
      { status: 200, body: { ...session, token: undefined } }, { status: 204 });
    const client = new PlatformClient({ device: DEVICE, fetch: f.fetch });
    await client.createNonce('login');
    expect(f.calls[0]).toMatchObject({ url: '/api/v1/nonces', method: 'POST', body: { purpose: 'login' } });
    expect(f.calls[0]!.headers.authorization).toBe(`Device ${DEVICE.id}:${DEVICE.secret}`);
    expect(await client.createSession({ nonce: 'N', certificate: 'C', signature: 'S' })).toEqual(session);
    expect(client.hasSession).toBe(true);
    await client.currentSession();
    expect(f.calls[2]!.headers).toMatchObject({ authorization: 'Bearer T1', 'x-device': `${DEVICE.id}:${DEVICE.secret}` });
    await client.logout();
    expect(f.calls[3]).toMatchObject({ url: '/api/v1/sessions/current', method: 'DELETE' });
    expect(client.hasSession).toBe(false);
  });

  it('throws the catalogue error from the body, and a network error as such', async () => {
    const f = fakeFetch({ status: 404, body: { error: { code: 'AUTH_NOT_REGISTERED', message: 'm', ja: 'このカードはまだ登録されていません。' } } });
    const client = new PlatformClient({ device: DEVICE, fetch: f.fetch });
    const err = await client.createSession({ nonce: 'N', certificate: 'C', signature: 'S' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).code).toBe('AUTH_NOT_REGISTERED');
    expect(client.hasSession).toBe(false);

    const down = new PlatformClient({ device: DEVICE, fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch });
    await expect(down.household()).rejects.toMatchObject({ network: true, error: { code: 'INTERNAL' } });
  });

  it('a request with no answer fails with CLIENT_TIMEOUT after its time limit (a hung platform is never a wait without end)', async () => {
    vi.useFakeTimers();
    try {
      let aborted = false;
      const hung = ((_url: string, init: RequestInit) => new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new DOMException('aborted', 'AbortError'));
        });
      })) as typeof fetch;
      const client = new PlatformClient({ device: DEVICE, fetch: hung, timeoutMs: 3_000 });
      const answer = client.createNonce().catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(2_999);
      expect(aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await answer).toMatchObject({ network: false, error: { code: 'CLIENT_TIMEOUT' } });
      expect(aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('calls the registration endpoints as API.md names them', async () => {
    const f = fakeFetch({ status: 201, body: {} }, { status: 201, body: {} }, { status: 201, body: {} }, { status: 204 }, { status: 200, body: {} });
    const client = new PlatformClient({ device: DEVICE, fetch: f.fetch });
    await client.createRegistrationDraft('johana');
    await client.submitRegistration({ draftId: 'd', signCertificate: 'a', signSignature: 'b', authCertificate: 'c', authSignature: 'd' });
    await client.confirmRegistration('r/1');
    await client.cancelRegistration('r1');
    await client.household();
    expect(f.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/registrations/drafts', 'POST /api/v1/registrations', 'POST /api/v1/registrations/r%2F1/confirm',
      'DELETE /api/v1/registrations/r1', 'GET /api/v1/tv/household',
    ]);
    expect(f.calls[0]!.body).toEqual({ district: 'johana' });
  });

  it('refuses session calls when nobody is logged in, without asking the platform', async () => {
    const f = fakeFetch();
    const client = new PlatformClient({ device: DEVICE, fetch: f.fetch });
    await expect(client.myServices()).rejects.toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    expect(f.calls).toHaveLength(0);
  });
});
