import * as asn1js from 'asn1js';
import { AppError } from '../../shared/errors.js';
import { decodeBer } from './asn1.js';
import { asBytes } from './der.js';
import { OID } from './oids.js';

/** The signed attributes a JPKI CMS signature must (contentType, messageDigest) or may carry. */
export interface SignedAttributes {
  contentType: string;
  messageDigest: Uint8Array;
  signingTime: Date | null;
}

/**
 * Reads signed attributes from their DER (SET, tag 0x31 or the [0] IMPLICIT form): each type at
 * most once (RFC 5652 §5.3), contentType and messageDigest present with one value each (§11.1,
 * §11.2), signingTime optional, one UTCTime or GeneralizedTime (§11.3).
 * Throws PKI_CMS_ATTRIBUTES_INVALID.
 */
export function readSignedAttributes(der: Uint8Array): SignedAttributes {
  const asn = decodeBer(der, invalid, 'signed attributes');
  const seen = new Map<string, asn1js.AsnType[]>();
  const items = (asn as asn1js.Constructed).valueBlock?.value;
  if (!Array.isArray(items) || !asn.idBlock.isConstructed) throw invalid('signed attributes are not a SET');
  for (const item of items) {
    const [type, values] = item instanceof asn1js.Sequence ? item.valueBlock.value : [];
    if (!(type instanceof asn1js.ObjectIdentifier) || !(values instanceof asn1js.Set)) throw invalid('attribute is not SEQUENCE { OID, SET }');
    const oid = type.valueBlock.toString();
    if (seen.has(oid)) throw invalid(`attribute ${oid} appears twice`);
    seen.set(oid, values.valueBlock.value);
  }

  const single = (oid: string, label: string): asn1js.AsnType | undefined => {
    const values = seen.get(oid);
    if (!values) return undefined;
    if (values.length !== 1) throw invalid(`${label} must have exactly one value`);
    return values[0];
  };

  const contentType = single(OID.contentType, 'contentType');
  if (!contentType) throw invalid('contentType attribute is missing');
  if (!(contentType instanceof asn1js.ObjectIdentifier)) throw invalid('contentType is not an OID');

  const digest = single(OID.messageDigest, 'messageDigest');
  if (!digest) throw invalid('messageDigest attribute is missing');
  if (!(digest instanceof asn1js.OctetString) || digest.idBlock.isConstructed) throw invalid('messageDigest is not an OCTET STRING');

  const time = single(OID.signingTime, 'signingTime');
  let signingTime: Date | null = null;
  if (time) {
    if (!(time instanceof asn1js.UTCTime) && !(time instanceof asn1js.GeneralizedTime)) throw invalid('signingTime is not a time');
    signingTime = time.toDate();
    if (Number.isNaN(signingTime.getTime())) throw invalid('signingTime cannot be read');
  }

  return {
    contentType: contentType.valueBlock.toString(),
    messageDigest: asBytes(digest.valueBlock.valueHexView),
    signingTime,
  };
}

function invalid(detail: string, cause?: unknown): AppError {
  return new AppError('PKI_CMS_ATTRIBUTES_INVALID', { detail, cause });
}
