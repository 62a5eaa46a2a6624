import type { TvAlert, TvAlertMessage } from '../../api/alerts-client.js';
import { t } from '../strings.js';

/**
 * Which of an alert's languages the overlay shows (issue 13 §2: several languages when the source
 * has several `<info>`). Japanese first, whatever order the source wrote them in; the resident may
 * switch to another the alert carries (`language`, e.g. `en`).
 */
export function messageIn(alert: Pick<TvAlert, 'messages'>, language = 'ja'): TvAlertMessage {
  const starts = (prefix: string) => alert.messages.find((m) => m.language.toLowerCase().split('-')[0] === prefix);
  return starts(language.toLowerCase()) ?? starts('ja') ?? alert.messages[0]!;
}

/** The other language the overlay's switch offers, if the alert has one besides the one shown. */
export function otherLanguage(alert: Pick<TvAlert, 'messages'>, shown: TvAlertMessage): string | null {
  const other = alert.messages.find((m) => m.language.split('-')[0] !== shown.language.split('-')[0]);
  return other ? other.language.toLowerCase().split('-')[0]! : null;
}

/**
 * What the overlay says of a message that is not a real order (only a TV flagged for test alerts
 * shows one): 訓練 for an Exercise, テスト for a Test, in plain Japanese; null for an Actual one.
 */
export function notRealNotice(alert: Pick<TvAlert, 'status'>): string | null {
  if (!alert.status || alert.status === 'Actual') return null;
  return t(alert.status === 'Exercise' ? 'alerts.exercise' : alert.status === 'Test' ? 'alerts.test' : 'alerts.notActual');
}

/** What is read aloud for an alert: a drill says so first, so nobody hears it as a real order. */
export function spokenAlert(alert: Pick<TvAlert, 'messages' | 'status'>): string {
  const notice = notRealNotice(alert);
  const speech = messageIn(alert).speech;
  return notice ? `${notice}。${speech}。${notice}` : speech;
}

/** How urgent an alert is: 警戒レベル 5, 4, 3, then one naming no level, then a lift (解除). */
export function urgency(alert: Pick<TvAlert, 'level'>): number {
  if (alert.level === 'lift') return 0;
  const level = Number(alert.level);
  return Number.isInteger(level) && level > 0 ? level : 1;
}

/**
 * The alerts in the order the overlay takes them, the next to show last: the most urgent, and of
 * equally urgent ones the latest sent (then the latest to arrive). A walk found a 緊急安全確保 queued
 * behind a 高齢者等避難 that merely came later.
 */
export function mostUrgentLast<A extends Pick<TvAlert, 'level' | 'sentAt'>>(alerts: readonly A[]): A[] {
  return [...alerts].sort((a, b) => urgency(a) - urgency(b) || Date.parse(a.sentAt) - Date.parse(b.sentAt));
}
