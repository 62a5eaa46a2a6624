/**
 * The one canonical alert model (CAP 1.2's shape, DESIGN §5.6): every feed — CAP 1.2 documents,
 * L-Alert EvacuationOrder messages, the console's composer — is mapped onto this before anything
 * else looks at it. Dates are kept as the source wrote them (always with an offset) plus epoch ms.
 */

export const CAP_STATUS = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPE = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPE = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORY = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const;
export const CAP_RESPONSE_TYPE = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None'] as const;
export const CAP_URGENCY = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITY = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTY = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

export type AlertStatus = (typeof CAP_STATUS)[number];
export type AlertMsgType = (typeof CAP_MSG_TYPE)[number];

/** Japan's 2021 warning levels for evacuation information (災害対策基本法 改正), and lifting one. */
export type EvacuationLevel = 3 | 4 | 5 | 'lift';

export interface AlertInstant {
  /** As written in the source, e.g. `2026-11-30T10:00:00+09:00`. */
  text: string;
  epochMs: number;
}

/** A CAP message key: (sender, identifier, sent). References are lists of these. */
export interface AlertKey {
  sender: string;
  identifier: string;
  sent: string;
}

export interface NamedValue {
  valueName: string;
  value: string;
}

export interface AlertCircle {
  lat: number;
  lon: number;
  radiusKm: number;
}

export interface AlertArea {
  areaDesc: string;
  /** Each polygon is a closed ring of [lat, lon] points (first equals last, at least 4). */
  polygons: [number, number][][];
  circles: AlertCircle[];
  /** CAP geocodes; L-Alert's codes arrive as `jisX0402` and `ooAzaTyouTyouMokuCode`. */
  geocodes: NamedValue[];
  altitude?: number;
  ceiling?: number;
}

export interface AlertResource {
  resourceDesc: string;
  mimeType: string;
  size?: number;
  uri?: string;
  /** Base64 content embedded in the message; kept as given (never fetched from `uri`). */
  derefUri?: string;
  digest?: string;
}

export interface AlertInfo {
  language: string;
  category: string[];
  event: string;
  responseType: string[];
  urgency: string;
  severity: string;
  certainty: string;
  audience?: string;
  eventCodes: NamedValue[];
  effective?: AlertInstant;
  onset?: AlertInstant;
  expires?: AlertInstant;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  contact?: string;
  parameters: NamedValue[];
  resources: AlertResource[];
  areas: AlertArea[];
  /** The evacuation level this block announces, when it is one (L-Alert Sort, or a CAP parameter). */
  level?: EvacuationLevel;
}

export interface CanonicalAlert {
  format: 'cap-1.2' | 'l-alert';
  identifier: string;
  sender: string;
  sent: AlertInstant;
  status: AlertStatus;
  msgType: AlertMsgType;
  scope: string;
  source?: string;
  restriction?: string;
  addresses?: string;
  codes: string[];
  note?: string;
  references: AlertKey[];
  incidents?: string;
  infos: AlertInfo[];
  /** The XML-DSig `<Signature>` element as it arrived (kept for audit, not required, not verified here). */
  signature?: string;
  /** L-Alert only: documentID and documentRevision (de-duplication keeps the newest revision). */
  lAlert?: { documentId: string; revision: number; previousRevision?: number };
}
