/**
 * CAP 1.2 documents written for a test, timed around now (the fixtures' dates are fixed, so they
 * would expire): an evacuation order for one demo district of 南砺市 (162108), an Update or Cancel
 * of an earlier one, or a Test.
 */
export interface CapInput {
  identifier: string;
  msgType?: 'Alert' | 'Update' | 'Cancel';
  status?: 'Actual' | 'Test' | 'Exercise';
  /** Demo district code (johana: 山田さん宅, inami: 佐藤さん宅). */
  district?: string;
  level?: '3' | '4' | '5' | 'lift';
  headline?: string;
  /** Earlier messages (identifier + sent) of the same sender this one updates or cancels. */
  references?: { identifier: string; sent: string }[];
  sent?: Date;
  /** No district: the area is the whole municipality (every household of it). */
  wholeMunicipality?: boolean;
  /** Seconds from `sent` to `expires`. */
  ttlSeconds?: number;
}

export const CAP_SENDER = 'bousai@city.nanto.toyama.jp';

/** CAP's date-time: seconds, an explicit +09:00 offset (never Z). */
export function capTime(d: Date): string {
  const jst = new Date(d.getTime() + 9 * 3600_000);
  return `${jst.toISOString().slice(0, 19)}+09:00`;
}

export function capXml(input: CapInput): { xml: string; sent: string } {
  const sent = capTime(input.sent ?? new Date(Math.floor(Date.now() / 1000) * 1000));
  const expires = capTime(new Date((input.sent ?? new Date()).getTime() + (input.ttlSeconds ?? 6 * 3600) * 1000));
  const refs = input.references?.length ? `<references>${input.references.map((r) => `${CAP_SENDER},${r.identifier},${r.sent}`).join(' ')}</references>` : '';
  const info = input.msgType === 'Cancel' ? '' : `<info>
    <language>ja-JP</language><category>Geo</category><event>土砂災害</event><responseType>Evacuate</responseType>
    <urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty>
    <expires>${expires}</expires><senderName>南砺市</senderName>
    <headline>${input.headline ?? '城端地域に避難指示'}</headline>
    <parameter><valueName>evacuationLevel</valueName><value>${input.level ?? '4'}</value></parameter>
    <area><areaDesc>${input.wholeMunicipality ? '南砺市全域' : input.district === 'inami' ? '井波地域' : '城端地域'}</areaDesc>
      <geocode><valueName>jisX0402</valueName><value>162108</value></geocode>
      ${input.wholeMunicipality ? '' : `<geocode><valueName>district</valueName><value>${input.district ?? 'johana'}</value></geocode>`}</area>
  </info>`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${input.identifier}</identifier><sender>${CAP_SENDER}</sender><sent>${sent}</sent>
  <status>${input.status ?? 'Actual'}</status><msgType>${input.msgType ?? 'Alert'}</msgType><scope>Public</scope>${refs}
  ${info}
</alert>`;
  return { xml, sent };
}
