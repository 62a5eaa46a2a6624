import { DOMImplementation, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { CAP_12_NS } from './cap.js';
import type { AlertArea, AlertInfo, AlertResource, CanonicalAlert, NamedValue } from './model.js';

/**
 * The canonical model back out as CAP 1.2 XML and as an Atom feed (issue 13 §3: the municipality's
 * own alerts for broadcasters and other systems). Built as a DOM and written by @xmldom/xmldom's
 * serializer, which escapes `<`, `&` and `>` in every text node, so no officer's text can break
 * out of its element. Characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE/FFFF) are
 * dropped, and CR becomes LF (an XML reader would turn it into LF anyway). Element order follows
 * the CAP 1.2 schema; our own parser (cap.ts) reads the result back to the same canonical alert.
 */

export const ATOM_NS = 'http://www.w3.org/2005/Atom';

/** Text an XML 1.0 document can hold: C0 controls other than tab and LF removed, CR as LF. */
export function xmlSafe(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

class Writer {
  constructor(readonly doc: Document, readonly ns: string) {}

  add(parent: Element, name: string, text?: string): Element {
    const el = this.doc.createElementNS(this.ns, name);
    if (text !== undefined) el.appendChild(this.doc.createTextNode(xmlSafe(text)));
    parent.appendChild(el);
    return el;
  }

  optional(parent: Element, name: string, text: string | undefined): void {
    if (text !== undefined && text !== '') this.add(parent, name, text);
  }

  named(parent: Element, name: string, values: NamedValue[]): void {
    for (const v of values) {
      const el = this.add(parent, name);
      this.add(el, 'valueName', v.valueName);
      this.add(el, 'value', v.value);
    }
  }
}

function writeResource(w: Writer, parent: Element, r: AlertResource): void {
  const el = w.add(parent, 'resource');
  w.add(el, 'resourceDesc', r.resourceDesc);
  w.add(el, 'mimeType', r.mimeType);
  if (r.size !== undefined) w.add(el, 'size', String(r.size));
  w.optional(el, 'uri', r.uri);
  w.optional(el, 'derefUri', r.derefUri);
  w.optional(el, 'digest', r.digest);
}

function writeArea(w: Writer, parent: Element, a: AlertArea): void {
  const el = w.add(parent, 'area');
  w.add(el, 'areaDesc', a.areaDesc);
  for (const ring of a.polygons) w.add(el, 'polygon', ring.map(([lat, lon]) => `${lat},${lon}`).join(' '));
  for (const c of a.circles) w.add(el, 'circle', `${c.lat},${c.lon} ${c.radiusKm}`);
  w.named(el, 'geocode', a.geocodes);
  if (a.altitude !== undefined) w.add(el, 'altitude', String(a.altitude));
  if (a.ceiling !== undefined) w.add(el, 'ceiling', String(a.ceiling));
}

function writeInfo(w: Writer, parent: Element, i: AlertInfo): void {
  const el = w.add(parent, 'info');
  w.add(el, 'language', i.language);
  for (const c of i.category) w.add(el, 'category', c);
  w.add(el, 'event', i.event);
  for (const r of i.responseType) w.add(el, 'responseType', r);
  w.add(el, 'urgency', i.urgency);
  w.add(el, 'severity', i.severity);
  w.add(el, 'certainty', i.certainty);
  w.optional(el, 'audience', i.audience);
  w.named(el, 'eventCode', i.eventCodes);
  w.optional(el, 'effective', i.effective?.text);
  w.optional(el, 'onset', i.onset?.text);
  w.optional(el, 'expires', i.expires?.text);
  for (const field of ['senderName', 'headline', 'description', 'instruction', 'web', 'contact'] as const) w.optional(el, field, i[field]);
  w.named(el, 'parameter', i.parameters);
  for (const r of i.resources) writeResource(w, el, r);
  for (const a of i.areas) writeArea(w, el, a);
}

const serialise = (doc: Document) => `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(doc)}\n`;

/** One CAP 1.2 document (UTF-8). A received XML-DSig signature is not carried: it signed another document. */
export function capXml(alert: CanonicalAlert): string {
  const doc = new DOMImplementation().createDocument(CAP_12_NS, 'alert', null);
  const w = new Writer(doc, CAP_12_NS);
  const root = doc.documentElement!;
  w.add(root, 'identifier', alert.identifier);
  w.add(root, 'sender', alert.sender);
  w.add(root, 'sent', alert.sent.text);
  w.add(root, 'status', alert.status);
  w.add(root, 'msgType', alert.msgType);
  w.optional(root, 'source', alert.source);
  w.add(root, 'scope', alert.scope);
  w.optional(root, 'restriction', alert.restriction);
  w.optional(root, 'addresses', alert.addresses);
  for (const c of alert.codes) w.add(root, 'code', c);
  w.optional(root, 'note', alert.note);
  if (alert.references.length) w.add(root, 'references', alert.references.map((r) => `${r.sender},${r.identifier},${r.sent}`).join(' '));
  w.optional(root, 'incidents', alert.incidents);
  for (const i of alert.infos) writeInfo(w, root, i);
  return serialise(doc);
}

export interface FeedEntry {
  id: string;
  alert: CanonicalAlert;
  /** Where the entry's CAP document is (relative to the feed). */
  href: string;
}

/** An Atom feed of CAP messages, newest first (the CAP feed convention: each entry links its CAP document). */
export function atomFeed(feed: { id: string; title: string; selfHref: string; updated: Date; entries: FeedEntry[] }): string {
  const doc = new DOMImplementation().createDocument(ATOM_NS, 'feed', null);
  const w = new Writer(doc, ATOM_NS);
  const root = doc.documentElement!;
  w.add(root, 'id', feed.id);
  w.add(root, 'title', feed.title);
  w.add(root, 'updated', feed.updated.toISOString());
  const self = w.add(root, 'link');
  self.setAttribute('rel', 'self');
  self.setAttribute('href', feed.selfHref);
  w.add(w.add(root, 'author'), 'name', feed.title);
  for (const e of feed.entries) {
    const info = e.alert.infos[0];
    const entry = w.add(root, 'entry');
    w.add(entry, 'id', `urn:uuid:${e.id}`);
    w.add(entry, 'title', info?.headline ?? (e.alert.msgType === 'Cancel' ? '避難情報の取り消し' : info?.event ?? e.alert.identifier));
    w.add(entry, 'updated', new Date(e.alert.sent.epochMs).toISOString());
    w.add(entry, 'summary', [e.alert.msgType, info?.description ?? e.alert.note ?? ''].filter(Boolean).join(': '));
    const link = w.add(entry, 'link');
    link.setAttribute('rel', 'alternate');
    link.setAttribute('type', 'application/cap+xml');
    link.setAttribute('href', e.href);
  }
  return serialise(doc);
}
