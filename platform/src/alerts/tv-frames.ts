import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { TvAlertServerMessage } from './alerts-schemas.js';
import { distanceText, type Greeting, type HouseholdPart } from './personalise.js';
import { alertTemplates, type AlertTarget, type AlertTemplates } from './tv-views.js';

/**
 * The frames a publish sends, as JSON text, for a whole town at once (issue 13 §5). What two
 * households sent to the same shelter at the same distance as shown (約810m) receive differs only in
 * their greetings and the exact distance: the frame for one such shelter line is serialised once
 * with a marker where each of those goes, and a household's frame is that text with its own put in.
 * Building and serialising every household's payload as objects was about a third of a platform
 * process's CPU in the 20,000-TV bench.
 *
 * The frame is the `alert` message `tvAlertViews` + `JSON.stringify` would give, by construction:
 * both take the messages from the same template (personalise.ts), and the markers stand where the
 * template puts the greeting. tv-frames.test.ts checks the two agree.
 */

export interface FrameOptions {
  acknowledged: boolean;
  replaces: string[];
  extension: boolean;
}

export interface AlertFrames {
  alertId: string;
  expiresAt: number;
  /** The `alert` message for one targeted household, as the text to send. */
  frame(target: AlertTarget, options: FrameOptions): string;
}

/** Never in an alert's text: U+0000, which neither XML nor PostgreSQL text can carry, around a fresh nonce per process. */
const NONCE = randomBytes(6).toString('hex');
const marker = (slot: number | 'distance') => `\u0000${NONCE}:${slot}\u0000`;
const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);
/** A greeting's marker inside a JSON string, or the distance's marker standing for a number (with its quotes). */
const MARKERS = new RegExp(`\\\\u0000${NONCE}:(\\d+)\\\\u0000|"\\\\u0000${NONCE}:distance\\\\u0000"`, 'g');
/** The slot of the exact distance in metres. */
const DISTANCE = -1;

/** A frame's text cut where the greetings and the distance go: `pieces[0] + slot 0 + pieces[1] + …`. */
interface CutFrame {
  pieces: string[];
  /** For each gap between pieces: which greeting (2 × info + 0 shown / 1 spoken), or DISTANCE. */
  slots: number[];
}

/** The frames of one alert, or null when it is not stored or has no `<info>`. Its targets: `alertTargets`. */
export async function alertFrames(db: Db, alertId: string): Promise<AlertFrames | null> {
  const templates = (await alertTemplates(db, [alertId])).get(alertId);
  return templates && templates.infos.length ? framesOf(templates) : null;
}

function framesOf(templates: AlertTemplates): AlertFrames {
  const cut = new Map<string, CutFrame>();
  return {
    alertId: templates.head.id,
    expiresAt: Date.parse(templates.head.expiresAt),
    frame(target, options) {
      const { shelter } = target.household;
      const key = `${shelter ? `${shelter.name}\u0000${distanceText(shelter.distanceM)}` : ''}\u0001${options.acknowledged}\u0001${options.extension}\u0001${options.replaces.join(',')}`;
      let frame = cut.get(key);
      if (!frame) cut.set(key, (frame = cutFrame(templates, shelter, options)));
      const greetings = templates.infos.map(({ template }) => template.greeting(target.household));
      let text = frame.pieces[0]!;
      for (let i = 0; i < frame.slots.length; i++) {
        const slot = frame.slots[i]!;
        if (slot === DISTANCE) text += String(shelter!.distanceM) + frame.pieces[i + 1]!;
        else {
          const greeting = greetings[slot >> 1]!;
          text += jsonEscaped(slot & 1 ? greeting.spoken : greeting.shown) + frame.pieces[i + 1]!;
        }
      }
      return text;
    },
  };
}

function cutFrame(templates: AlertTemplates, shelter: HouseholdPart['shelter'], options: FrameOptions): CutFrame {
  const messages = templates.infos.map(({ language, template }, i) => {
    const markers: Greeting = { shown: marker(2 * i), spoken: marker(2 * i + 1) };
    // The text says the distance as shown (the same for the whole key); the number is each household's own.
    const exact = shelter ? { shelter: { name: shelter.name, distanceM: marker('distance') as unknown as number } } : {};
    return { language, ...template.withShelter(shelter)(markers), ...exact };
  });
  const message: TvAlertServerMessage = {
    type: 'alert',
    alert: { ...templates.head, messages, acknowledged: options.acknowledged },
    replaces: options.replaces,
    ...(options.extension ? { extension: true as const } : {}),
  };
  const text = JSON.stringify(message);
  const pieces: string[] = [];
  const slots: number[] = [];
  let from = 0;
  for (const m of text.matchAll(MARKERS)) {
    pieces.push(text.slice(from, m.index));
    slots.push(m[1] === undefined ? DISTANCE : Number(m[1]));
    from = m.index! + m[0].length;
  }
  pieces.push(text.slice(from));
  return { pieces, slots };
}
