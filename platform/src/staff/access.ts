import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/client.js';
import { AppError } from '../shared/errors.js';
import type { Permission } from './roles.js';
import { authenticateStaff, type StaffContext, type StaffSessionPolicy } from './staff-login.js';

/**
 * What a console route requires, declared on the route itself (`config: { access }`):
 * - `public`: anyone (the login challenge and the login itself);
 * - `staff`: any logged-in staff member (their own session: who am I, log out);
 * - a permission from roles.ts: a staff member whose roles grant it. The handler then filters every
 *   query by `request.staff.organisation`, and refuses another organisation's target with
 *   STAFF_OUT_OF_SCOPE (`requireOwn`).
 */
export type Access = { public: true } | { staff: true } | { permission: Permission };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    staffContext: StaffContext | null;
  }
  interface FastifyInstance {
    /** Every console route and the access it declared, as registered (the scope matrix test reads it). */
    consoleRouteTable: ConsoleRoute[];
  }
}

export interface ConsoleRoute {
  method: string;
  url: string;
  access: Access;
}

/** The console's URL space: every route under it must declare its access. */
export const CONSOLE_PREFIX = '/api/v1/console';

/**
 * The one place console access is enforced, before any handler runs. A console route without a
 * declaration cannot even be registered (the app refuses to build), so a forgotten scope is a
 * failing start, not an open door.
 */
export const consoleAccess = fp<{ db: Db; policy: StaffSessionPolicy }>(async (app: FastifyInstance, { db, policy }) => {
  app.decorateRequest('staffContext', null);
  const table: ConsoleRoute[] = [];
  app.decorate('consoleRouteTable', table);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(CONSOLE_PREFIX)) return;
    const access = route.config?.access;
    if (!access) throw new Error(`console route ${route.method} ${route.url} declares no access`);
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!request.url.startsWith(CONSOLE_PREFIX) || !access || 'public' in access) return;
    const context = await authenticateStaff(db, request.headers.authorization, policy);
    if ('permission' in access && !context.permissions.has(access.permission)) {
      throw new AppError('STAFF_PERMISSION_DENIED', { detail: `needs ${access.permission}` });
    }
    request.staffContext = context;
  });
}, { name: 'console-access' });

/** The caller of a route that declared `staff` or a permission (the hook has authenticated them). */
export function callerOf(request: FastifyRequest): StaffContext {
  if (!request.staffContext) throw new AppError('AUTH_REQUIRED');
  return request.staffContext;
}

/** Refuses a target that belongs to another organisation. */
export function requireOwn(context: StaffContext, organisationId: string | null | undefined): void {
  if (organisationId !== context.organisation.id) throw new AppError('STAFF_OUT_OF_SCOPE');
}
