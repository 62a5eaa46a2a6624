import { AppError } from '../shared/errors.js';

/**
 * Markup limits checked by one linear pass over the decoded text before @xmldom/xmldom sees it.
 * Why: the byte limit alone let a 1 MB document of 200,000 tiny elements, 100,000 nested ones or one
 * element with 100,000 attributes cost the parser 0.8–2.2 s of CPU each — a cheap denial of service
 * on the feed route. Real documents are far inside these limits: an L-Alert naming 3,000 areas has
 * ~15,000 elements and no attributes on them, and no alert format nests deeper than ~12.
 */
export const MAX_MARKUP = 40_000;
export const MAX_ATTRIBUTES = 40_000;
export const MAX_DEPTH = 64;

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function tooLarge(limit: 'markup' | 'attributes' | 'depth', max: number): AppError {
  return new AppError('ALERT_TOO_LARGE', { details: { limit, max } });
}

/** The index just past `close`, searched from `from`; an unclosed construct is refused here (xmldom would refuse it too). */
function endOf(text: string, close: string, from: number, what: string): number {
  const at = text.indexOf(close, from);
  if (at < 0) throw new AppError('ALERT_MALFORMED', { detail: `unclosed ${what}` });
  return at + close.length;
}

/**
 * Counts markup (start and empty-element tags, comments, CDATA sections, processing instructions
 * and other `<!…>`; an end tag only closes one) and attributes, and follows the nesting
 * depth; refuses with `ALERT_TOO_LARGE` (`details.limit`: markup, attributes or depth) past a limit.
 * Nothing inside a comment, CDATA section, processing instruction or quoted attribute value is
 * counted: a `<` there is not a tag. Every character is looked at a bounded number of times
 * (`indexOf` from the current position, no regular expressions), so the pass is linear.
 */
export function refuseExcessiveMarkup(text: string): void {
  let markup = 0;
  let attributes = 0;
  let depth = 0;
  let i = text.indexOf('<');
  while (i >= 0) {
    let next: number;
    if (text.charCodeAt(i + 1) === SLASH) {
      // An end tag adds no node; one closing nothing is malformed (and would let later tags nest unseen).
      if (--depth < 0) throw new AppError('ALERT_MALFORMED', { detail: 'end tag without a start tag' });
      i = text.indexOf('<', endOf(text, '>', i + 2, 'end tag'));
      continue;
    }
    if (++markup > MAX_MARKUP) throw tooLarge('markup', MAX_MARKUP);
    if (text.startsWith('<!--', i)) {
      next = endOf(text, '-->', i + 4, 'comment');
    } else if (text.startsWith('<![CDATA[', i)) {
      next = endOf(text, ']]>', i + 9, 'CDATA section');
    } else if (text.startsWith('<?', i)) {
      next = endOf(text, '?>', i + 2, 'processing instruction');
    } else if (text.startsWith('<!', i)) {
      next = endOf(text, '>', i + 2, 'declaration'); // DOCTYPE and the like were refused before; the rest is malformed
    } else {
      const tag = scanStartTag(text, i + 1);
      attributes += tag.attributes;
      if (attributes > MAX_ATTRIBUTES) throw tooLarge('attributes', MAX_ATTRIBUTES);
      if (!tag.empty && ++depth > MAX_DEPTH) throw tooLarge('depth', MAX_DEPTH);
      next = tag.next;
    }
    i = text.indexOf('<', next);
  }
}

/**
 * One start tag from just past its `<`: the attributes it has (a name, with or without a value,
 * quoted or not — xmldom reports the malformed ones but still builds them first), whether it is
 * empty (`/>`) and the index past its `>`. A quoted value may hold `>`, so quotes are followed.
 */
function scanStartTag(text: string, from: number): { attributes: number; empty: boolean; next: number } {
  let attributes = 0;
  let inName = true; // the element's name, then each attribute's name or unquoted value
  let betweenTokens = false;
  let previous = 0;
  for (let i = from; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOT || c === APOS) {
      i = endOf(text, String.fromCharCode(c), i + 1, 'attribute value') - 1;
      inName = false;
      betweenTokens = true;
      previous = c;
      continue;
    }
    if (c === GT) return { attributes, empty: previous === SLASH, next: i + 1 };
    if (c === LT) throw new AppError('ALERT_MALFORMED', { detail: 'unclosed start tag' });
    if (isSpace(c) || c === SLASH) {
      inName = false;
      betweenTokens = true;
    } else if (c === EQUALS) {
      inName = true; // an unquoted value follows, if any: not a new attribute
      betweenTokens = false;
    } else if (!inName) {
      if (betweenTokens && previous !== EQUALS) attributes += 1;
      inName = true;
      betweenTokens = false;
    }
    if (!isSpace(c)) previous = c;
  }
  throw new AppError('ALERT_MALFORMED', { detail: 'unclosed start tag' });
}
