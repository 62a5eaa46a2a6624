import { expect, test, type Locator, type Page, type WebSocketRoute } from '@playwright/test';
import type { DemoPerson } from '../../platform/src/demo/world.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { alertsInForce, cancelAlerts, publishAlert, type Published } from './alerts.js';
import { connectDriver, tvUrl } from './product.js';
import { focusedKeys, press } from './remote.js';
import { focusLandsOn, insertCard, register } from './tv-session.js';

// Walking the TV's evacuation-alert overlay with the remote, as a resident would: the channel
// passed through the test (to see what each side says), the overlay, and waits that follow the
// page's clock (the overlay holds its choices a moment after anything comes onto it unbidden).

/**
 * A TV alert spec's hooks: before it, the reader driver connected (as `client`) and `who` registered
 * on their household's TV; after it, every alert it published cancelled (so no later spec meets one),
 * the demo card removed. `publish` publishes an alert and keeps it for that Cancel.
 */
export function tvAlertSpec(client: string, who: DemoPerson) {
  let driver: DriverClient | undefined;
  const published: Published[] = [];
  test.beforeAll(async () => {
    driver = await connectDriver();
    await driver.request('hello', { client });
    await register(driver, who);
  });
  test.afterAll(async () => {
    await cancelAlerts(published);
    await driver?.request('demo.remove', {});
    await driver?.close();
  });
  const publish = async (input: Parameters<typeof publishAlert>[0] = {}): Promise<Published> => {
    const p = await publishAlert(input);
    published.push(p);
    return p;
  };
  return {
    publish,
    /** `publish`, then wait until the TV's overlay shows it. */
    publishShown: async (page: Page, input: Parameters<typeof publishAlert>[0] = {}): Promise<Published> => {
      const p = await publish(input);
      await expect(overlay(page)).toHaveAttribute('data-alert', p.id, { timeout: 15_000 });
      return p;
    },
    /** The reader driver (connected before the spec's first test). */
    driver: (): DriverClient => driver!,
  };
}

/** The overlay's alert view (`data-alert` is the alert's id, or `none`). */
export const overlay = (page: Page): Locator => page.locator('stb-tv-alert-overlay [data-alert]');

/**
 * The alert channel passes through the test: it records what each side says and can cut the link
 * (and refuse new ones) as a network outage would — both ends, or only the platform's (`cutServers`:
 * the TV does not notice, and what it sends then goes nowhere).
 */
export async function alertLink(page: Page) {
  const link = {
    offline: false, fromServer: [] as Record<string, unknown>[], fromPage: [] as Record<string, unknown>[],
    sockets: [] as WebSocketRoute[], cutServers: [] as (() => void)[],
  };
  await page.routeWebSocket(/\/api\/v1\/tv\/alerts\/ws$/, (ws) => {
    if (link.offline) return void ws.close();
    const server = ws.connectToServer();
    let serverGone = false;
    link.sockets.push(ws);
    link.cutServers.push(() => {
      serverGone = true;
      server.close();
    });
    server.onMessage((m) => {
      link.fromServer.push(JSON.parse(String(m)) as Record<string, unknown>);
      ws.send(m);
    });
    // Closing the platform's end on purpose leaves the TV's open; any other close goes through.
    server.onClose((code, reason) => {
      if (!serverGone) void ws.close({ code, reason });
    });
    ws.onMessage((m) => {
      link.fromPage.push(JSON.parse(String(m)) as Record<string, unknown>);
      if (!serverGone) server.send(m);
    });
  });
  return link;
}
export type AlertLink = Awaited<ReturnType<typeof alertLink>>;

/**
 * Lets `ms` of the page's (installed) clock pass 2.5 s at a time, with real time between the steps.
 * The page's timers and its real sockets then keep step: a reader-driver answer arrives before the
 * reader client's silence check (1.5 s, then its ping 1.5 s more) could take the driver for gone,
 * which one `runFor(31_000)` made it do while the alert channel was asking for its credential.
 */
export async function clockSteps(page: Page, ms: number) {
  for (let passed = 0; passed < ms; passed += 2_500) {
    await page.clock.runFor(Math.min(2_500, ms - passed));
    await page.waitForTimeout(50);
  }
}

/**
 * `who`'s card in the reader and the first two digits of their PIN typed with the remote, as a
 * resident would be when an alert comes: the key focus was on after them, and the pad's length.
 */
export async function halfTypedPin(page: Page, driver: DriverClient, who: DemoPerson): Promise<{ typedOn: string; pinLength: Locator }> {
  await insertCard(driver, who);
  await expect(page.locator('stb-tv-start-screen [data-card-status]')).toHaveAttribute('data-card-status', 'card', { timeout: 15_000 });
  await press(page, '1');
  await focusLandsOn(page, 'pad/1');
  await press(page, who.authPin[0]!);
  await press(page, who.authPin[1]!);
  const typedOn = (await focusedKeys(page))[0]!;
  const pinLength = page.locator('stb-tv-flow-screen [data-pin-length]');
  await expect(pinLength).toHaveAttribute('data-pin-length', '2');
  return { typedOn, pinLength };
}

/** Waits until the overlay's choices take keys again (0.8 s on the page's clock after an alert came). */
export async function choicesTaken(page: Page) {
  await expect(overlay(page)).not.toHaveAttribute('data-choices-held', { timeout: 15_000 });
}

/**
 * Alerts left in force by other specs of the run (the console's, say) reach this TV too: once the
 * channel is up and they are in, they are acknowledged with OK, so each test starts from a quiet screen.
 */
export async function acknowledgeLeftovers(page: Page, link: AlertLink) {
  await expect.poll(() => link.fromServer.some((m) => m.type === 'ready'), { timeout: 15_000 }).toBe(true);
  const active = (link.fromServer.find((m) => m.type === 'ready')!.active as string[]);
  await expect.poll(async () => (await alertsInForce(page)).length, { timeout: 15_000 }).toBe(active.length);
  while (await overlay(page).count()) {
    await choicesTaken(page);
    await page.keyboard.press('Enter');
  }
  // The screen beneath holds OK and digits for a moment after the overlay closes.
  await expect(page.locator('stb-tv-app')).not.toHaveAttribute('data-choices-held', { timeout: 15_000 });
}

/**
 * The TV at its start screen with no alert left over from elsewhere, its alert channel passing
 * through the test (the link returned): the page clock installed (unless `clock` is false), the TV's
 * settings as given (else the defaults), and with `sound` what it sounds and says recorded (see
 * `sound`). The clock and the init scripts come before the page is opened.
 */
export async function quietTv(
  page: Page, { clock = true, sound: recordingSound = false, settings = null }: { clock?: boolean; sound?: boolean; settings?: Record<string, unknown> | null } = {},
): Promise<AlertLink> {
  if (clock) await page.clock.install();
  await page.addInitScript((saved) => {
    if (saved) localStorage.setItem('stb-tv-settings', saved);
    else localStorage.removeItem('stb-tv-settings');
  }, settings ? JSON.stringify(settings) : null);
  if (recordingSound) await recordSound(page);
  const link = await alertLink(page);
  await page.goto(tvUrl());
  await acknowledgeLeftovers(page, link);
  await focusLandsOn(page, 'start/login');
  return link;
}

/**
 * Records what the page asks of Web Audio and the Web Speech API. Audio keeps its real path (the
 * recording wraps it); speech is replaced, since a headless browser has no Japanese voice and the
 * page then rightly stays silent.
 */
async function recordSound(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __sound: { chimes: number; oscillators: number; spoken: string[] } } & typeof globalThis;
    w.__sound = { chimes: 0, oscillators: 0, spoken: [] };
    const Real = window.AudioContext;
    class Recorded extends Real {
      constructor(...args: ConstructorParameters<typeof AudioContext>) {
        super(...args);
        w.__sound.chimes++;
      }
      override createOscillator() {
        w.__sound.oscillators++;
        return super.createOscillator();
      }
    }
    window.AudioContext = Recorded;
    class Utterance { text: string; voice: unknown = null; lang = ''; rate = 1; constructor(text: string) { this.text = text; } }
    (window as unknown as { SpeechSynthesisUtterance: unknown }).SpeechSynthesisUtterance = Utterance;
    Object.defineProperty(window, 'speechSynthesis', {
      configurable: true,
      value: {
        getVoices: () => [{ lang: 'ja-JP', name: 'recorded', default: true, localService: true, voiceURI: 'recorded' }],
        speak: (u: Utterance) => w.__sound.spoken.push(u.text),
        cancel: () => undefined,
      },
    });
  });
}
/** What the page has sounded and said so far (with `quietTv`'s `sound`). */
export const sound = (page: Page) => page.evaluate(() => (window as unknown as { __sound: { chimes: number; oscillators: number; spoken: string[] } }).__sound);

/** Whether the TV holds the alert as acknowledged (its alert client's list). */
export function acknowledgedOnTv(page: Page, alertId: string): Promise<boolean | null> {
  return page.evaluate((id) => {
    const app = document.querySelector('stb-tv-app') as unknown as { alerts: { alerts: { id: string; acknowledged: boolean }[] } };
    return app.alerts.alerts.find((a) => a.id === id)?.acknowledged ?? null;
  }, alertId);
}

/** The acknowledgements the page sent for an alert (with the answer, if any). */
export const acknowledgementsSent = (link: AlertLink, alertId: string) =>
  link.fromPage.filter((m) => m.type === 'receipt' && m.alertId === alertId && m.kind === 'acknowledged');

/**
 * The overlay's text, line by line (each block's content box in steps of its line height; a
 * `data-whole` label with its frame), against the window that shows the current part: each line's
 * block (its first characters) and whether the line is seen in full, in part (cut at the window's
 * top or bottom), or not at all.
 */
function textLines(page: Page): Promise<{ block: string; seen: 'full' | 'part' | 'none' }[]> {
  return page.evaluate(() => {
    const overlay = document.querySelector('stb-tv-app')!.shadowRoot!.querySelector('stb-tv-alert-overlay')!;
    const body = overlay.shadowRoot!.querySelector('.body')!;
    const frame = body.getBoundingClientRect();
    const shown = body.querySelector('.window')!.getBoundingClientRect();
    const top = Math.max(frame.top, shown.top);
    const bottom = Math.min(frame.bottom, shown.bottom);
    const seen = (from: number, to: number) =>
      to <= top + 0.5 || from >= bottom - 0.5 ? 'none' as const : from >= top - 0.5 && to <= bottom + 0.5 ? 'full' as const : 'part' as const;
    const lines: { block: string; seen: 'full' | 'part' | 'none' }[] = [];
    body.querySelectorAll('[data-block]').forEach((el) => {
      const block = (el.textContent ?? '').trim().slice(0, 24);
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const lineHeight = parseFloat(style.lineHeight);
      if (el.hasAttribute('data-whole') || !(lineHeight > 0)) return void lines.push({ block, seen: seen(box.top, box.bottom) });
      const contentTop = box.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
      const count = Math.max(1, Math.round((box.bottom - parseFloat(style.borderBottomWidth) - parseFloat(style.paddingBottom) - contentTop) / lineHeight));
      for (let k = 0; k < count; k++) lines.push({ block, seen: seen(contentTop + k * lineHeight, contentTop + (k + 1) * lineHeight) });
    });
    return lines;
  });
}

/** The overlay's lines shown only in part (cut at the top or bottom of the text's place): none, ever. */
export async function cutLines(page: Page): Promise<string[]> {
  return (await textLines(page)).filter((l) => l.seen === 'part').map((l) => l.block);
}

/** How many lines of the block that begins with `start` are seen in full. */
export async function linesSeen(page: Page, start: string): Promise<number> {
  return (await textLines(page)).filter((l) => l.seen === 'full' && start.startsWith(l.block)).length;
}
