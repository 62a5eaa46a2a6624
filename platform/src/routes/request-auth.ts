import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import type { Device } from '../db/schema/index.js';
import { authenticateDevice } from '../identity/devices.js';
import { authenticateSession } from '../identity/sessions.js';

/** The device behind `Authorization: Device <id>:<secret>`. */
export function deviceOf(db: Db, request: FastifyRequest): Promise<Device> {
  return authenticateDevice(db, request.headers.authorization);
}

/**
 * A person's session: `Authorization: Bearer <token>` made on the device named by
 * `X-Device: <id>:<secret>` — a token copied off one TV is useless on another.
 */
export async function sessionOf(db: Db, request: FastifyRequest) {
  const header = request.headers['x-device'];
  const device = await authenticateDevice(db, typeof header === 'string' ? `Device ${header}` : undefined);
  const { session, person } = await authenticateSession(db, request.headers.authorization, device);
  return { device, session, person };
}
