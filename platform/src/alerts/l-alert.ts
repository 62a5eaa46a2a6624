import type { Element } from '@xmldom/xmldom';
import { AppError } from '../shared/errors.js';
import {
  CAP_CERTAINTY, CAP_SEVERITY, CAP_URGENCY,
  type AlertArea, type AlertInfo, type AlertStatus, type CanonicalAlert, type EvacuationLevel, type NamedValue,
} from './model.js';
import { checkEnum, checkIdentifier, parseCircle, parseInstant, parsePolygon } from './values.js';
import { childElements, textOf } from './xml.js';

/**
 * L-Alert (災害情報共有システム, formerly 公共情報コモンズ) EvacuationOrder messages onto the canonical
 * model. The wire shape (research/disaster.md §1.4): an EDXL-DE 1.0 `EDXLDistribution`, bare or in a
 * SOAP `publish` envelope, carrying commons metadata and an embedded `Report` whose body is in the
 * `…/body/evacuation3` or `…/body/evacuation4` namespace family.
 *
 * Mapping: documentID + documentRevision → identifier (`<documentID>#<revision>`), so every revision
 * is its own CAP message; revisions after the first are Updates of the same document (storage
 * supersedes by documentID). Each `Detail` becomes one info: Sort → 2021 level, 発令/解除 → level or
 * `lift`, areas keep their 町丁目 / jisX0402 codes as geocodes. Head/InfoType 取消 → Cancel.
 */

export const EDXL_DE_NS = 'urn:oasis:names:tc:emergency:EDXL:DE:1.0';
export const SOAP_NS = ['http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope'];
export const PC_SOAP_NS = 'http://soap.publiccommons.ne.jp/';
const COMMONS_PREFIX = 'http://xml.publiccommons.ne.jp/';
const BODY_NS = /^http:\/\/xml\.publiccommons\.ne\.jp\/pcxml1\/body\/evacuation([34])$/;

/** Sort values, current (2021) and archived, onto the level. */
const SORT_LEVEL: Record<string, 3 | 4 | 5> = {
  高齢者等避難: 3, '避難準備・高齢者等避難開始': 3, 避難準備: 3,
  避難指示: 4, 避難勧告: 4, '避難指示（緊急）': 4,
  緊急安全確保: 5, 災害発生情報: 5,
};

const isCommons = (el: Element) => (el.namespaceURI ?? '').startsWith(COMMONS_PREFIX);

/** Children named `name` in EDXL-DE or any L-Alert namespace (L-Alert moves elements between its own). */
function kids(el: Element, name: string): Element[] {
  return childElements(el).filter((c) => c.localName === name && (isCommons(c) || c.namespaceURI === EDXL_DE_NS));
}

function opt(el: Element | undefined, ...path: string[]): string | undefined {
  let cur: Element | undefined = el;
  for (const name of path) cur = cur ? kids(cur, name)[0] : undefined;
  const value = cur ? textOf(cur) : '';
  return value || undefined;
}

function req(el: Element | undefined, ...path: string[]): string {
  const value = opt(el, ...path);
  if (value === undefined) throw new AppError('ALERT_LALERT_INCOMPLETE', { details: { field: path.join('/') } });
  return value;
}

function reqEl(el: Element | undefined, ...path: string[]): Element {
  let cur: Element | undefined = el;
  for (const name of path) cur = cur ? kids(cur, name)[0] : undefined;
  if (!cur) throw new AppError('ALERT_LALERT_INCOMPLETE', { details: { field: path.join('/') } });
  return cur;
}

function descendants(el: Element, pred: (e: Element) => boolean): Element | undefined {
  for (const c of childElements(el)) {
    if (pred(c)) return c;
    const deeper = descendants(c, pred);
    if (deeper) return deeper;
  }
  return undefined;
}

/** The EDXLDistribution inside a SOAP `publish` envelope (Envelope/Body/publish/message/EDXLDistribution). */
export function unwrapSoap(envelope: Element): Element {
  const body = childElements(envelope).find((c) => c.localName === 'Body' && SOAP_NS.includes(c.namespaceURI ?? ''));
  const publish = body && childElements(body).find((c) => c.localName === 'publish' && c.namespaceURI === PC_SOAP_NS);
  const message = publish && childElements(publish).find((c) => c.localName === 'message');
  const edxl = message && childElements(message).find((c) => c.localName === 'EDXLDistribution' && c.namespaceURI === EDXL_DE_NS);
  if (!edxl) throw new AppError('ALERT_FORMAT_UNKNOWN', { detail: 'SOAP envelope without publish/message/EDXLDistribution' });
  return edxl;
}

function statusOf(text: string): AlertStatus {
  const map: Record<string, AlertStatus> = { Actual: 'Actual', Exercise: 'Exercise', System: 'System', Test: 'Test', 実運用: 'Actual', 訓練: 'Exercise', 試験: 'Test' };
  const status = map[text];
  if (!status) throw new AppError('ALERT_ENUM_INVALID', { details: { field: 'distributionStatus' } });
  return status;
}

function areaOf(el: Element, municipalityCode: string): AlertArea {
  const loc = kids(el, 'Location')[0] ?? el;
  const areaDesc = opt(loc, 'areaName') ?? opt(el, 'areaName') ?? opt(el, 'Name');
  if (!areaDesc) throw new AppError('ALERT_LALERT_INCOMPLETE', { details: { field: 'Area/areaName' } });
  const geocodes: NamedValue[] = [{ valueName: 'jisX0402', value: opt(loc, 'jisX0402') ?? municipalityCode }];
  const town = opt(loc, 'ooAzaTyouTyouMokuCode');
  if (town) {
    if (!/^\d{12}$/.test(town)) throw new AppError('ALERT_VALUE_INVALID', { details: { field: 'ooAzaTyouTyouMokuCode' } });
    geocodes.push({ valueName: 'ooAzaTyouTyouMokuCode', value: town });
  }
  return {
    areaDesc,
    polygons: kids(loc, 'polygon').map((p) => parsePolygon(textOf(p))),
    circles: kids(loc, 'circle').map((c) => parseCircle(textOf(c))),
    geocodes,
  };
}

export function lAlertFromElement(edxl: Element): CanonicalAlert {
  const content = reqEl(edxl, 'contentObject');
  const report = descendants(content, (e) => e.localName === 'Report' && isCommons(e));
  if (!report) throw new AppError('ALERT_LALERT_INCOMPLETE', { details: { field: 'Report' } });
  const order = childElements(report).find((c) => c.localName === 'EvacuationOrder');
  const family = order && BODY_NS.exec(order.namespaceURI ?? '')?.[1];
  if (!order || !family) {
    if (opt(report, 'Control', 'Title') === 'EvacuationOrder' || !order) throw new AppError('ALERT_LALERT_INCOMPLETE', { details: { field: 'EvacuationOrder' } });
    throw new AppError('ALERT_FORMAT_UNKNOWN', { detail: 'EvacuationOrder in an unknown namespace' });
  }
  const control = reqEl(report, 'Control');
  const head = reqEl(report, 'Head');
  if (req(control, 'Title') !== 'EvacuationOrder') throw new AppError('ALERT_FORMAT_UNKNOWN', { detail: 'only EvacuationOrder reports are accepted' });

  const municipalityCode = req(edxl, 'targetArea', 'jisX0402');
  if (!/^\d{6}$/.test(municipalityCode)) throw new AppError('ALERT_VALUE_INVALID', { details: { field: 'jisX0402' } });
  const documentId = opt(content, 'documentID') ?? req(head, 'documentID');
  const revisionText = opt(content, 'documentRevision') ?? req(head, 'documentRevision');
  const revision = Number(revisionText);
  // The revision is stored as a 32-bit integer: a larger one was a 500 from the database.
  if (!/^\d+$/.test(revisionText) || revision > 2 ** 31 - 1) throw new AppError('ALERT_VALUE_INVALID', { details: { field: 'documentRevision' } });
  const previousText = opt(head, 'previousDocumentRevision');
  const sender = checkIdentifier(req(edxl, 'senderID'), 'sender');
  const status = statusOf(req(edxl, 'distributionStatus'));
  const controlStatus = opt(control, 'distributionStatus');
  // A message whose envelope and report disagree (e.g. envelope Actual, report 訓練) is treated as the less real one.
  const effectiveStatus = controlStatus && statusOf(controlStatus) !== 'Actual' ? statusOf(controlStatus) : status;
  const infoType = opt(head, 'InfoType');
  const msgType = infoType === '取消' ? 'Cancel' : revision > 1 || previousText ? 'Update' : 'Alert';

  const urgency = checkEnum(opt(content, 'urgency') ?? 'Immediate', CAP_URGENCY, 'urgency');
  const severity = checkEnum(opt(content, 'severity') ?? 'Severe', CAP_SEVERITY, 'severity');
  const certainty = checkEnum(opt(content, 'certainty') ?? 'Observed', CAP_CERTAINTY, 'certainty');
  const validUntil = opt(head, 'ValidDateTime');
  const headline = opt(head, 'Headline', 'Text');
  const event = opt(order, 'Disaster', 'DisasterName') ?? req(head, 'Title');
  const details = kids(order, 'Detail');
  if (!details.length && msgType !== 'Cancel') throw new AppError('ALERT_LALERT_INCOMPLETE', { details: { field: 'EvacuationOrder/Detail' } });

  const infos: AlertInfo[] = details.map((detail) => {
    const sort = req(detail, 'Sort');
    const issueOrLift = req(detail, 'IssueOrLift');
    const sortLevel = SORT_LEVEL[sort];
    if (!sortLevel) throw new AppError('ALERT_ENUM_INVALID', { details: { field: 'Sort' } });
    if (issueOrLift !== '発令' && issueOrLift !== '解除') throw new AppError('ALERT_ENUM_INVALID', { details: { field: 'IssueOrLift' } });
    const level: EvacuationLevel = issueOrLift === '解除' ? 'lift' : sortLevel;
    const areaEls = kids(detail, 'Areas').flatMap((a) => kids(a, 'Area'));
    if (!areaEls.length) throw new AppError('ALERT_LALERT_INCOMPLETE', { details: { field: 'Detail/Areas/Area' } });
    const info: AlertInfo = {
      language: opt(edxl, 'language') ?? 'ja-JP',
      category: ['Safety'],
      event,
      responseType: level === 'lift' ? ['AllClear'] : level === 5 ? ['Shelter'] : ['Evacuate'],
      urgency: level === 'lift' ? 'Past' : urgency,
      severity,
      certainty,
      eventCodes: [],
      parameters: [{ valueName: 'evacuationLevel', value: String(level) }, { valueName: 'Sort', value: sort }, { valueName: 'IssueOrLift', value: issueOrLift }],
      resources: [],
      areas: areaEls.map((a) => areaOf(a, municipalityCode)),
      level,
      senderName: opt(content, 'publishingOfficeName') ?? opt(control, 'PublishingOffice', 'OfficeInfo', 'OfficeName') ?? sender,
    };
    if (headline) info.headline = headline;
    const complementary = opt(order, 'ComplementaryInfo');
    if (complementary) info.description = complementary;
    if (validUntil) info.expires = parseInstant(validUntil, 'ValidDateTime', true);
    return info;
  });

  const alert: CanonicalAlert = {
    format: 'l-alert',
    identifier: checkIdentifier(`${documentId}#${revision}`, 'identifier'),
    sender,
    sent: parseInstant(req(edxl, 'dateTimeSent'), 'dateTimeSent', true),
    status: effectiveStatus,
    msgType,
    scope: 'Public',
    codes: [`l-alert-v${family}`],
    references: [],
    infos,
    lAlert: { documentId, revision },
  };
  if (previousText !== undefined) {
    if (!/^\d+$/.test(previousText)) throw new AppError('ALERT_VALUE_INVALID', { details: { field: 'previousDocumentRevision' } });
    alert.lAlert!.previousRevision = Number(previousText);
  }
  return alert;
}
