import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AlertAnswer, AlertsClient } from '../../api/alerts-client.js';
import { t } from '../strings.js';

/** How long 「お返事を 送りました」 stays once the platform confirmed the answer stored. */
export const ANSWER_STORED_SHOWN_MS = 8_000;
/**
 * How long the alert link may be down before the overlay says so: a reconnect takes about a second,
 * and a notice flashing on and off at each would alarm more than inform.
 */
export const OFFLINE_NOTICE_AFTER_MS = 5_000;

/** What the resident is told of their last answer: waiting to be sent, or stored by the platform. */
export interface AnswerNotice {
  alertId: string;
  answer: AlertAnswer;
  state: 'waiting' | 'stored';
}

/**
 * What the TV tells a resident about the alert link, for the walk's two silences: an answer
 * (避難しました／自宅で安全です) closed the overlay with no word of whether it reached the
 * municipality, and a link that was down showed only in the footer, under the overlay. Now the
 * answer is followed by 「まだ 送れていません。つながったら 送ります」 until the platform confirms it,
 * then 「お返事を 送りました」 for a moment; and `offline` is true once the link has been down for
 * OFFLINE_NOTICE_AFTER_MS (the overlay says new alerts may not arrive).
 */
export class AlertLinkStatus implements ReactiveController {
  notice: AnswerNotice | null = null;
  offline = false;
  private _unsubscribe: (() => void) | null = null;
  private _clearTimer: ReturnType<typeof setTimeout> | null = null;
  private _offlineTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly _host: ReactiveControllerHost, private readonly _alerts: AlertsClient, private readonly _onStored: () => void = () => {}) {
    _host.addController(this);
  }

  hostConnected() {
    this._unsubscribe = this._alerts.subscribeStatus(() => this._changed());
    this._watchLink();
  }

  hostDisconnected() {
    this._unsubscribe?.();
    this._unsubscribe = null;
    this._stopTimer('_clearTimer');
    this._stopTimer('_offlineTimer');
  }

  /** The resident answered `alertId`: they are told where the answer is until it is stored, and then that it is. */
  answered(alertId: string, answer: AlertAnswer) {
    this._stopTimer('_clearTimer');
    this.notice = { alertId, answer, state: 'waiting' };
    this._changed();
  }

  private _changed() {
    this._watchLink();
    const notice = this.notice;
    if (notice?.state === 'waiting' && this._alerts.answerState(notice.alertId) === 'stored') {
      this.notice = { ...notice, state: 'stored' };
      this._clearTimer = setTimeout(() => {
        this._clearTimer = null;
        this.notice = null;
        this._host.requestUpdate();
      }, ANSWER_STORED_SHOWN_MS);
      this._onStored();
    }
    this._host.requestUpdate();
  }

  /** `offline` goes true after the link has been down a while, false as soon as it is up. */
  private _watchLink() {
    if (this._alerts.connected) {
      this._stopTimer('_offlineTimer');
      this.offline = false;
      return;
    }
    if (this.offline || this._offlineTimer) return;
    this._offlineTimer = setTimeout(() => {
      this._offlineTimer = null;
      this.offline = !this._alerts.connected;
      this._host.requestUpdate();
    }, OFFLINE_NOTICE_AFTER_MS);
  }

  private _stopTimer(which: '_clearTimer' | '_offlineTimer') {
    if (this[which]) clearTimeout(this[which]);
    this[which] = null;
  }
}

/** The words for a notice: the answer named once stored (「お返事を 送りました：自宅で安全です」). */
export function answerNoticeText(notice: AnswerNotice): string {
  if (notice.state === 'waiting') return t('alerts.answerWaiting');
  return `${t('alerts.answerStored')}：${t(notice.answer === 'safe_at_home' ? 'alerts.safeAtHome' : 'alerts.evacuated')}`;
}
