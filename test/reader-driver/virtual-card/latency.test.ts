import { describe, expect, it } from 'vitest';
import { CONTACTLESS_LATENCY, CONTACT_LATENCY, commandDelayMs, resolveLatency } from '../../../reader-driver/src/virtual-card/latency.js';
import { AUTH_PIN, h, poweredCard } from '../helpers.js';

const SEL_AP = '00A4040C0AD392F000260100000001';

/** A card whose waits are recorded instead of slept. */
function recordingCard(latency: Parameters<typeof resolveLatency>[0]) {
  const waits: number[] = [];
  const card = poweredCard(undefined, { latency, sleep: async (ms) => void waits.push(ms) });
  return { card, waits };
}

describe('latency model', () => {
  it('is off by default', async () => {
    const waits: number[] = [];
    const card = poweredCard(undefined, { sleep: async (ms) => void waits.push(ms) });
    await card.process(h(SEL_AP));
    expect(waits).toEqual([]);
  });

  it('charges base time plus bytes on the wire for a SELECT (contact)', async () => {
    const { card, waits } = recordingCard('contact');
    await card.process(h(SEL_AP)); // 15 command bytes + 2 response bytes
    expect(waits).toEqual([Math.round(3 + 17 * 0.26)]);
  });

  it('charges a 256-byte READ BINARY mostly for the transfer', async () => {
    const { card, waits } = recordingCard('contact');
    await card.process(h(SEL_AP));
    await card.process(h('00A4020C02000A'));
    await card.process(h('00B0000000'));
    expect(waits[2]).toBe(Math.round(3 + (5 + 258) * 0.26));
  });

  it('charges two EEPROM writes for a correct VERIFY and one for a wrong one', async () => {
    const { card, waits } = recordingCard('contact');
    for (const c of [SEL_AP, '00A4020C020018', '002000800430303030', `0020008004${Buffer.from(AUTH_PIN).toString('hex')}`]) await card.process(h(c));
    expect(waits[2]).toBe(Math.round(3 + 11 * 0.26 + 5));
    expect(waits[3]).toBe(Math.round(3 + 11 * 0.26 + 10));
  });

  it('charges the RSA time for a signature (contactless is slower)', async () => {
    for (const [latency, model] of [['contact', CONTACT_LATENCY], ['contactless', CONTACTLESS_LATENCY]] as const) {
      const { card, waits } = recordingCard(latency);
      for (const c of [SEL_AP, '00A4020C020018', `0020008004${Buffer.from(AUTH_PIN).toString('hex')}`, '00A4020C020017']) await card.process(h(c));
      const response = await card.process(h(`802A008033${'00'.repeat(51)}00`));
      expect(response.length).toBe(258);
      expect(waits[4]).toBe(commandDelayMs(model, { commandBytes: 57, responseBytes: 258, writes: 0, signed: true }));
      expect(waits[4]).toBeGreaterThanOrEqual(model.signMs);
    }
  });

  it('accepts a custom model and resolves presets', () => {
    const custom = { commandMs: 1, byteMs: 0, writeMs: 0, signMs: 0 };
    expect(resolveLatency(custom)).toBe(custom);
    expect(resolveLatency('contact')).toBe(CONTACT_LATENCY);
    expect(resolveLatency('contactless')).toBe(CONTACTLESS_LATENCY);
    expect(resolveLatency(null)).toBeNull();
    expect(resolveLatency(undefined)).toBeNull();
  });

  it('puts a whole auth-certificate read near half a second on contact', () => {
    // 1 header read + 7 chunks ≈ 1586 bytes: a plausibility check of the figures, not a timing test.
    let total = 0;
    for (let at = 0; at < 1586; at += 256) total += commandDelayMs(CONTACT_LATENCY, { commandBytes: 5, responseBytes: Math.min(256, 1586 - at) + 2, writes: 0, signed: false });
    expect(total).toBeGreaterThan(300);
    expect(total).toBeLessThan(800);
  });
});
