import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { TvAlertServerMessage } from './alerts-schemas.js';
import { GREETING_LANGUAGES, greetingIn, type Greeting, type GreetingLanguage, type HouseholdPart } from './personalise.js';
import { alertTemplates, type AlertTarget, type AlertTemplates } from './tv-views.js';

/**
 * The frames a publish sends, as JSON text, for a whole town at once (issue 13 §5). What two
 * households sent to the same shelter receive differs only in their greetings and their distance
 * (in words, 約810m, and in metres): the frame for one shelter is serialised once with a marker
 * where each of those goes, and a household's frame is that text with its own put in, written
 * straight into its UTF-8 bytes. Building and serialising every household's payload as objects was
 * about a third of a platform process's CPU in the 20,000-TV bench; one cut per distance as said
 * (329 in the bench's town) was still half of a publish's frame building.
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
  /**
   * The `alert` message for one targeted household, as the UTF-8 bytes of its JSON text (sent as a
   * text frame): the shared pieces are encoded once per alert, only the greetings per household —
   * or not even those, when the household's `greetings` are given, made beforehand.
   */
  frame(target: AlertTarget, options: FrameOptions, greetings?: GreetingBytes): Buffer;
}

/**
 * A household's greetings in each language, as they stand inside a frame (JSON-escaped UTF-8): the
 * same for every alert (personalise.ts `greetingIn`), so a process makes them when a household's TV
 * connects, not for each alert. In the 20,000-TV bench making them per frame was a quarter of the
 * time from an alert's NOTIFY to its last send.
 */
export type GreetingBytes = Record<GreetingLanguage, { shown: Buffer; spoken: Buffer }>;

export function greetingBytes(household: Pick<HouseholdPart, 'names' | 'householdLabel'>): GreetingBytes {
  const out = {} as GreetingBytes;
  for (const language of GREETING_LANGUAGES) {
    const { shown, spoken } = greetingIn(language, household);
    out[language] = { shown: Buffer.from(jsonEscaped(shown)), spoken: Buffer.from(jsonEscaped(spoken)) };
  }
  return out;
}

/** Never in an alert's text: U+0000, which neither XML nor PostgreSQL text can carry, around a fresh nonce per process. */
const NONCE = randomBytes(6).toString('hex');
const marker = (slot: string) => `\u0000${NONCE}:${slot}\u0000`;
const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);
/**
 * A marker inside a JSON string — `s<info>` the greeting shown, `p<info>` the greeting spoken,
 * `w<info>` the distance in words — or the distance's marker standing for a number (with its quotes).
 */
const MARKERS = new RegExp(`\\\\u0000${NONCE}:([spw])(\\d+)\\\\u0000|"\\\\u0000${NONCE}:distance\\\\u0000"`, 'g');

/** What goes in a gap: one `<info>`'s greeting as shown or spoken, or its distance in words; or the exact distance in metres. */
type Slot = { fill: 'shown' | 'spoken' | 'words'; info: number } | { fill: 'metres' };
const FILLS = { s: 'shown', p: 'spoken', w: 'words' } as const;

/** A frame's text cut where the greetings and the distance go: `pieces[0] + slot 0 + pieces[1] + …`. */
interface CutFrame {
  /** Each piece's UTF-8 bytes. */
  pieces: Buffer[];
  /** Their bytes together. */
  piecesLength: number;
  slots: Slot[];
}

/** The frames of one alert, or null when it is not stored or has no `<info>`. Its targets: `alertTargets`. */
export async function alertFrames(db: Db, alertId: string): Promise<AlertFrames | null> {
  const templates = (await alertTemplates(db, [alertId])).get(alertId);
  return templates && templates.infos.length ? framesOf(templates) : null;
}

function framesOf(templates: AlertTemplates): AlertFrames {
  const cut = new Map<string, CutFrame>();
  // The distance in words per <info> and distance: the same for every household said to be as far (約810m).
  const words = templates.infos.map(() => new Map<number, Buffer>());
  const wordsFor = (info: number, distanceM: number) => {
    let bytes = words[info]!.get(distanceM);
    if (!bytes) words[info]!.set(distanceM, (bytes = Buffer.from(jsonEscaped(templates.infos[info]!.template.distanceWords(distanceM)))));
    return bytes;
  };
  return {
    alertId: templates.head.id,
    expiresAt: Date.parse(templates.head.expiresAt),
    frame(target, options, greetings = greetingBytes(target.household)) {
      const { shelter } = target.household;
      // One cut per shelter (and options): the distance, in words and in metres, is each household's own.
      const key = `${shelter ? shelter.name : ''}\u0001${options.acknowledged}\u0001${options.extension}\u0001${options.replaces.join(',')}`;
      let frame = cut.get(key);
      if (!frame) cut.set(key, (frame = cutFrame(templates, shelter, options)));
      // What goes in the gaps, then the bytes: one buffer written in place, no text joined and
      // encoded again per send (a ~1,500-character two-byte string per TV, 10,000 TVs per process).
      const fills = frame.slots.map((slot): Buffer | string => {
        if (slot.fill === 'metres') return String(shelter!.distanceM);
        if (slot.fill === 'words') return wordsFor(slot.info, shelter!.distanceM);
        return greetings[templates.infos[slot.info]!.template.greetingLanguage][slot.fill];
      });
      let length = frame.piecesLength;
      // The metres are ASCII digits: as many bytes as characters.
      for (const fill of fills) length += fill.length;
      const bytes = Buffer.allocUnsafe(length);
      let at = frame.pieces[0]!.copy(bytes, 0);
      for (let i = 0; i < fills.length; i++) {
        const fill = fills[i]!;
        at += typeof fill === 'string' ? bytes.write(fill, at, 'latin1') : fill.copy(bytes, at);
        at += frame.pieces[i + 1]!.copy(bytes, at);
      }
      return bytes;
    },
  };
}

function cutFrame(templates: AlertTemplates, shelter: HouseholdPart['shelter'], options: FrameOptions): CutFrame {
  const messages = templates.infos.map(({ language, template }, i) => {
    const markers: Greeting = { shown: marker(`s${i}`), spoken: marker(`p${i}`) };
    // The text says the distance in words and the shelter carries it in metres: both each household's own.
    const exact = shelter ? { shelter: { name: shelter.name, distanceM: marker('distance') as unknown as number } } : {};
    return { language, ...template.withShelter(shelter, marker(`w${i}`))(markers), ...exact };
  });
  const message: TvAlertServerMessage = {
    type: 'alert',
    alert: { ...templates.head, messages, acknowledged: options.acknowledged },
    replaces: options.replaces,
    ...(options.extension ? { extension: true as const } : {}),
  };
  const text = JSON.stringify(message);
  const pieces: Buffer[] = [];
  const slots: Slot[] = [];
  let from = 0;
  for (const m of text.matchAll(MARKERS)) {
    pieces.push(Buffer.from(text.slice(from, m.index)));
    slots.push(m[1] === undefined ? { fill: 'metres' } : { fill: FILLS[m[1] as keyof typeof FILLS], info: Number(m[2]) });
    from = m.index! + m[0].length;
  }
  pieces.push(Buffer.from(text.slice(from)));
  return { pieces, piecesLength: pieces.reduce((n, p) => n + p.length, 0), slots };
}
