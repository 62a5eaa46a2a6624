import type { EvacuationLevel } from './model.js';

/**
 * The text one household's TV shows for an alert (issue 13 §2): the members' names, the 2021
 * warning-level wording, the nearest shelter with its distance, and short reminders. Pure: the
 * TV overlay, the console preview and the tests all use this one function.
 */

export const LEVEL_WORDING: Record<string, { label: string; action: string; colour: string }> = {
  '3': { label: '警戒レベル3 高齢者等避難', action: '高齢の方、体の不自由な方と その支援者は 避難してください。', colour: '#ff2800' },
  '4': { label: '警戒レベル4 避難指示', action: '危険な場所から 全員 避難してください。', colour: '#aa00aa' },
  '5': { label: '警戒レベル5 緊急安全確保', action: '命の危険があります。ただちに 身の安全を 確保してください。', colour: '#0c000c' },
  lift: { label: '避難情報の解除', action: '避難情報は 解除されました。引き続き 気をつけてください。', colour: '#007a3d' },
};

export const REMINDERS = ['火の元を 確かめてください。', 'マイナンバーカードを 持って 避難してください。'] as const;

/** The same in English, for an alert's English `<info>` (several languages when the source has several). */
const LEVEL_WORDING_EN: Record<string, { label: string; action: string }> = {
  '3': { label: 'Alert Level 3: Evacuate if elderly or disabled', action: 'Older people, people with disabilities and those who help them: evacuate now.' },
  '4': { label: 'Alert Level 4: Evacuation order', action: 'Everyone: leave dangerous places and evacuate now.' },
  '5': { label: 'Alert Level 5: Emergency safety measures', action: 'Your life is in danger. Secure your safety immediately.' },
  lift: { label: 'Evacuation information lifted', action: 'The evacuation information has been lifted. Please stay careful.' },
};
const REMINDERS_EN = ['Check that fires and stoves are off.', 'Bring your My Number Card when you evacuate.'] as const;

export interface HouseholdMessageInput {
  /** Registered members' names (as on their cards); empty → `householdLabel` is used. */
  names: string[];
  householdLabel: string;
  level: EvacuationLevel | undefined;
  headline?: string;
  areaNames: string[];
  shelter?: { name: string; distanceM: number };
  /** The `<info>` block's language (RFC 3066): English for `en…`, Japanese otherwise. */
  language?: string;
}

export interface HouseholdMessage {
  title: string;
  colour: string;
  greeting: string;
  lines: string[];
  /** What read-aloud speaks (one string). */
  speech: string;
}

/** "約850m" below 1 km, "約1.2km" above. */
export function distanceText(m: number): string {
  return m < 1000 ? `約${Math.max(10, Math.round(m / 10) * 10)}m` : `約${(m / 1000).toFixed(1)}km`;
}

/** What differs between the households of one alert: who they are and where they go. */
export type HouseholdPart = Pick<HouseholdMessageInput, 'names' | 'householdLabel' | 'shelter'>;

/**
 * How a message addresses its household: the greeting as shown, and as the speech begins. Kept
 * apart from the rest so that the rest (the same for every household sent to the same shelter) is
 * built once per shelter, and a household adds only these two strings (`tv-frames.ts`).
 */
export interface Greeting {
  shown: string;
  spoken: string;
}

/**
 * The message of one alert `<info>` with the household left open: the wording, headline, areas and
 * reminders are settled once, so that personalising it for each of 20,000 households (issue 13 §5)
 * is a greeting, a shelter line and the speech. `greeting` and `withShelter` are the two halves of
 * the call: `template(h)` is `template.withShelter(h.shelter)(template.greeting(h))`.
 */
export interface MessageTemplate {
  (household: HouseholdPart): HouseholdMessage;
  /** Which greeting its messages open with: `greetingIn(greetingLanguage, household)`. */
  greetingLanguage: GreetingLanguage;
  greeting(household: Pick<HouseholdPart, 'names' | 'householdLabel'>): Greeting;
  /** How far the shelter is, as the message says it (約810m, about 810 m). */
  distanceWords(m: number): string;
  /**
   * The message for households sent to this shelter, saying its distance as `distance` (by default
   * its own, in words): `tv-frames.ts` passes a marker, so that one text serves every distance.
   */
  withShelter(shelter: HouseholdPart['shelter'], distance?: string): (greeting: Greeting) => HouseholdMessage;
}

export function messageTemplate(input: Omit<HouseholdMessageInput, keyof HouseholdPart>): MessageTemplate {
  const greetingLanguage: GreetingLanguage = /^en\b/i.test(input.language ?? '') ? 'en' : 'ja';
  const parts = greetingLanguage === 'en' ? englishParts(input) : japaneseParts(input);
  const greeting = (household: Pick<HouseholdPart, 'names' | 'householdLabel'>) => greetingIn(greetingLanguage, household);
  const template = (household: HouseholdPart) => parts.withShelter(household.shelter)(greeting(household));
  return Object.assign(template, parts, { greetingLanguage, greeting });
}

/** The two ways a message greets its household: English for an `en…` `<info>`, Japanese otherwise. */
export type GreetingLanguage = 'ja' | 'en';
export const GREETING_LANGUAGES: readonly GreetingLanguage[] = ['ja', 'en'];

/**
 * How a message greets a household, whatever the alert: by the members' names, or by the household's
 * label when nobody is named. The same for every alert, so a process can keep it per household
 * (tv-frames.ts `greetingBytes`) instead of making it again for each TV of each alert.
 */
export function greetingIn(language: GreetingLanguage, household: Pick<HouseholdPart, 'names' | 'householdLabel'>): Greeting {
  const names = cleanNames(household.names);
  if (language === 'en') {
    const shown = names.length ? `For ${names.join(', ')}` : `For everyone at ${household.householdLabel}`;
    return { shown, spoken: `${englishSentence(shown)}. ` };
  }
  const shown = names.length ? `${names.map((n) => `${n}さん`).join('、')}へ` : `${household.householdLabel}の皆さまへ`;
  return { shown, spoken: japaneseSpoken(`${shown}。`) };
}

const cleanNames = (names: string[]) => names.map((n) => n.replace(/[\s　]+/g, ' ').trim()).filter(Boolean);
/** Japanese read aloud as one text: sentences joined by 。, never two in a row. */
const japaneseSpoken = (text: string) => text.replace(/。。/g, '。');
/** English read aloud as sentences joined by ". ", each without its own closing mark. */
const englishSentence = (line: string) => line.replace(/[.:]$/, '');

type TemplateParts = Pick<MessageTemplate, 'distanceWords' | 'withShelter'>;

function japaneseParts(input: Omit<HouseholdMessageInput, keyof HouseholdPart>): TemplateParts {
  const wording = LEVEL_WORDING[String(input.level ?? '4')]!;
  const before: string[] = [];
  if (input.headline) before.push(input.headline);
  if (input.areaNames.length) before.push(`対象地域: ${input.areaNames.join('、')}`);
  before.push(wording.action);
  const goes = input.level !== 'lift';
  const after: readonly string[] = goes ? REMINDERS : [];
  const spoken = japaneseSpoken;
  return {
    distanceWords: distanceText,
    withShelter(shelter, distance = shelter && distanceText(shelter.distanceM)) {
      const lines = goes && shelter
        ? [...before, `最寄りの避難所: ${shelter.name}（${distance}）`, ...after]
        : [...before, ...after];
      const rest = spoken([wording.label, ...lines].join('。'));
      return (greeting) => ({ title: wording.label, colour: wording.colour, greeting: greeting.shown, lines, speech: `${greeting.spoken}${rest}` });
    },
  };
}

export function householdMessage(input: HouseholdMessageInput): HouseholdMessage {
  return messageTemplate(input)(input);
}

function englishParts(input: Omit<HouseholdMessageInput, keyof HouseholdPart>): TemplateParts {
  const key = String(input.level ?? '4');
  const wording = LEVEL_WORDING_EN[key]!;
  const sentence = englishSentence;
  const distanceWords = (m: number) => (m < 1000 ? `about ${Math.max(10, Math.round(m / 10) * 10)} m` : `about ${(m / 1000).toFixed(1)} km`);
  return {
    distanceWords,
    withShelter(shelter, distance = shelter && distanceWords(shelter.distanceM)) {
      const lines: string[] = [];
      if (input.headline) lines.push(input.headline);
      if (input.areaNames.length) lines.push(`Area: ${input.areaNames.join(', ')}`);
      lines.push(wording.action);
      if (input.level !== 'lift') {
        if (shelter) lines.push(`Nearest shelter: ${shelter.name} (${distance})`);
        lines.push(...REMINDERS_EN);
      }
      const rest = [wording.label, ...lines].map(sentence).join('. ');
      return (greeting) => ({ title: wording.label, colour: LEVEL_WORDING[key]!.colour, greeting: greeting.shown, lines, speech: `${greeting.spoken}${rest}` });
    },
  };
}
