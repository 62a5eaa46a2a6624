import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { baseCertificate, keyIdentifier, signCertificate } from './certificates.js';
import { extension, KEY_USAGE, keyUsageBits, type Dn } from './profile.js';
import { fromPem, toPem, withCenterLock, writeFileAtomic } from './store.js';

/**
 * The dev stand-ins for the two services an evidence bundle leans on besides J-LIS: a timestamp
 * authority (RFC 3161) and the platform's own evidence-signing certificate. Both are issued by one
 * self-signed "services root" kept in `DIR/services/`, so `--roots DIR` (the center folder) holds
 * every anchor an offline verifier needs. Production replaces them with a commercial TSA and the
 * operator's certificate (config), never with these.
 */
export interface ServiceCredential {
  certificate: Buffer;
  key: KeyObject;
}

export interface ServiceCredentials {
  root: Buffer;
  tsa: ServiceCredential;
  platform: ServiceCredential;
}

/** Folder (inside a dev center) that holds the services root and its two leaves. */
export const SERVICES_DIR = 'services';

const OID_EKU = '2.5.29.37';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_SKI = '2.5.29.14';
const OID_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
/** Our private arc stand-in for "evidence statement signing" (a dev-only purpose). */
export const OID_EVIDENCE_SIGNING = '1.3.6.1.4.1.99999.15.1';

const NOT_BEFORE = new Date('2020-01-01T00:00:00Z');
const NOT_AFTER = new Date('2049-12-31T00:00:00Z');

const ROOT_DN: Dn = [['C', 'JP'], ['O', 'Cable Auth Dev'], ['CN', 'Dev Services Root']];
const TSA_DN: Dn = [['C', 'JP'], ['O', 'Cable Auth Dev'], ['CN', 'Dev Timestamp Authority']];
const PLATFORM_DN: Dn = [['C', 'JP'], ['O', 'Cable Auth Dev'], ['CN', 'Dev Platform Evidence']];

/** The services credentials of a dev center, created on first use (one writer at a time). */
export function serviceCredentials(dir: string): Promise<ServiceCredentials> {
  return withCenterLock(dir, async () => {
    try {
      return await readCredentials(dir);
    } catch {
      await createCredentials(dir);
      return readCredentials(dir);
    }
  });
}

async function readCredentials(dir: string): Promise<ServiceCredentials> {
  const base = join(dir, SERVICES_DIR);
  const cert = async (name: string) => fromPem(await readFile(join(base, `${name}.pem`), 'utf8'));
  const key = async (name: string) => createPrivateKey(await readFile(join(base, `${name}.key.pem`), 'utf8'));
  return {
    root: await cert('root'),
    tsa: { certificate: await cert('tsa'), key: await key('tsa') },
    platform: { certificate: await cert('platform'), key: await key('platform') },
  };
}

async function createCredentials(dir: string): Promise<void> {
  const base = join(dir, SERVICES_DIR);
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const rootKey = rsa();
  const root = baseCertificate(1, ROOT_DN, ROOT_DN, NOT_BEFORE, NOT_AFTER, rootKey);
  root.extensions = [
    extension(OID_BASIC_CONSTRAINTS, true, new pkijs.BasicConstraints({ cA: true })),
    extension('2.5.29.15', true, keyUsageBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
    extension(OID_SKI, false, new asn1js.OctetString({ valueHex: keyIdentifier(rootKey) })),
  ];
  const rootDer = await signCertificate(root, rootKey);
  const leaf = async (serial: number, dn: Dn, purpose: string, key: KeyObject) => {
    const cert = baseCertificate(serial, ROOT_DN, dn, NOT_BEFORE, NOT_AFTER, key);
    cert.extensions = [
      extension('2.5.29.15', true, keyUsageBits([KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation])),
      // RFC 3161 §2.3: a TSA certificate carries only id-kp-timeStamping, marked critical.
      extension(OID_EKU, true, new pkijs.ExtKeyUsage({ keyPurposes: [purpose] })),
      extension(OID_SKI, false, new asn1js.OctetString({ valueHex: keyIdentifier(key) })),
    ];
    return signCertificate(cert, rootKey);
  };
  const tsaKey = rsa();
  const platformKey = rsa();
  const pkcs8 = (key: KeyObject) => toPem(key.export({ type: 'pkcs8', format: 'der' }), 'PRIVATE KEY');
  await writeFileAtomic(join(base, 'tsa.key.pem'), pkcs8(tsaKey));
  await writeFileAtomic(join(base, 'tsa.pem'), toPem(await leaf(2, TSA_DN, OID_TIME_STAMPING, tsaKey), 'CERTIFICATE'));
  await writeFileAtomic(join(base, 'platform.key.pem'), pkcs8(platformKey));
  await writeFileAtomic(join(base, 'platform.pem'), toPem(await leaf(3, PLATFORM_DN, OID_EVIDENCE_SIGNING, platformKey), 'CERTIFICATE'));
  // The root last: its presence says the folder is complete.
  await writeFileAtomic(join(base, 'root.pem'), toPem(rootDer, 'CERTIFICATE'));
}
