import { readFileSync, statSync } from 'node:fs';
import type { DeviceCredential } from './ws/protocol.js';

export type { DeviceCredential };

/**
 * This set-top box's device credential for the platform (`Authorization: Device <id>:<secret>`).
 * It is given to the STB side at provisioning and kept here, not in the TV page's URL or storage:
 * the page asks for it over the loopback WebSocket (`device.credential`) and holds it in memory.
 */

/**
 * Reads the provisioning file `{ "id": "…", "secret": "…" }`. Refuses a file that others than its
 * owner may read (like ssh does with keys): the secret would not be the box's alone.
 */
export function readDeviceCredential(path: string): DeviceCredential {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new Error(`${path}: the device credential must be readable by its owner only (chmod 600; it is ${mode.toString(8)})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path}: the device credential is not JSON`);
  }
  const { id, secret } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof id !== 'string' || typeof secret !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(id) || !/^[\x21-\x7e]{1,200}$/.test(secret) || id.includes(':')) {
    throw new Error(`${path}: the device credential must be { "id": "…", "secret": "…" } (printable ASCII, no ":" in the id)`);
  }
  return { id, secret };
}
