import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Independent readers for what the dev center writes: raw asn1js walks (not the center's own
 * builders), node's crypto for signatures, and openssl as a second opinion.
 */

export function parseCert(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(Uint8Array.from(der));
}

/** Name attributes in order with their ASN.1 string type. */
export function nameAttributes(name: pkijs.RelativeDistinguishedNames): Array<{ type: string; tag: string; value: string }> {
  const seq = asn1js.fromBER(name.toSchema().toBER(false)).result as asn1js.Sequence;
  return seq.valueBlock.value.map((rdn) => {
    const set = rdn as asn1js.Set;
    if (set.valueBlock.value.length !== 1) throw new Error('multi-valued RDN');
    const [type, value] = (set.valueBlock.value[0] as asn1js.Sequence).valueBlock.value as [asn1js.ObjectIdentifier, asn1js.BaseStringBlock];
    return { type: type.valueBlock.toString(), tag: value.constructor.name, value: value.getValue() };
  });
}

export function extensionOids(cert: pkijs.Certificate): string[] {
  return (cert.extensions ?? []).map((e) => e.extnID);
}

export function ext(cert: pkijs.Certificate, oid: string): { critical: boolean; value: asn1js.AsnType } {
  const e = (cert.extensions ?? []).find((x) => x.extnID === oid);
  if (!e) throw new Error(`no extension ${oid}`);
  return { critical: e.critical, value: asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result };
}

/** KeyUsage / any BIT STRING extension as hex of its full DER, e.g. `030206c0`. */
export function extDerHex(cert: pkijs.Certificate, oid: string): string {
  const e = (cert.extensions ?? []).find((x) => x.extnID === oid)!;
  return Buffer.from(e.extnValue.valueBlock.valueHexView).toString('hex');
}

/** SAN otherNames as [type-id, UTF8 value], checking the `[0] { OID, [0] EXPLICIT UTF8String }` shape. */
export function otherNames(cert: pkijs.Certificate): Array<[string, string]> {
  const san = ext(cert, '2.5.29.17').value as asn1js.Sequence;
  return san.valueBlock.value.map((gn) => {
    if (gn.idBlock.tagClass !== 3 || gn.idBlock.tagNumber !== 0) throw new Error('not an otherName');
    const [oid, wrapped] = (gn as asn1js.Constructed).valueBlock.value as [asn1js.ObjectIdentifier, asn1js.Constructed];
    if (wrapped.idBlock.tagClass !== 3 || wrapped.idBlock.tagNumber !== 0 || !wrapped.idBlock.isConstructed) throw new Error('value is not [0] EXPLICIT');
    const inner = wrapped.valueBlock.value[0]!;
    if (!(inner instanceof asn1js.Utf8String)) throw new Error('value is not a UTF8String');
    return [oid.valueBlock.toString(), inner.valueBlock.value];
  });
}

/** SHA-1 of the RSAPublicKey inside the SPKI (RFC 5280 key identifier method 1). */
export function spkiKeyId(cert: pkijs.Certificate): string {
  return createHash('sha1').update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest('hex');
}

export function skiHex(cert: pkijs.Certificate): string {
  return Buffer.from((ext(cert, '2.5.29.14').value as asn1js.OctetString).valueBlock.valueHexView).toString('hex');
}

export function serialOf(cert: pkijs.Certificate): string {
  return Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase();
}

/** Does `issuerDer`'s key verify the signature on `signedDer` (certificate or CRL)? */
export function isSignedBy(signedDer: Uint8Array, issuerDer: Uint8Array): boolean {
  const outer = asn1js.fromBER(Uint8Array.from(signedDer)).result as asn1js.Sequence;
  const [tbs, algorithm, signature] = outer.valueBlock.value as [asn1js.Sequence, asn1js.Sequence, asn1js.BitString];
  const algorithmOid = (algorithm.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
  if (algorithmOid !== '1.2.840.113549.1.1.11') throw new Error(`unexpected signature algorithm ${algorithmOid}`);
  const spki = parseCert(issuerDer).subjectPublicKeyInfo.toSchema().toBER(false);
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return verify('sha256', Buffer.from(tbs.valueBeforeDecodeView), key, Buffer.from(signature.valueBlock.valueHexView));
}

/** Runs openssl, returning stdout then stderr (throws with both on a non-zero exit). */
export function openssl(args: string[], input?: Uint8Array): string {
  const run = spawnSync('openssl', args, { input, encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`openssl ${args[0]} exited ${run.status}: ${output}`);
  return output;
}

export function pem(der: Uint8Array, label = 'CERTIFICATE'): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
}
