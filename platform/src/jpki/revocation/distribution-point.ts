import { ctx, DerCursor, malformed, TAG } from './der.js';

/**
 * CRL distribution points as J-LIS uses them: every JPKI leaf names one DirName DP per
 * municipality (`C=JP, O=JPKI, OU=JPKI for user authentication, OU=CRL Distribution Points,
 * OU=Kanagawa-ken, CN=Yokohama-shi-Naka-ku CRLDP`), and the partitioned CRL for it carries the
 * same name in its IssuingDistributionPoint. Both sides are reduced to one key: the DN as
 * `TYPE=value` pairs in certificate order, so a PrintableString and a UTF8String spelling of the
 * same value still match (RFC 5280 §7.1 asks for more normalisation than J-LIS's ASCII names need).
 */

/** Attribute types by the last byte of 2.5.4.x. */
const ATTRIBUTE_LABELS: Record<number, string> = { 3: 'CN', 5: 'SERIALNUMBER', 6: 'C', 7: 'L', 8: 'ST', 10: 'O', 11: 'OU' };
/** Directory string tags a DP name may use: UTF8String, PrintableString, IA5String, BMPString is refused. */
const STRING_TAGS = new Set([0x0c, 0x13, 0x16]);
const DIRECTORY_NAME = ctx(4);

/** The key of a Name (SEQUENCE OF RDN, cursor on its header), e.g. `C=JP, O=JPKI, …, CN=… CRLDP`. */
export function readNameKey(c: DerCursor, limit: number): string {
  const nameEnd = c.expect(TAG.SEQUENCE, limit, 'Name');
  const parts: string[] = [];
  while (c.pos < nameEnd) {
    const setEnd = c.expect(TAG.SET, nameEnd, 'RelativeDistinguishedName');
    while (c.pos < setEnd) {
      const atvEnd = c.expect(TAG.SEQUENCE, setEnd, 'AttributeTypeAndValue');
      const oidEnd = c.expect(TAG.OID, atvEnd, 'attribute type');
      const { buf } = c;
      const isX520 = c.len === 3 && buf[c.pos] === 0x55 && buf[c.pos + 1] === 0x04;
      const label = isX520 ? ATTRIBUTE_LABELS[buf[c.pos + 2]!] : undefined;
      const type = label ?? buf.toString('hex', c.pos, oidEnd);
      c.pos = oidEnd;
      const tag = c.header(atvEnd);
      if (!STRING_TAGS.has(tag)) throw malformed(`distribution point name attribute with tag 0x${tag.toString(16)}`, c.pos);
      const value = buf.toString('utf8', c.pos, c.pos + c.len);
      c.pos += c.len;
      if (c.pos !== atvEnd) throw malformed('bytes after attribute value', c.pos);
      // A separator inside a value would let two different names share one key.
      if (/[,=]/.test(value)) throw malformed('distribution point name value holds "," or "="', c.pos);
      parts.push(`${type}=${value}`);
    }
  }
  if (parts.length === 0) throw malformed('empty distribution point name', c.pos);
  return intern(parts.join(', '));
}

/** At most this many DP keys are interned: J-LIS has about 1,900 DPs × 2 purposes. */
const MAX_INTERNED = 20_000;
const interned = new Map<string, string>();

/**
 * One string object per DP key, shared by the CRLs that name it and the certificates that point at
 * it, so the store's partition Map compares a lookup's key by identity instead of by its ~110
 * characters (a measurable share of a lookup that misses cache everywhere else). Past the bound,
 * keys are returned as they are: correct, only slower.
 */
function intern(key: string): string {
  const known = interned.get(key);
  if (known !== undefined) return known;
  if (interned.size < MAX_INTERNED) interned.set(key, key);
  return key;
}

/**
 * Reads a DistributionPointName (`[0]` of IssuingDistributionPoint or DistributionPoint; the
 * cursor is on its content). Only `fullName` holding one directoryName is understood, as J-LIS
 * writes it; returns null for anything else (a URI, nameRelativeToCRLIssuer, several names) so
 * the caller decides whether that is an error.
 */
export function readDistributionPointName(c: DerCursor, limit: number): string | null {
  if (c.peek(limit) !== ctx(0)) {
    c.pos = limit;
    return null;
  }
  const fullEnd = c.expect(ctx(0), limit, 'fullName');
  let key: string | null = null;
  let names = 0;
  while (c.pos < fullEnd) {
    names++;
    if (c.peek(fullEnd) === DIRECTORY_NAME) {
      const dirEnd = c.expect(DIRECTORY_NAME, fullEnd, 'directoryName');
      key = readNameKey(c, dirEnd);
      if (c.pos !== dirEnd) throw malformed('bytes after directoryName', c.pos);
    } else {
      c.skip(fullEnd);
    }
  }
  c.pos = limit;
  return names === 1 ? key : null;
}

/**
 * The DirName distribution point of a certificate's cRLDistributionPoints extension value
 * (the extnValue content: SEQUENCE OF DistributionPoint), or null when it names none. JPKI leaves
 * carry exactly one; with several, the first DirName one is the certificate's partition.
 */
export function distributionPointOfExtension(extnValue: Uint8Array): string | null {
  const buf = Buffer.from(extnValue.buffer, extnValue.byteOffset, extnValue.byteLength);
  const c = new DerCursor(buf);
  const seqEnd = c.expect(TAG.SEQUENCE, buf.length, 'CRLDistributionPoints');
  if (seqEnd !== buf.length) throw malformed('bytes after CRLDistributionPoints');
  while (c.pos < seqEnd) {
    const dpEnd = c.expect(TAG.SEQUENCE, seqEnd, 'DistributionPoint');
    if (c.peek(dpEnd) === ctx(0)) {
      const nameEnd = c.expect(ctx(0), dpEnd, 'distributionPoint');
      const key = readDistributionPointName(c, nameEnd);
      if (key !== null) return key;
    }
    c.pos = dpEnd;
  }
  return null;
}

/** DP keys already read, per certificate object (parsed certificates are cached by content). */
const dpCache = new WeakMap<object, string | null>();

/**
 * The distribution point of a certificate (anything with its cRLDistributionPoints extnValue), or
 * null when it has none. A malformed extension gives null, which fails closed: no partition covers
 * the certificate, so only a whole-CA CRL can answer for it. Read once per certificate object: the
 * same key string then also keeps its hash, so the store's partition lookup does not rehash it.
 */
export function distributionPointOf(cert: { readonly crlDistributionPointsDer: Uint8Array | null }): string | null {
  const cached = dpCache.get(cert);
  if (cached !== undefined) return cached;
  let key: string | null = null;
  if (cert.crlDistributionPointsDer !== null) {
    try {
      key = distributionPointOfExtension(cert.crlDistributionPointsDer);
    } catch {
      key = null;
    }
  }
  dpCache.set(cert, key);
  return key;
}
