import { AppError } from '../shared/errors.js';
import type { AlertCircle, AlertInstant, AlertKey } from './model.js';

/**
 * Value rules shared by every alert format: CAP 1.2 date-times (offset required, never `Z`),
 * WGS84 polygons and circles, and `references` triplets.
 */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;
/**
 * Instants an alert can name: from 1970 to the end of 9999 in UTC. Outside, no alert was ever sent,
 * and the database would refuse the year (0000, or 10000 written by a -14:00 offset) as a 500.
 */
const LATEST_MS = Date.UTC(10000, 0, 1);
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/**
 * A CAP date-time. `lenient` (L-Alert) also takes fractional seconds and `Z`, which its feeds use;
 * a time with no zone at all is refused either way — guessing one could shift an order by 9 hours.
 */
export function parseInstant(text: string, field: string, lenient = false): AlertInstant {
  const value = text.trim();
  if (LOCAL_DATE_TIME.test(value)) throw new AppError('ALERT_DATE_NO_TIMEZONE', { details: { field } });
  const m = DATE_TIME.exec(value);
  const ok = m
    ? Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31 && Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 59 && Number(m[8]) <= 14 && Number(m[9]) <= 59
    : lenient && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value);
  const epochMs = Date.parse(value);
  if (!ok || Number.isNaN(epochMs) || epochMs < 0 || epochMs >= LATEST_MS) throw new AppError('ALERT_DATE_INVALID', { details: { field } });
  return { text: value, epochMs };
}

function coordinate(text: string, field: string): [number, number] {
  const parts = text.split(',');
  const [lat, lon] = parts.map(Number);
  if (parts.length !== 2 || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat!) > 90 || Math.abs(lon!) > 180) {
    throw new AppError(field === 'polygon' ? 'ALERT_POLYGON_INVALID' : 'ALERT_CIRCLE_INVALID', { details: { field } });
  }
  return [lat!, lon!];
}

/** `lat,lon lat,lon …` with at least four points, the first equal to the last. */
export function parsePolygon(text: string): [number, number][] {
  const points = text.trim().split(/\s+/).filter(Boolean).map((p) => coordinate(p, 'polygon'));
  const first = points[0];
  const last = points[points.length - 1];
  if (points.length < 4 || !first || !last || first[0] !== last[0] || first[1] !== last[1]) {
    throw new AppError('ALERT_POLYGON_INVALID', { detail: 'a polygon needs 4+ points and must be closed' });
  }
  return points;
}

/** `lat,lon radiusKm` (CAP); L-Alert writes `lat,lon,radiusKm`. A radius of 0 is a point. */
export function parseCircle(text: string): AlertCircle {
  const m = /^\s*([^\s,]+,[^\s,]+)(?:\s+|,)([^\s,]+)\s*$/.exec(text);
  const radiusKm = Number(m?.[2]);
  if (!m || !Number.isFinite(radiusKm) || radiusKm < 0) throw new AppError('ALERT_CIRCLE_INVALID');
  const [lat, lon] = coordinate(m[1]!, 'circle');
  return { lat, lon, radiusKm };
}

/** Whitespace-separated `sender,identifier,sent` triplets; at least one. */
export function parseReferences(text: string | undefined): AlertKey[] {
  const triplets = (text ?? '').trim().split(/\s+/).filter(Boolean);
  if (!triplets.length) throw new AppError('ALERT_REFERENCES_INVALID', { detail: 'Update/Cancel without references' });
  return triplets.map((t) => {
    const parts = t.split(',');
    if (parts.length !== 3 || parts.some((p) => !p)) throw new AppError('ALERT_REFERENCES_INVALID', { detail: 'not a sender,identifier,sent triplet' });
    try {
      parseInstant(parts[2]!, 'references');
    } catch (cause) {
      throw new AppError('ALERT_REFERENCES_INVALID', { detail: 'reference sent is not a CAP date-time', cause });
    }
    return { sender: parts[0]!, identifier: parts[1]!, sent: parts[2]! };
  });
}

/**
 * Longest identifier or sender accepted, in characters. CAP sets none; real ones are a few dozen
 * characters. The pair is a unique key (`alerts_municipality_sender_identifier_uq`), and a b-tree
 * entry must stay under 2,704 bytes: two of these at 4 bytes a character, with the municipality, do.
 */
export const MAX_IDENTIFIER_LENGTH = 256;

/** CAP forbids spaces, commas and `<`/`&` in identifier and sender (they would break references). */
export function checkIdentifier(value: string, field: 'identifier' | 'sender'): string {
  if (!value || /[\s,<&]/.test(value)) throw new AppError('ALERT_VALUE_INVALID', { details: { field } });
  if (value.length > MAX_IDENTIFIER_LENGTH) throw new AppError('ALERT_VALUE_INVALID', { detail: `longer than ${MAX_IDENTIFIER_LENGTH} characters`, details: { field } });
  return value;
}

export function checkEnum<T extends string>(value: string, allowed: readonly T[], field: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new AppError('ALERT_ENUM_INVALID', { details: { field } });
  return value as T;
}
