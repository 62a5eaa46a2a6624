import { verify, type KeyObject } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import { parseCertificate, JpkiCertificate, type CertificateInput } from './certificate.js';
import { asBytes } from './der.js';
import { assertStrongAlgorithms } from './purpose.js';

/**
 * RSASSA-PKCS1-v1_5 verification, on the calling thread. A 2048-bit public-key operation takes
 * about 17 µs; handing it to the libuv pool cost the event loop more than that under login load
 * (45 µs per call in the login benchmark's profile: queueing and waking a pool thread), so the
 * pool only made it slower. Any exception (wrong key type, bad lengths) is a failed verification.
 */
export function rsaVerify(hash: string, data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify(hash, data, key, signature);
  } catch {
    return false;
  }
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
  if (!rsaVerify('sha256', asBytes(message), cert.publicKey, sig)) {
    throw new AppError('PKI_SIGNATURE_INVALID', { detail: "signature does not verify under the certificate key" });
  }
}
