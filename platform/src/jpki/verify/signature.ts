import { verify, type KeyObject } from 'node:crypto';
import { AppError } from '../../errors.js';
import { parseCertificate, JpkiCertificate, type CertificateInput } from './certificate.js';
import { asBytes } from './der.js';
import { assertStrongAlgorithms } from './purpose.js';

/**
 * RSASSA-PKCS1-v1_5 verification on the libuv thread pool (keeps the event loop free under
 * login load). Any exception (wrong key type, bad lengths) is a failed verification.
 */
export function rsaVerify(hash: string, data: Uint8Array, key: KeyObject, signature: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(hash, data, key, signature, (err, ok) => resolve(!err && ok === true));
    } catch {
      resolve(false);
    }
  });
}

/**
 * Verifies an RSA PKCS#1 v1.5 SHA-256 signature made by the certificate's key over `message`
 * (the login flow: the card signs DigestInfo(SHA-256(message)), SPEC §4). Resolves on success;
 * throws PKI_SIGNATURE_INVALID otherwise (PKI_WEAK_ALGORITHM for a key under 2048 bits).
 * Check the certificate itself with `verifyChain` first.
 */
export async function verifySignature(
  certificate: JpkiCertificate | CertificateInput,
  message: Uint8Array | ArrayBuffer,
  signature: Uint8Array | ArrayBuffer,
): Promise<void> {
  const cert = certificate instanceof JpkiCertificate ? certificate : parseCertificate(certificate);
  assertStrongAlgorithms(cert, 'signer');
  const sig = asBytes(signature);
  const modulusBytes = Math.ceil((cert.rsaModulusBits ?? 0) / 8);
  if (sig.length !== modulusBytes) {
    throw new AppError('PKI_SIGNATURE_INVALID', { detail: `signature is ${sig.length} bytes, key needs ${modulusBytes}` });
  }
  if (!(await rsaVerify('sha256', asBytes(message), cert.publicKey, sig))) {
    throw new AppError('PKI_SIGNATURE_INVALID', { detail: "signature does not verify under the certificate key" });
  }
}
