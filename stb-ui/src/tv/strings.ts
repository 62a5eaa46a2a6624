import type { Action } from './input/actions.js';

/**
 * Every string the TV page shows, keyed, in one table per language. Japanese is the only language
 * so far; another is a second table with the same keys (the type makes a missing key an error).
 */
const ja = {
  'app.title': 'テレビで マイナンバーカード',
  'start.insertCard': 'カードをリーダーにおいてください',
  'start.menu': 'メニュー',
  'menu.login': 'ログイン',
  'menu.register': 'はじめて登録',
  'menu.settings': '設定',
  'settings.title': '設定',
  'settings.textSize': '文字の大きさ',
  'settings.textSize.large': '大',
  'settings.textSize.xlarge': '特大',
  'settings.contrast': '高コントラスト',
  'settings.contrast.on': 'オン',
  'settings.contrast.off': 'オフ',
  'settings.keyTest': 'キーテスト',
  'settings.selected': '選択中',
  'keyTest.title': 'キーテスト',
  'keyTest.hint': 'リモコンのボタンを押すと、ここに表示されます。',
  'keyTest.backHint': '「戻る」ボタンで 設定に もどります。',
  'keyTest.waiting': 'まだ 何も押されていません',
  'keyTest.key': 'キー',
  'keyTest.keyCode': 'キーコード',
  'keyTest.action': '動作',
  'keyTest.unknown': 'アプリでは 使わないキー',
  'keyTest.history': 'これまでに 押したキー',
  'exit.title': 'アプリを終了しますか？',
  'exit.yes': 'はい',
  'exit.no': 'いいえ',
  'notReady.title': 'この機能は じゅんび中です',
  'notReady.message': 'もうしばらく お待ちください。',
  'dialog.close': 'とじる',
  'legend.back': 'もどる',
  'legend.title': 'リモコンの色ボタン',
  'color.red': '赤',
  'color.green': '緑',
  'color.yellow': '黄',
  'color.blue': '青',
  'action.up': '上',
  'action.down': '下',
  'action.left': '左',
  'action.right': '右',
  'action.ok': '決定',
  'action.back': '戻る',
  'action.exit': '終了',
  'action.red': '赤',
  'action.green': '緑',
  'action.yellow': '黄',
  'action.blue': '青',
  'action.digit0': '数字 0',
  'action.digit1': '数字 1',
  'action.digit2': '数字 2',
  'action.digit3': '数字 3',
  'action.digit4': '数字 4',
  'action.digit5': '数字 5',
  'action.digit6': '数字 6',
  'action.digit7': '数字 7',
  'action.digit8': '数字 8',
  'action.digit9': '数字 9',
  'action.digit10': '数字 10',
  'action.digit11': '数字 11',
  'action.digit12': '数字 12',
  'action.d': 'dボタン',
  'action.play': '再生',
  'action.pause': '一時停止',
  'action.playPause': '再生／一時停止',
  'action.stop': '停止',
  'action.fastForward': '早送り',
  'action.rewind': '巻き戻し',
  'action.pageUp': '前のページ',
  'action.pageDown': '次のページ',
} as const satisfies Record<string, string> & Record<`action.${Action}`, string>;

/** A key of the string table. */
export type StringKey = keyof typeof ja;
/** The languages the table has. */
export type Lang = 'ja';

/** The string tables, one per language, each with every key. */
export const STRINGS: Readonly<Record<Lang, Readonly<Record<StringKey, string>>>> = { ja };

let current: Lang = 'ja';

/** Chooses the language `t` answers in. */
export function setLang(lang: Lang): void {
  current = lang;
}

/** The text for `key` in the current language. */
export function t(key: StringKey): string {
  return STRINGS[current][key];
}
