import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations } from '../db/schema/organisations.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import { AppError } from '../shared/errors.js';
import { PublicCapParams, PublicFeedParams } from './alert-console-schemas.js';
import { atomFeed, capXml } from './cap-out.js';
import type { CanonicalAlert } from './model.js';
import { alerts } from './schema.js';

/**
 * The municipality's own alerts published back out (issue 13 §3), with no credential: broadcasters
 * and other systems take them as CAP 1.2, one document per message, and as an Atom feed.
 *
 * "Own" means composed in this platform's console (channel `console`): messages received from a
 * feed (JMA, L-Alert, a neighbour) are someone else's documents, which their consumers take from
 * the source, and re-publishing them under our address would double them downstream. Only status
 * `Actual` is published: drills and tests stay inside. Every message is kept — Alert, Update and
 * Cancel — because a consumer needs the Update and the Cancel to withdraw what it shows.
 */

/** How many messages the feed carries, newest first. */
export const FEED_LIMIT = 50;

const publicWhere = (municipalityId: string) => and(eq(alerts.municipalityId, municipalityId), eq(alerts.channel, 'console'), eq(alerts.status, 'Actual'));

async function municipality(db: Db, code: string) {
  const [org] = await db.select({ id: organisations.id, name: organisations.name, code: organisations.code }).from(organisations)
    .where(and(eq(organisations.code, code), eq(organisations.kind, 'municipality')));
  if (!org) throw new AppError('REQ_NOT_FOUND', { detail: 'no such municipality' });
  return org;
}

export const publicAlertPaths = {
  feed: (code: string) => `/api/v1/alerts/public/${code}/feed`,
  cap: (code: string, id: string) => `/api/v1/alerts/public/${code}/cap/${id}`,
};

export const alertPublicRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get('/api/v1/alerts/public/:code/cap/:id', {
    schema: {
      summary: "One of the municipality's own Actual alerts as a CAP 1.2 document (no credential)",
      ...errorCodes('REQ_NOT_FOUND'), params: PublicCapParams, produces: ['application/cap+xml'], response: withErrors({ 200: Type.String() }),
    },
  }, async (request, reply) => {
    const org = await municipality(db, request.params.code);
    const [row] = await db.select({ document: alerts.document }).from(alerts).where(and(publicWhere(org.id), eq(alerts.id, request.params.id)));
    if (!row) throw new AppError('REQ_NOT_FOUND', { detail: 'no such public alert' });
    return reply.type('application/cap+xml; charset=utf-8').send(capXml(row.document as CanonicalAlert));
  });

  app.get('/api/v1/alerts/public/:code/feed', {
    schema: {
      summary: "The municipality's own Actual alerts as an Atom feed of CAP 1.2 documents, newest first (no credential)",
      ...errorCodes('REQ_NOT_FOUND'), params: PublicFeedParams, produces: ['application/atom+xml'], response: withErrors({ 200: Type.String() }),
    },
  }, async (request, reply) => {
    const org = await municipality(db, request.params.code);
    const rows = await db.select({ id: alerts.id, document: alerts.document, receivedAt: alerts.receivedAt }).from(alerts)
      .where(publicWhere(org.id)).orderBy(desc(alerts.sentAt), desc(alerts.receivedAt)).limit(FEED_LIMIT);
    const xml = atomFeed({
      id: `urn:jisx0402:${org.code}:alerts`,
      title: `${org.name} 避難情報`,
      selfHref: publicAlertPaths.feed(org.code),
      updated: rows[0]?.receivedAt ?? new Date(0),
      entries: rows.map((r) => ({ id: r.id, alert: r.document as CanonicalAlert, href: publicAlertPaths.cap(org.code, r.id) })),
    });
    return reply.type('application/atom+xml; charset=utf-8').send(xml);
  });
};
