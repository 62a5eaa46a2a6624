import { explicit, extension, oid, printable, seq, set, tlv, utf8 } from './der-writer.js';

/**
 * Distribution point names of J-LIS shape for tests and the benchmark: the DirName a JPKI leaf's
 * cRLDistributionPoints carries and the IssuingDistributionPoint of that DP's partitioned CRL.
 */

/** `C=JP, O=<o>, OU=<purpose OU>, OU=CRL Distribution Points, OU=<prefecture>, CN=<municipality> CRLDP`. */
export function dpNameDer(prefecture: string, municipality: string, options: { o?: string; purposeOu?: string } = {}): Buffer {
  return seq(
    set(seq(oid('2.5.4.6'), printable('JP'))),
    set(seq(oid('2.5.4.10'), utf8(options.o ?? 'JPKI'))),
    set(seq(oid('2.5.4.11'), utf8(options.purposeOu ?? 'JPKI for user authentication'))),
    set(seq(oid('2.5.4.11'), utf8('CRL Distribution Points'))),
    set(seq(oid('2.5.4.11'), utf8(prefecture))),
    set(seq(oid('2.5.4.3'), utf8(`${municipality} CRLDP`))),
  );
}

/** The key the platform files a DP under (what `readNameKey` gives for `dpNameDer`). */
export function dpKey(prefecture: string, municipality: string, options: { o?: string; purposeOu?: string } = {}): string {
  return `C=JP, O=${options.o ?? 'JPKI'}, OU=${options.purposeOu ?? 'JPKI for user authentication'}, OU=CRL Distribution Points, OU=${prefecture}, CN=${municipality} CRLDP`;
}

/** distributionPoint `[0]` holding fullName `[0]` with one directoryName `[4]`. */
export function distributionPointName(nameDer: Buffer): Buffer {
  return explicit(0, explicit(0, tlv(0xa4, nameDer)));
}

/** The IssuingDistributionPoint CRL extension naming one DP (critical unless told, RFC 5280 §5.2.5). */
export function idpExtension(nameDer: Buffer, critical = true): Buffer {
  return extension('2.5.29.28', seq(distributionPointName(nameDer)), critical);
}

/** A certificate's cRLDistributionPoints extnValue naming one DP. */
export function crlDpExtensionValue(nameDer: Buffer): Buffer {
  return seq(seq(distributionPointName(nameDer)));
}
