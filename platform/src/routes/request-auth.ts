import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import type { Device } from '../db/schema/index.js';
import { cachedDeviceAuthenticator } from '../identity/devices.js';
import { AppError, type ErrorCode } from '../shared/errors.js';
import { authenticateSession, recentSessions, type SessionRow } from '../identity/sessions.js';

/** How routes learn who is calling: a device, or a person's session on a device. */
export interface RequestAuth {
  /** The device behind `Authorization: Device <id>:<secret>`. */
  deviceOf(request: FastifyRequest): Promise<Device>;
  /**
   * A person's session: `Authorization: Bearer <token>` made on the device named by
   * `X-Device: <id>:<secret>` — a token copied off one TV is useless on another.
   */
  sessionOf(request: FastifyRequest): Promise<{ device: Device } & SessionRow>;
  /**
   * `sessionOf` for an `act` whose own statement checks again that the session is live and refuses
   * with AUTH_SESSION_EXPIRED when it is not (the hold): the session as this process last looked it
   * up, with no round trip; when `act` refuses a remembered session, it is forgotten, looked up
   * afresh (logged out or expired: refused here) and `act` runs once more. So too for the refusals
   * in `staleIf` that may come from the remembered person row being out of date (a horizon judged
   * on an address since changed), which `act` must refuse before writing anything.
   */
  sessionRechecked<T>(request: FastifyRequest, act: (session: { device: Device } & SessionRow) => Promise<T>, staleIf?: readonly ErrorCode[]): Promise<T>;
}

export function requestAuth(db: Db): RequestAuth {
  const authenticate = cachedDeviceAuthenticator(db);
  const recent = recentSessions(db);
  const deviceOfSession = (request: FastifyRequest) => {
    const header = request.headers['x-device'];
    return authenticate(typeof header === 'string' ? `Device ${header}` : undefined);
  };
  return {
    deviceOf: (request) => authenticate(request.headers.authorization),
    sessionOf: async (request) => {
      const device = await deviceOfSession(request);
      return { device, ...(await authenticateSession(db, request.headers.authorization, device)) };
    },
    sessionRechecked: async (request, act, staleIf = []) => {
      const device = await deviceOfSession(request);
      const bearer = request.headers.authorization;
      const { row, remembered } = await recent.get(bearer, device);
      try {
        return await act({ device, ...row });
      } catch (err) {
        if (!(err instanceof AppError && (err.code === 'AUTH_SESSION_EXPIRED' || staleIf.includes(err.code)))) throw err;
        recent.forget(bearer, device);
        if (!remembered) throw err;
      }
      const { row: fresh } = await recent.get(bearer, device);
      try {
        return await act({ device, ...fresh });
      } catch (err) {
        if (err instanceof AppError && err.code === 'AUTH_SESSION_EXPIRED') recent.forget(bearer, device);
        throw err;
      }
    },
  };
}
