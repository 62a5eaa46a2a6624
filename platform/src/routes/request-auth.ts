import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import type { Device } from '../db/schema/index.js';
import { cachedDeviceAuthenticator } from '../identity/devices.js';
import { authenticateSession } from '../identity/sessions.js';

/** How routes learn who is calling: a device, or a person's session on a device. */
export interface RequestAuth {
  /** The device behind `Authorization: Device <id>:<secret>`. */
  deviceOf(request: FastifyRequest): Promise<Device>;
  /**
   * A person's session: `Authorization: Bearer <token>` made on the device named by
   * `X-Device: <id>:<secret>` — a token copied off one TV is useless on another.
   */
  sessionOf(request: FastifyRequest): Promise<{ device: Device } & Awaited<ReturnType<typeof authenticateSession>>>;
}

export function requestAuth(db: Db): RequestAuth {
  const authenticate = cachedDeviceAuthenticator(db);
  return {
    deviceOf: (request) => authenticate(request.headers.authorization),
    sessionOf: async (request) => {
      const header = request.headers['x-device'];
      const device = await authenticate(typeof header === 'string' ? `Device ${header}` : undefined);
      return { device, ...(await authenticateSession(db, request.headers.authorization, device)) };
    },
  };
}
