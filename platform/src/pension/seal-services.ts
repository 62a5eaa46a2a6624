import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config.js';
import { serviceCredentials, startTsaServer } from '../jpki/dev-center/index.js';
import type { JpkiContext } from '../jpki/index.js';
import { fromPemCertificates } from './pem.js';
import { httpTimestampClient, type RevocationSource, type SealContext, type TimestampClient } from './seal.js';

type PensionConfig = Pick<Readonly<Config>, 'jpkiMode' | 'jpkiDevDir' | 'pensionTsaUrl' | 'pensionTsaRootFile' | 'pensionEvidenceKeyFile' | 'pensionEvidenceCertFile' | 'pensionCrlMaxAgeSeconds'>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The pension seal's outside services (the platform process completes pending submissions with them after a CRL). */
    pensionSeal: SealServices;
  }
}

/** The pension signature's revocation, as a JPKI context decides it (`pension-signature`), and its CRLs alone. */
export function pensionRevocation(jpki: JpkiContext): RevocationSource {
  return { decide: (chain, at) => jpki.decideRevocation('pension-signature', chain, at), crl: (chain, at) => jpki.revocationStatus(chain, at) };
}

/** The sealing context and what must be stopped at shutdown (a dev TSA started here). */
export interface SealServices {
  context(): Promise<SealContext>;
  close(): Promise<void>;
}

/**
 * The one place the pension seal's outside services come from: the TSA URL and root, and the
 * platform's evidence key and certificate, all from config. In dev mode, settings left unset fall
 * back to the dev JPKI center's services (its TSA started in this process on first use, on an
 * ephemeral loopback port), so `npm start` and the tests need nothing extra. Nothing is started or
 * read until the first submission.
 */
export function sealServices(config: PensionConfig, jpki: JpkiContext): SealServices {
  let ready: Promise<SealContext> | null = null;
  let closeTsa: (() => Promise<void>) | null = null;

  const build = async (): Promise<SealContext> => {
    const dev = config.jpkiMode === 'dev' ? await serviceCredentials(config.jpkiDevDir) : null;
    const pemFile = async (file: string | null) => (file ? readFile(file, 'utf8') : null);
    const keyPem = await pemFile(config.pensionEvidenceKeyFile);
    const certPem = await pemFile(config.pensionEvidenceCertFile);
    const rootPem = await pemFile(config.pensionTsaRootFile);
    if (!dev && (!keyPem || !certPem || !rootPem || !config.pensionTsaUrl)) throw new Error('pension evidence settings are missing (see config.ts)');
    const signer = {
      key: keyPem ? createPrivateKey(keyPem) : dev!.platform.key,
      certificate: certPem ? fromPemCertificates(certPem)[0]! : new Uint8Array(dev!.platform.certificate),
    };
    const tsaRoots = rootPem ? fromPemCertificates(rootPem) : [new Uint8Array(dev!.root)];
    let url = config.pensionTsaUrl;
    if (!url) {
      const tsa = await startTsaServer({ dir: config.jpkiDevDir, port: 0 });
      closeTsa = tsa.close;
      url = tsa.url;
    }
    const tsaClient: TimestampClient = httpTimestampClient(url, tsaRoots);
    return {
      trustStore: jpki.trustStore,
      revocation: pensionRevocation(jpki),
      tsa: tsaClient,
      signer,
      maxCrlAgeSeconds: config.pensionCrlMaxAgeSeconds,
    };
  };

  return {
    context() {
      ready ??= build().catch((err: unknown) => {
        ready = null;
        throw err;
      });
      return ready;
    },
    async close() {
      await ready?.catch(() => undefined);
      await closeTsa?.();
    },
  };
}
