import { canonicalJson } from '../identity/canonical-json.js';
import { AppError } from '../shared/errors.js';

/** Format tag of the canonical 現況確認届; a verifier refuses any other. */
export const DOCUMENT_FORMAT = 'genkyo-kakunin-todoke/1';

/**
 * What the annuitant declares. `aliveAndSigningMyself` is the point of the form and must be true
 * (someone who cannot say it does not sign). Each `…Unchanged: false` is a change the insurer
 * follows up; `changes` then says what changed, in the resident's words.
 */
export interface Declarations {
  aliveAndSigningMyself: true;
  addressUnchanged: boolean;
  nameUnchanged: boolean;
  paymentAccountUnchanged: boolean;
  /** What changed (required, ≤ 200 characters, when anything changed; null otherwise). */
  changes: string | null;
}

/** The 現況確認届 as signed: exactly these fields, canonical JSON, UTF-8. */
export interface StatusConfirmation {
  format: typeof DOCUMENT_FORMAT;
  form: '現況確認届';
  insurer: { id: string; name: string };
  policyRef: string;
  /** The insurer's own service UID for this person (never a serial or another service's UID). */
  serviceUid: string;
  campaignId: string;
  /** The confirmation period, `YYYY-MM` (the policy's due month). */
  period: string;
  declarations: Declarations;
  /** Platform-chosen, unique per submission: the same answers never give the same bytes twice. */
  nonce: string;
  /** When the platform prepared the document (the signer's claim of time is the timestamp's job). */
  preparedAt: string;
}

export const MAX_CHANGES_LENGTH = 200;

/** Checks declarations a resident (or a malicious TV) sent; REQ_INVALID names what is wrong. */
export function checkDeclarations(value: unknown): Declarations {
  const d = value as Partial<Declarations> | null;
  const problems: string[] = [];
  if (!d || typeof d !== 'object') throw new AppError('REQ_INVALID', { detail: 'declarations must be an object' });
  if (d.aliveAndSigningMyself !== true) problems.push('aliveAndSigningMyself must be true');
  for (const key of ['addressUnchanged', 'nameUnchanged', 'paymentAccountUnchanged'] as const) {
    if (typeof d[key] !== 'boolean') problems.push(`${key} must be true or false`);
  }
  const anyChange = d.addressUnchanged === false || d.nameUnchanged === false || d.paymentAccountUnchanged === false;
  const changes = typeof d.changes === 'string' ? d.changes.trim() : d.changes;
  if (anyChange) {
    if (typeof changes !== 'string' || !changes) problems.push('changes must say what changed');
    else if ([...changes].length > MAX_CHANGES_LENGTH) problems.push(`changes must be at most ${MAX_CHANGES_LENGTH} characters`);
  } else if (changes !== null && changes !== undefined && changes !== '') {
    problems.push('changes must be empty when nothing changed');
  }
  if (problems.length) throw new AppError('REQ_INVALID', { detail: problems.join('; ') });
  return {
    aliveAndSigningMyself: true,
    addressUnchanged: d.addressUnchanged!,
    nameUnchanged: d.nameUnchanged!,
    paymentAccountUnchanged: d.paymentAccountUnchanged!,
    changes: anyChange ? (changes as string) : null,
  };
}

/** The exact bytes the card signs. */
export function encodeDocument(doc: Omit<StatusConfirmation, 'format' | 'form'>): Uint8Array {
  const full: StatusConfirmation = { format: DOCUMENT_FORMAT, form: '現況確認届', ...doc, declarations: checkDeclarations(doc.declarations) };
  return new TextEncoder().encode(canonicalJson(full));
}

/**
 * Reads signed bytes back. The bytes must be the canonical encoding of a well-formed document (so
 * no second reading of the same signature can exist); EVIDENCE_MALFORMED otherwise.
 */
export function decodeDocument(bytes: Uint8Array): StatusConfirmation {
  const bad = (detail: string) => new AppError('EVIDENCE_MALFORMED', { detail });
  let doc: StatusConfirmation;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as StatusConfirmation;
  } catch {
    throw bad('the document is not UTF-8 JSON');
  }
  if (!doc || doc.format !== DOCUMENT_FORMAT || doc.form !== '現況確認届') throw bad(`the document is not ${DOCUMENT_FORMAT}`);
  try {
    checkDeclarations(doc.declarations);
  } catch {
    throw bad('the declarations are not well formed');
  }
  if (canonicalJson(doc) !== new TextDecoder().decode(bytes)) throw bad('the document is not in canonical form');
  return doc;
}

/** Plain-Japanese lines of the declarations, as the TV and the insurer show them. */
export function declarationLines(d: Declarations): string[] {
  return [
    '私は生存しており、本人がこの届出に署名します。',
    d.addressUnchanged ? '住所に変更はありません。' : '住所が変わりました。',
    d.nameUnchanged ? '氏名に変更はありません。' : '氏名が変わりました。',
    d.paymentAccountUnchanged ? '年金の受取口座に変更はありません。' : '年金の受取口座が変わりました。',
    ...(d.changes ? [`変更の内容: ${d.changes}`] : []),
  ];
}
