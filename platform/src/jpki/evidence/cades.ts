import * as pkijs from 'pkijs';
import { AppError } from '../../shared/errors.js';
import { cmsAttribute } from '../verify/cms-build.js';
import { asBytes } from '../verify/der.js';
import { OID } from '../verify/oids.js';
import { TSP_OID } from './tsp.js';

/** The CAdES-T unsigned attribute id-aa-signatureTimeStampToken (RFC 3126 / ETSI EN 319 122-1 §5.3) around a token. */
export function signatureTimestampAttribute(tokenDer: Uint8Array): Uint8Array {
  return cmsAttribute(TSP_OID.signatureTimeStampToken, tokenDer);
}

/** What the evidence layer reads from a one-signer CMS beyond `verifyCms`. */
export interface CmsParts {
  /** The SignerInfo signature value (what the signature timestamp covers). */
  signatureValue: Uint8Array;
  /** DER of the signature-timestamp token, when the unsigned attribute is there (exactly once). */
  timestampToken: Uint8Array | null;
  /** DER of the signed attributes (SET form, tag 0x31), as signed. */
  signedAttributes: Uint8Array;
}

/** Reads the signature value and the signature-timestamp token of a one-signer CMS; PKI_MALFORMED otherwise. */
export function readCmsParts(cms: Uint8Array): CmsParts {
  let signerInfo: pkijs.SignerInfo;
  try {
    const info = pkijs.ContentInfo.fromBER(Uint8Array.from(cms));
    if (info.contentType !== OID.signedData) throw new Error('not SignedData');
    const signedData = new pkijs.SignedData({ schema: info.content });
    if (signedData.signerInfos.length !== 1) throw new Error('expected one signer');
    signerInfo = signedData.signerInfos[0]!;
  } catch (cause) {
    throw new AppError('PKI_MALFORMED', { detail: 'the CMS cannot be read', cause });
  }
  const tokens = (signerInfo.unsignedAttrs?.attributes ?? []).filter((a) => a.type === TSP_OID.signatureTimeStampToken);
  if (tokens.length > 1 || (tokens[0] && tokens[0].values.length !== 1)) {
    throw new AppError('PKI_TIMESTAMP_INVALID', { detail: 'more than one signature timestamp' });
  }
  return {
    signatureValue: asBytes(signerInfo.signature.valueBlock.valueHexView),
    timestampToken: tokens[0] ? asBytes(tokens[0].values[0]!.toBER()) : null,
    signedAttributes: signerInfo.signedAttrs ? asBytes(signerInfo.signedAttrs.encodedValue) : new Uint8Array(0),
  };
}
