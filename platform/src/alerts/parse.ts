import { AppError } from '../shared/errors.js';
import { CAP_12_NS, CAP_OLD_NS, capFromElement } from './cap.js';
import { EDXL_DE_NS, lAlertFromElement, SOAP_NS, unwrapSoap } from './l-alert.js';
import type { CanonicalAlert } from './model.js';
import { decodeDocument, DEFAULT_MAX_BYTES, parseXml } from './xml.js';

/**
 * The one entry point for alert documents: bytes in (any accepted encoding), a canonical alert out,
 * or an AppError with an `ALERT_*` code. Never does I/O.
 */
export function parseAlertDocument(bytes: Uint8Array, opts: { maxBytes?: number } = {}): CanonicalAlert {
  const text = decodeDocument(bytes, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const root = parseXml(text).documentElement!;
  const ns = root.namespaceURI ?? '';
  if (root.localName === 'alert' && ns === CAP_12_NS) return capFromElement(root);
  if (root.localName === 'alert' && CAP_OLD_NS.includes(ns)) throw new AppError('ALERT_UNSUPPORTED_VERSION', { details: { namespace: ns } });
  if (root.localName === 'EDXLDistribution' && ns === EDXL_DE_NS) return lAlertFromElement(root);
  if (root.localName === 'Envelope' && SOAP_NS.includes(ns)) return lAlertFromElement(unwrapSoap(root));
  throw new AppError('ALERT_FORMAT_UNKNOWN', { detail: `root ${root.localName} in ${ns || 'no namespace'}` });
}

/** The summary `npm run alerts -- validate` prints (issue 13 §1). */
export interface ValidationSummary {
  ok: boolean;
  code?: string;
  format?: CanonicalAlert['format'];
  sender?: string;
  identifier?: string;
  sent?: string;
  msgType?: string;
  status?: string;
  infos?: number;
  areas?: string[];
}

export function summarise(alert: CanonicalAlert): ValidationSummary {
  const areas = alert.infos.flatMap((i) => i.areas.map((a) => a.areaDesc || a.geocodes.map((g) => g.value).join(',')));
  return {
    ok: true, format: alert.format, sender: alert.sender, identifier: alert.identifier, sent: alert.sent.text,
    msgType: alert.msgType, status: alert.status, infos: alert.infos.length, areas: [...new Set(areas)],
  };
}

export function validateDocument(bytes: Uint8Array, opts: { maxBytes?: number } = {}): ValidationSummary {
  try {
    return summarise(parseAlertDocument(bytes, opts));
  } catch (err) {
    if (err instanceof AppError && err.code.startsWith('ALERT_')) return { ok: false, code: err.code };
    throw err;
  }
}
