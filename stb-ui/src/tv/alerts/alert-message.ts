import type { TvAlert, TvAlertMessage } from '../../api/alerts-client.js';

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
