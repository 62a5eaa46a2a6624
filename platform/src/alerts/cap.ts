import type { Element } from '@xmldom/xmldom';
import { AppError } from '../shared/errors.js';
import {
  CAP_CATEGORY, CAP_CERTAINTY, CAP_MSG_TYPE, CAP_RESPONSE_TYPE, CAP_SCOPE, CAP_SEVERITY, CAP_STATUS, CAP_URGENCY,
  type AlertArea, type AlertInfo, type AlertResource, type CanonicalAlert, type EvacuationLevel, type NamedValue,
} from './model.js';
import { checkEnum, checkIdentifier, parseCircle, parseInstant, parsePolygon, parseReferences } from './values.js';
import { children, outerXml, textOf } from './xml.js';

/** CAP 1.2 (OASIS) documents onto the canonical model. */

export const CAP_12_NS = 'urn:oasis:names:tc:emergency:cap:1.2';
/** Older CAP versions: recognised only to refuse them by name, never parsed as 1.2. */
export const CAP_OLD_NS = ['urn:oasis:names:tc:emergency:cap:1.1', 'http://www.incident.com/cap/1.0'];
const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const NS = [CAP_12_NS];

/** The evacuation level a CAP info announces with `<parameter>`: valueName `evacuationLevel`, value 3/4/5/lift. */
export const LEVEL_PARAMETER = 'evacuationLevel';

function one(el: Element, name: string, required: true): string;
function one(el: Element, name: string, required?: false): string | undefined;
function one(el: Element, name: string, required = false): string | undefined {
  const found = children(el, name, NS);
  if (found.length > 1) throw new AppError('ALERT_VALUE_INVALID', { details: { field: name }, detail: 'element repeated' });
  const value = found[0] ? textOf(found[0]) : undefined;
  if (required && !value) throw new AppError('ALERT_MISSING_ELEMENT', { details: { field: name } });
  return value || undefined;
}

function many(el: Element, name: string): string[] {
  return children(el, name, NS).map(textOf);
}

function namedValues(el: Element, name: string): NamedValue[] {
  return children(el, name, NS).map((c) => ({ valueName: one(c, 'valueName', true), value: one(c, 'value') ?? '' }));
}

function area(el: Element): AlertArea {
  const altitude = one(el, 'altitude');
  const ceiling = one(el, 'ceiling');
  const out: AlertArea = {
    areaDesc: one(el, 'areaDesc', true),
    polygons: many(el, 'polygon').map(parsePolygon),
    circles: many(el, 'circle').map(parseCircle),
    geocodes: namedValues(el, 'geocode'),
  };
  if (altitude !== undefined) out.altitude = Number(altitude);
  if (ceiling !== undefined) {
    if (altitude === undefined || Number(ceiling) < Number(altitude)) throw new AppError('ALERT_VALUE_INVALID', { details: { field: 'ceiling' } });
    out.ceiling = Number(ceiling);
  }
  return out;
}

function resource(el: Element): AlertResource {
  const out: AlertResource = { resourceDesc: one(el, 'resourceDesc', true), mimeType: one(el, 'mimeType', true) };
  const size = one(el, 'size');
  if (size !== undefined) {
    if (!/^\d+$/.test(size)) throw new AppError('ALERT_VALUE_INVALID', { details: { field: 'size' } });
    out.size = Number(size);
  }
  const uri = one(el, 'uri');
  if (uri) out.uri = uri;
  const deref = one(el, 'derefUri');
  if (deref) {
    const compact = deref.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) throw new AppError('ALERT_VALUE_INVALID', { details: { field: 'derefUri' } });
    out.derefUri = compact;
  }
  const digest = one(el, 'digest');
  if (digest) out.digest = digest;
  return out;
}

export function levelFromParameters(parameters: NamedValue[]): EvacuationLevel | undefined {
  const p = parameters.find((x) => x.valueName === LEVEL_PARAMETER);
  if (!p) return undefined;
  if (p.value === 'lift') return 'lift';
  const n = Number(p.value);
  if (n === 3 || n === 4 || n === 5) return n;
  throw new AppError('ALERT_ENUM_INVALID', { details: { field: LEVEL_PARAMETER } });
}

function info(el: Element): AlertInfo {
  const category = many(el, 'category');
  if (!category.length) throw new AppError('ALERT_MISSING_ELEMENT', { details: { field: 'category' } });
  const out: AlertInfo = {
    language: one(el, 'language') ?? 'en-US',
    category: category.map((c) => checkEnum(c, CAP_CATEGORY, 'category')),
    event: one(el, 'event', true),
    responseType: many(el, 'responseType').map((r) => checkEnum(r, CAP_RESPONSE_TYPE, 'responseType')),
    urgency: checkEnum(one(el, 'urgency', true), CAP_URGENCY, 'urgency'),
    severity: checkEnum(one(el, 'severity', true), CAP_SEVERITY, 'severity'),
    certainty: checkEnum(one(el, 'certainty', true), CAP_CERTAINTY, 'certainty'),
    eventCodes: namedValues(el, 'eventCode'),
    parameters: namedValues(el, 'parameter'),
    resources: children(el, 'resource', NS).map(resource),
    areas: children(el, 'area', NS).map(area),
  };
  for (const field of ['effective', 'onset', 'expires'] as const) {
    const v = one(el, field);
    if (v !== undefined) out[field] = parseInstant(v, field);
  }
  for (const field of ['audience', 'senderName', 'headline', 'description', 'instruction', 'web', 'contact'] as const) {
    const v = one(el, field);
    if (v !== undefined) out[field] = v;
  }
  const level = levelFromParameters(out.parameters);
  if (level !== undefined) out.level = level;
  return out;
}

export function capFromElement(root: Element): CanonicalAlert {
  const msgType = checkEnum(one(root, 'msgType', true), CAP_MSG_TYPE, 'msgType');
  const scope = checkEnum(one(root, 'scope', true), CAP_SCOPE, 'scope');
  const alert: CanonicalAlert = {
    format: 'cap-1.2',
    identifier: checkIdentifier(one(root, 'identifier', true), 'identifier'),
    sender: checkIdentifier(one(root, 'sender', true), 'sender'),
    sent: parseInstant(one(root, 'sent', true), 'sent'),
    status: checkEnum(one(root, 'status', true), CAP_STATUS, 'status'),
    msgType,
    scope,
    codes: many(root, 'code'),
    references: [],
    infos: children(root, 'info', NS).map(info),
  };
  for (const field of ['source', 'restriction', 'addresses', 'note', 'incidents'] as const) {
    const v = one(root, field);
    if (v !== undefined) alert[field] = v;
  }
  if (scope === 'Restricted' && !alert.restriction) throw new AppError('ALERT_MISSING_ELEMENT', { details: { field: 'restriction' } });
  if (scope === 'Private' && !alert.addresses) throw new AppError('ALERT_MISSING_ELEMENT', { details: { field: 'addresses' } });
  const refs = one(root, 'references');
  if (msgType === 'Update' || msgType === 'Cancel' || msgType === 'Ack' || msgType === 'Error' || refs !== undefined) {
    alert.references = parseReferences(refs);
    if (alert.references.some((r) => r.sender === alert.sender && r.identifier === alert.identifier)) {
      throw new AppError('ALERT_REFERENCES_INVALID', { detail: 'an alert may not reference itself' });
    }
  }
  if (msgType !== 'Cancel' && msgType !== 'Ack' && msgType !== 'Error' && !alert.infos.length) {
    throw new AppError('ALERT_MISSING_ELEMENT', { details: { field: 'info' } });
  }
  const signature = children(root, 'Signature', [XMLDSIG_NS])[0];
  if (signature) alert.signature = outerXml(signature);
  return alert;
}
