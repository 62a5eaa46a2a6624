import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import { AppError } from '../shared/errors.js';
import { AlertIngestResult } from './alerts-schemas.js';
import { feedCaller } from './feed.js';
import { ingestAlert } from './ingest.js';
import { parseAlertDocument } from './parse.js';
import { DEFAULT_MAX_BYTES } from './xml.js';

/** Codes the strict parser can refuse a document with. */
export const ALERT_DOCUMENT_ERRORS = [
  'ALERT_TOO_LARGE', 'ALERT_DTD_REFUSED', 'ALERT_ENCODING_UNSUPPORTED', 'ALERT_MALFORMED', 'ALERT_FORMAT_UNKNOWN', 'ALERT_UNSUPPORTED_VERSION',
  'ALERT_MISSING_ELEMENT', 'ALERT_VALUE_INVALID', 'ALERT_ENUM_INVALID', 'ALERT_REFERENCES_INVALID', 'ALERT_POLYGON_INVALID',
  'ALERT_CIRCLE_INVALID', 'ALERT_DATE_INVALID', 'ALERT_DATE_NO_TIMEZONE', 'ALERT_LALERT_INCOMPLETE',
] as const;

const XML_TYPES = ['application/xml', 'text/xml', 'application/cap+xml', 'application/soap+xml'];

export interface AlertRouteDeps {
  db: Db;
  defaultTtlSeconds: number;
}

/** `POST /api/v1/alerts/cap`: a municipality's feed pushes a CAP 1.2 or L-Alert document (raw XML body). */
export const alertRoutes: FastifyPluginAsyncTypebox<{ deps: AlertRouteDeps }> = async (app, { deps }) => {
  // The raw bytes: the parser decodes them from the document's own declared encoding.
  app.addContentTypeParser(XML_TYPES, { parseAs: 'buffer', bodyLimit: DEFAULT_MAX_BYTES * 2 }, (_req, body, done) => done(null, body));
  app.post(
    '/api/v1/alerts/cap',
    {
      bodyLimit: DEFAULT_MAX_BYTES * 2,
      schema: {
        summary: 'Ingest a CAP 1.2 or L-Alert EvacuationOrder document for the feed credential\'s municipality',
        ...errorCodes(ALERT_DOCUMENT_ERRORS, 'ALERT_FEED_UNAUTHORIZED', 'ALERT_SENDER_NOT_ALLOWED', 'ALERT_CONFLICT', 'ALERT_WRONG_MUNICIPALITY', 'REQ_NOT_FOUND', 'REQ_UNSUPPORTED_MEDIA'),
        response: withErrors({ 200: AlertIngestResult, 201: AlertIngestResult }),
      },
    },
    async (request, reply) => {
      const caller = await feedCaller(deps.db, request.headers.authorization);
      // Only the XML types above reach this as bytes: JSON or text parsed by the app's own parsers, or no body, is no alert document.
      if (!Buffer.isBuffer(request.body)) throw new AppError('REQ_UNSUPPORTED_MEDIA', { detail: `send the document as one of ${XML_TYPES.join(', ')}` });
      const alert = parseAlertDocument(request.body);
      if (!caller.senders.includes(alert.sender)) throw new AppError('ALERT_SENDER_NOT_ALLOWED', { details: { sender: alert.sender } });
      const result = await ingestAlert(deps.db, {
        municipalityCode: caller.municipalityCode, alert, channel: 'feed', actor: `feed:${caller.credentialId}`, defaultTtlSeconds: deps.defaultTtlSeconds,
      });
      return reply.code(result.outcome === 'stored' ? 201 : 200).send(result);
    },
  );
};
