import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import { insurerOf } from './api-credentials.js';
import { submissionsOf } from './insurer-view.js';
import { IdParams, SubmissionList, SubmissionsQuery } from './pension-schemas.js';
import { bundleOf } from './submissions.js';

/**
 * The insurer API for the insurer's own systems (`Authorization: Insurer <id>.<secret>`, made in
 * the console): its own submissions since a cursor, and each bundle. Nothing of another provider.
 */
export const insurerRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const p = '/api/v1/insurer';
  app.get(`${p}/submissions`, {
    schema: { summary: 'My submissions, oldest first, after the cursor `since` (insurer credential)', ...errorCodes('PENSION_API_UNAUTHORIZED', 'PENSION_API_CREDENTIAL_REVOKED'), querystring: SubmissionsQuery, response: withErrors({ 200: SubmissionList }) },
  }, async (request) => submissionsOf(db, (await insurerOf(db, request.headers.authorization)).providerId, request.query));

  app.get(`${p}/submissions/:id/bundle`, {
    schema: { summary: 'The evidence bundle of one of my sealed submissions (insurer credential)', ...errorCodes('PENSION_API_UNAUTHORIZED', 'PENSION_API_CREDENTIAL_REVOKED', 'REQ_NOT_FOUND'), params: IdParams },
  }, async (request, reply) => {
    const { providerId } = await insurerOf(db, request.headers.authorization);
    return reply.type('application/json').send(await bundleOf(db, providerId, request.params.id));
  });
};
