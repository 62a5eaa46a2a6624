import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { DriverConfig } from './config.js';
import { readDeviceCredential } from './device-credential.js';
import { DemoCardBay } from './demo/demo-card-bay.js';
import { openPcscBay } from './pcsc/index.js';
import { ReaderHub } from './reader-hub.js';
import { startDriverServer, type DriverServer } from './ws/server.js';

/** A running reader driver. */
export interface RunningDriver {
  server: DriverServer;
  hub: ReaderHub;
  demo: DemoCardBay | null;
  /** Why PC/SC is not used, when it is not. */
  pcscUnavailable: string | null;
  close(): Promise<void>;
}

/**
 * Starts the driver: pcscd when reachable (otherwise says why and carries on), the demo card bay
 * when configured, and the loopback WebSocket API.
 */
export async function startDriver(config: Readonly<DriverConfig>, log: Logger): Promise<RunningDriver> {
  // Read first: a box whose provisioning file is unreadable or too open does not start at all.
  const device = config.deviceCredentialFile ? readDeviceCredential(config.deviceCredentialFile) : null;
  const tablet = config.tabletCredentialFile ? readDeviceCredential(config.tabletCredentialFile) : null;
  const hub = new ReaderHub();
  let pcscUnavailable: string | null = null;
  if (config.usePcsc) {
    const pcsc = await openPcscBay({ logger: log });
    if (pcsc.ok) hub.add(pcsc.bay);
    else {
      pcscUnavailable = pcsc.reason;
      log.warn({ reason: pcsc.reason }, 'PC/SC unavailable; running with virtual readers only');
    }
  } else pcscUnavailable = 'disabled by READER_PCSC=false';

  let demo: DemoCardBay | null = null;
  if (config.demoCardsDir) {
    demo = await DemoCardBay.load(config.demoCardsDir, config.cardLatency === 'realistic' ? 'contact' : null);
    hub.add(demo.bay);
    log.info({ cards: demo.cards().length }, 'demo card bay ready');
  }

  // The local CLI proves it runs on this machine by reading this file (owner-only).
  const controlToken = randomBytes(24).toString('hex');
  mkdirSync(dirname(config.controlTokenFile), { recursive: true });
  writeFileSync(config.controlTokenFile, JSON.stringify({ port: config.port, token: controlToken }), { mode: 0o600 });

  const server = await startDriverServer({ config, hub, log, demo, controlToken, device, tablet });
  if (config.port === 0) {
    writeFileSync(config.controlTokenFile, JSON.stringify({ port: server.port, token: controlToken }), { mode: 0o600 });
  }
  return {
    server,
    hub,
    demo,
    pcscUnavailable,
    close: async () => {
      await server.close();
      await hub.close();
    },
  };
}
