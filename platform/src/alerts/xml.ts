import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { AppError } from '../shared/errors.js';
import { refuseExcessiveMarkup } from './markup-limits.js';

/**
 * Hardened XML reading for alert feeds. Why this is safe against XXE and friends:
 * - the text is decoded by us (TextDecoder, fatal on bad bytes) from the declared encoding;
 * - any DOCTYPE or markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST`,
 *   `<!NOTATION`) is refused on the raw text BEFORE a parser sees it, so no entity is ever defined,
 *   expanded or resolved — there is nothing that could read a file or fetch a URL;
 * - @xmldom/xmldom itself never does I/O (no entity resolver, no XInclude, no stylesheet processing);
 *   every warning or error it reports is a refusal, so no half-parsed document is used;
 * - before it parses, one linear pass counts tags, attributes and nesting (`markup-limits.ts`): a
 *   document of many tiny elements within the byte limit cost the parser seconds of CPU.
 */

/** The default largest document accepted (a CAP with an embedded `derefUri` is ~100 KB in practice). */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** Declared encodings we decode (labels as TextDecoder knows them). */
const ENCODINGS: Record<string, string> = {
  'utf-8': 'utf-8', utf8: 'utf-8',
  'iso-8859-1': 'iso-8859-1', latin1: 'iso-8859-1', 'us-ascii': 'utf-8', ascii: 'utf-8',
  shift_jis: 'shift_jis', 'shift-jis': 'shift_jis', sjis: 'shift_jis', windows_31j: 'shift_jis', 'windows-31j': 'shift_jis', cp932: 'shift_jis',
  'euc-jp': 'euc-jp', 'iso-2022-jp': 'iso-2022-jp',
};

const DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

export function decodeDocument(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): string {
  if (bytes.byteLength > maxBytes) throw new AppError('ALERT_TOO_LARGE', { details: { maxBytes } });
  if (bytes[0] === 0xfe || bytes[0] === 0xff || (bytes[0] === 0 && bytes[1] !== 0)) {
    throw new AppError('ALERT_ENCODING_UNSUPPORTED', { detail: 'UTF-16/32 documents are not accepted' });
  }
  // Markup declarations are ASCII in every encoding we accept: refuse them on the raw bytes first.
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (DECLARATION.test(raw)) throw new AppError('ALERT_DTD_REFUSED');
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const declared = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(raw)?.[1]?.toLowerCase();
  const label = declared === undefined ? 'utf-8' : ENCODINGS[declared];
  if (!label || (hasBom && label !== 'utf-8')) {
    throw new AppError('ALERT_ENCODING_UNSUPPORTED', { detail: `declared encoding ${declared ?? '(none)'}` });
  }
  let text: string;
  try {
    text = new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new AppError('ALERT_ENCODING_UNSUPPORTED', { detail: `bytes are not valid ${label}`, cause });
  }
  // And again on the decoded text (e.g. ISO-2022-JP escapes hide nothing, but be certain).
  if (DECLARATION.test(text)) throw new AppError('ALERT_DTD_REFUSED');
  refuseNonCharacters(text);
  return text;
}

/** Anything but XML 1.0's `Char` production: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF. */
const NON_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const CHAR_REFERENCE = /&#(?:x([0-9A-Fa-f]+)|([0-9]+));/g;

/**
 * XML 1.0 has no place for NUL, most C0 controls, surrogates or code points past U+10FFFF, written
 * raw or as a character reference; @xmldom/xmldom lets both through (`&#xD800;` became a lone
 * surrogate, `&#x110000;` two), and the database then refused the text: a 500, not a refusal.
 */
function refuseNonCharacters(text: string): void {
  const raw = NON_CHAR.exec(text);
  if (raw) throw new AppError('ALERT_MALFORMED', { detail: `character U+${raw[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML` });
  for (const m of text.matchAll(CHAR_REFERENCE)) {
    const code = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number(m[2]);
    if (!(code <= 0x10ffff) || NON_CHAR.test(String.fromCodePoint(code))) {
      throw new AppError('ALERT_MALFORMED', { detail: `character reference ${m[0].slice(0, 20)} is not allowed in XML` });
    }
  }
}

export function parseXml(text: string): Document {
  refuseExcessiveMarkup(text);
  const problems: string[] = [];
  const parser = new DOMParser({ onError: (level, message) => { problems.push(`${level}: ${message}`); } });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (cause) {
    throw new AppError('ALERT_MALFORMED', { detail: String((cause as Error).message).slice(0, 200), cause });
  }
  if (problems.length || !doc.documentElement) throw new AppError('ALERT_MALFORMED', { detail: problems[0]?.slice(0, 200) });
  return doc;
}

/** Element children of `el` (text and comments skipped). */
export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

/** Children with this local name (any prefix) in one of the namespaces. */
export function children(el: Element, localName: string, namespaces: readonly string[]): Element[] {
  return childElements(el).filter((c) => c.localName === localName && namespaces.includes(c.namespaceURI ?? ''));
}

export function textOf(el: Element): string {
  return (el.textContent ?? '').trim();
}

/** Serialises an element back to text (for keeping an XML-DSig signature as it arrived). */
export function outerXml(el: Element): string {
  return el.toString();
}
