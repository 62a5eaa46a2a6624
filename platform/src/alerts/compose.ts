import { LEVEL_PARAMETER } from './cap.js';
import type { AlertInfo, AlertInstant, AlertKey, AlertStatus, CanonicalAlert, EvacuationLevel } from './model.js';
import { LEVEL_WORDING } from './personalise.js';

/**
 * A console draft as a CAP 1.2 message on the canonical model (pure). The mapping is the same one
 * the feeds use (README "Mapping decisions"): the level as `<parameter>evacuationLevel`, each
 * district as an `<area>` with the municipality's `jisX0402` and the `district` code (so targeting
 * matches by code), and each shelter to open as a `<parameter>openShelter` with its name.
 */

/** Names a shelter the officer opens for this alert; the household's text points to the nearest of these. */
export const OPEN_SHELTER_PARAMETER = 'openShelter';

export interface ComposedContent {
  level: EvacuationLevel;
  event: string;
  headline: string;
  description: string;
  districts: { code: string; name: string }[];
  shelters: { name: string }[];
}

export interface ComposeInput {
  municipality: { code: string; name: string };
  identifier: string;
  sent: Date;
  status: Extract<AlertStatus, 'Actual' | 'Exercise' | 'Test'>;
  msgType: 'Alert' | 'Update' | 'Cancel';
  references: AlertKey[];
  /** Absent for a Cancel (CAP allows a Cancel without `<info>`). */
  content?: ComposedContent;
  expires: Date;
}

/** Our own messages' sender: one per municipality, no spaces or commas (CAP references are comma-separated). */
export function consoleSender(municipalityCode: string): string {
  return `console.${municipalityCode}@municipality.cable-auth`;
}

/** A CAP date-time in Japan time, whole seconds, with its offset (CAP forbids `Z`). */
export function capInstant(at: Date): AlertInstant {
  const seconds = Math.floor(at.getTime() / 1000) * 1000;
  const local = new Date(seconds + 9 * 3600_000).toISOString().slice(0, 19);
  return { text: `${local}+09:00`, epochMs: seconds };
}

const SEVERITY: Record<string, string> = { '3': 'Moderate', '4': 'Severe', '5': 'Extreme', lift: 'Minor' };
/** Level 5 (緊急安全確保) means "secure your safety where you are": moving may already be too late. */
const RESPONSE: Record<string, string> = { '3': 'Evacuate', '4': 'Evacuate', '5': 'Shelter', lift: 'AllClear' };

function info(input: ComposeInput, content: ComposedContent): AlertInfo {
  const level = String(content.level);
  const out: AlertInfo = {
    language: 'ja-JP',
    category: ['Safety'],
    event: content.event || LEVEL_WORDING[level]!.label,
    responseType: [RESPONSE[level]!],
    urgency: content.level === 'lift' ? 'Past' : 'Immediate',
    severity: SEVERITY[level]!,
    certainty: content.level === 'lift' ? 'Observed' : 'Likely',
    eventCodes: [],
    expires: capInstant(input.expires),
    senderName: input.municipality.name,
    headline: content.headline || `${input.municipality.name} ${LEVEL_WORDING[level]!.label}`,
    instruction: LEVEL_WORDING[level]!.action,
    parameters: [
      { valueName: LEVEL_PARAMETER, value: level },
      ...content.shelters.map((s) => ({ valueName: OPEN_SHELTER_PARAMETER, value: s.name })),
    ],
    resources: [],
    areas: content.districts.map((d) => ({
      areaDesc: d.name, polygons: [], circles: [],
      geocodes: [{ valueName: 'jisX0402', value: input.municipality.code }, { valueName: 'district', value: d.code }],
    })),
    level: content.level,
  };
  if (content.description) out.description = content.description;
  return out;
}

export function composeAlert(input: ComposeInput): CanonicalAlert {
  const alert: CanonicalAlert = {
    format: 'cap-1.2',
    identifier: input.identifier,
    sender: consoleSender(input.municipality.code),
    sent: capInstant(input.sent),
    status: input.status,
    msgType: input.msgType,
    scope: 'Public',
    codes: [],
    references: input.references,
    infos: input.content ? [info(input, input.content)] : [],
  };
  if (input.msgType === 'Cancel') alert.note = '発信の取り消し';
  return alert;
}

/** The shelters an alert opens, by name (none named: every shelter of the municipality may be used). */
export function openShelterNames(alert: Pick<CanonicalAlert, 'infos'>): string[] {
  return [...new Set(alert.infos.flatMap((i) => i.parameters.filter((p) => p.valueName === OPEN_SHELTER_PARAMETER).map((p) => p.value)))];
}
