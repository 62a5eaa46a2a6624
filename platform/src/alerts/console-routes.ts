import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client.js';
import { errorCodes, withErrors } from '../routes/schemas.js';
import type { ErrorCode } from '../shared/errors.js';
import { callerOf, CONSOLE_PREFIX } from '../staff/access.js';
import {
  AlertParams, AlertSettings, AlertsOverview, DraftCreateBody, DraftEditBody, DraftParams, DraftVersionBody, DraftView, FunnelView, PreviewBody, PreviewView,
} from './alert-console-schemas.js';
import { alertsOverview, previewOf } from './console-view.js';
import { approveDraft, changeSettings, createDraft, discardDraft, draftViews, editDraft, settingsOf, submitDraft } from './drafts.js';
import { alertFunnel } from './funnel.js';
import { ALERT_DOCUMENT_ERRORS } from './routes.js';

const STAFF_ERRORS = ['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED', 'STAFF_PERMISSION_DENIED', 'STAFF_OUT_OF_SCOPE'] as const satisfies readonly ErrorCode[];
/** What publishing can answer: the draft's own refusals, and storing's (a composed message is parsed by nobody, but ingest still checks it). */
const PUBLISH_ERRORS = ['ALERT_DRAFT_STALE', 'ALERT_DRAFT_STATE', 'ALERT_DRAFT_INVALID', 'ALERT_CONFLICT', 'ALERT_WRONG_MUNICIPALITY', 'REQ_NOT_FOUND'] as const satisfies readonly ErrorCode[];

export interface AlertConsoleDeps {
  db: Db;
  defaultTtlSeconds: number;
  deliveryBoundSeconds: number;
}

/**
 * The municipality's side of alerting in the operator console (issue 13 §3). Disaster officers
 * (alerts.compose / alerts.approve) of the caller's own municipality only; the approval setting is
 * the municipality administrator's (alerts.settings). See drafts.ts for the life of a draft.
 */
export const alertConsoleRoutes: FastifyPluginAsyncTypebox<{ deps: AlertConsoleDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const p = `${CONSOLE_PREFIX}/alerts`;
  const view = async (municipalityId: string, row: Parameters<typeof draftViews>[1][number]) => (await draftViews(db, [row], await settingsOf(db, municipalityId)))[0]!;

  app.get(p, {
    config: { access: { permission: 'alerts.compose' } },
    schema: { summary: "The municipality's alerts, open drafts, the approval setting and the districts and shelters a draft can name", ...errorCodes(STAFF_ERRORS), response: withErrors({ 200: AlertsOverview }) },
  }, async (request) => alertsOverview(db, callerOf(request).organisation.id));

  app.post(`${p}/preview`, {
    config: { access: { permission: 'alerts.compose' } },
    schema: { summary: "The TV overlay text a sample household of the chosen districts would get (nothing stored)", ...errorCodes(STAFF_ERRORS, 'ALERT_DRAFT_INVALID'), body: PreviewBody, response: withErrors({ 200: PreviewView }) },
  }, async (request) => previewOf(db, callerOf(request).organisation.id, request.body));

  app.post(`${p}/drafts`, {
    config: { access: { permission: 'alerts.compose' } },
    schema: {
      summary: 'Compose a draft: a new alert, or an update, extension, lift or cancel of an active one',
      ...errorCodes(STAFF_ERRORS, 'ALERT_DRAFT_INVALID', 'ALERT_NOT_UPDATABLE', 'REQ_NOT_FOUND'), body: DraftCreateBody, response: withErrors({ 201: DraftView }),
    },
  }, async (request, reply) => {
    const context = callerOf(request);
    return reply.code(201).send(await view(context.organisation.id, await createDraft(db, context, request.body)));
  });

  app.put(`${p}/drafts/:id`, {
    config: { access: { permission: 'alerts.compose' } },
    schema: {
      summary: "Change a draft (its composer only); a draft awaiting approval goes back to draft",
      ...errorCodes(STAFF_ERRORS, 'ALERT_DRAFT_INVALID', 'ALERT_DRAFT_NOT_YOURS', 'ALERT_DRAFT_STALE', 'ALERT_DRAFT_STATE', 'ALERT_NOT_UPDATABLE', 'REQ_NOT_FOUND'),
      params: DraftParams, body: DraftEditBody, response: withErrors({ 200: DraftView }),
    },
  }, async (request) => {
    const context = callerOf(request);
    return view(context.organisation.id, await editDraft(db, context, request.params.id, request.body));
  });

  app.post(`${p}/drafts/:id/submit`, {
    config: { access: { permission: 'alerts.compose' } },
    schema: {
      summary: 'Submit a draft: it waits for a second officer when approval is needed, else it is published at once',
      ...errorCodes(STAFF_ERRORS, PUBLISH_ERRORS, ALERT_DOCUMENT_ERRORS, 'ALERT_DRAFT_NOT_YOURS'), params: DraftParams, body: DraftVersionBody, response: withErrors({ 200: DraftView }),
    },
  }, async (request) => {
    const context = callerOf(request);
    return view(context.organisation.id, await submitDraft(deps, context, request.params.id, request.body.version));
  });

  app.post(`${p}/drafts/:id/approve`, {
    config: { access: { permission: 'alerts.approve' } },
    schema: {
      summary: "A second disaster officer approves a submitted draft, which publishes it (never the composer's own)",
      ...errorCodes(STAFF_ERRORS, PUBLISH_ERRORS, ALERT_DOCUMENT_ERRORS, 'ALERT_OWN_APPROVAL'), params: DraftParams, body: DraftVersionBody, response: withErrors({ 200: DraftView }),
    },
  }, async (request) => {
    const context = callerOf(request);
    return view(context.organisation.id, await approveDraft(deps, context, request.params.id, request.body.version));
  });

  app.post(`${p}/drafts/:id/discard`, {
    config: { access: { permission: 'alerts.compose' } },
    schema: {
      summary: 'Discard a draft that was not published (also how a second officer turns a submitted draft down)',
      ...errorCodes(STAFF_ERRORS, 'ALERT_DRAFT_STALE', 'ALERT_DRAFT_STATE', 'REQ_NOT_FOUND'), params: DraftParams, body: DraftVersionBody, response: withErrors({ 200: DraftView }),
    },
  }, async (request) => {
    const context = callerOf(request);
    return view(context.organisation.id, await discardDraft(db, context, request.params.id, request.body.version));
  });

  app.get(`${p}/:id/funnel`, {
    config: { access: { permission: 'alerts.compose' } },
    schema: {
      summary: 'Targeted → delivered → displayed → acknowledged households per district, TVs not reached, delivery times and the watchdog',
      ...errorCodes(STAFF_ERRORS, 'REQ_NOT_FOUND'), params: AlertParams, response: withErrors({ 200: FunnelView }),
    },
  }, async (request) => alertFunnel(db, callerOf(request).organisation.id, request.params.id, deps.deliveryBoundSeconds));

  app.put(`${p}/settings`, {
    config: { access: { permission: 'alerts.settings' } },
    schema: { summary: "Whether the municipality's Actual alerts need a second officer's approval (default: required)", ...errorCodes(STAFF_ERRORS), body: AlertSettings, response: withErrors({ 200: AlertSettings }) },
  }, async (request) => changeSettings(db, callerOf(request), request.body.approvalRequired));
};
