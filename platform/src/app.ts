import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { DbHandle } from './db/client.js';
import { loggerOptions } from './shared/logger.js';
import errorHandler, { frameworkErrors, routeUndecodableUrls } from './plugins/error-handler.js';
import securityHeaders from './plugins/security-headers.js';
import { strictRequestFormats } from './plugins/request-formats.js';
import rateLimits from './plugins/rate-limits.js';
import uiPages from './plugins/ui-pages.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identity.js';
import { liveChannel } from './console/live.js';
import { consoleRoutes } from './console/routes.js';
import { bookingRoutes } from './booking/routes.js';
import { bookingConsoleRoutes } from './booking/console-routes.js';
import { shelterConsoleRoutes, shelterOverview } from './shelter/console-routes.js';
import { shelterRoutes } from './shelter/routes.js';
import { consoleAccess } from './staff/access.js';
import type { JpkiContext } from './jpki/index.js';
import { alertRoutes } from './alerts/routes.js';
import { tvAlertChannel } from './alerts/tv-channel.js';
import { alertConsoleRoutes } from './alerts/console-routes.js';
import { alertPublicRoutes } from './alerts/public-routes.js';
import { alertFunnel } from './alerts/funnel.js';
import { SHELTER_CHANGED_CHANNEL } from './shelter/health.js';
import { pensionConsoleRoutes } from './pension/console-routes.js';
import { insurerRoutes } from './pension/insurer-routes.js';
import { pensionRoutes } from './pension/routes.js';
import { sealServices } from './pension/seal-services.js';

export interface AppDeps {
  config: Readonly<Config>;
  database: DbHandle;
  jpki: JpkiContext;
  /**
   * The process's one pino logger (`startPlatform` makes it before opening the database, whose
   * LISTEN warnings go to it too); unset (tests), the app makes its own from `config.logLevel`.
   */
  logger?: FastifyBaseLogger;
}

/** Builds the platform: plugins and routes. Never listens, so tests can `inject` into it. */
export async function buildApp({ config, database, jpki, logger }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: loggerOptions(config.logLevel) }),
    // Ajv must not coerce or strip silently: a malformed request gets REQ_INVALID.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true }, onCreate: strictRequestFormats },
    bodyLimit: 1024 * 1024,
    rewriteUrl: routeUndecodableUrls,
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: { info: { title: 'Common cable authentication platform', version: '0.1.0' } },
  });
  await app.register(errorHandler);
  await app.register(securityHeaders, { uiDir: config.uiDir, readerPort: config.readerPort });
  await app.register(rateLimits, { db: database.db, perDevice: config.rateLimitPerDevice, perIp: config.rateLimitPerIp });
  await app.register(healthRoutes, { database });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const identity = { db: database.db, jpki, config };
  await app.register(identityRoutes, { deps: identity });
  const staffPolicy = { idleSeconds: config.staffIdleSeconds, maxSeconds: config.staffSessionMaxSeconds };
  await app.register(bookingRoutes, { db: database.db });
  await app.register(consoleAccess, { db: database.db, policy: staffPolicy });
  await app.register(consoleRoutes, { deps: { identity, policy: staffPolicy, inviteTtlSeconds: config.staffInviteTtlSeconds, checkpoint: config } });
  await app.register(bookingConsoleRoutes, { db: database.db });
  await app.register(shelterRoutes, { deps: identity, policy: staffPolicy });
  await app.register(shelterConsoleRoutes, { db: database.db });
  // The console's live channel also pushes an alert's funnel to the console showing it.
  const liveSources = {
    alertFunnel: (org: string, alertId: string) => alertFunnel(database.db, org, alertId, config.alertDeliveryBoundSeconds),
    shelters: { channel: SHELTER_CHANGED_CHANNEL, overview: (org: string) => shelterOverview(database.db, org) },
  };
  await app.register(async (scope) => liveChannel(scope, database, staffPolicy, liveSources));
  await app.register(async (scope) => tvAlertChannel(scope, database));
  await app.register(alertRoutes, { deps: { db: database.db, defaultTtlSeconds: config.alertDefaultTtlSeconds } });
  await app.register(alertConsoleRoutes, { deps: { db: database.db, defaultTtlSeconds: config.alertDefaultTtlSeconds, deliveryBoundSeconds: config.alertDeliveryBoundSeconds } });
  await app.register(alertPublicRoutes, { db: database.db });
  // The TSA and evidence key are read (and the dev TSA started) on the first submission only.
  const seal = sealServices(config, jpki);
  app.decorate('pensionSeal', seal);
  app.addHook('onClose', () => seal.close());
  await app.register(pensionRoutes, { deps: { db: database.db, jpki, seal, config } });
  await app.register(pensionConsoleRoutes, { db: database.db, link: { secret: config.nonceSecret, ttlSeconds: config.pensionLinkCodeTtlSeconds } });
  await app.register(insurerRoutes, { db: database.db });
  await app.register(uiPages, { uiDir: config.uiDir });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
