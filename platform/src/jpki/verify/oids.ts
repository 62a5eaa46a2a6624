/** Object identifiers the JPKI verifier looks at (SPEC §3). */
export const OID = {
  // Certificate policies (SPEC §3.2, §3.3)
  policySign: '1.2.392.200149.8.5.1.1.20',
  policyAuth: '1.2.392.200149.8.5.1.3.30',

  // Personal data otherNames in the sign certificate's SAN (SPEC §3.2)
  pdName: '1.2.392.200149.8.5.5.1',
  pdNameSubstitute: '1.2.392.200149.8.5.5.2',
  pdGender: '1.2.392.200149.8.5.5.3',
  pdDateOfBirth: '1.2.392.200149.8.5.5.4',
  pdAddress: '1.2.392.200149.8.5.5.5',
  pdAddressSubstitute: '1.2.392.200149.8.5.5.6',

  // X.509 extensions (RFC 5280 §4.2)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',

  // Name attributes
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',

  // Algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',

  // CMS (RFC 5652)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

/** Certificate signature algorithms we accept, with the node:crypto hash they use. */
export const CERT_SIGNATURE_HASH: Readonly<Record<string, string>> = {
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
};

/** CMS digest algorithms we accept, with the node:crypto hash name. */
export const DIGEST_HASH: Readonly<Record<string, string>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** Short names used when printing distinguished names. */
export const NAME_ATTRIBUTE_LABELS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
};

/** Minimum RSA modulus size (SPEC §3.6). */
export const MIN_RSA_BITS = 2048;
