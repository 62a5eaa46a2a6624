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
  'legend.back': 'もどる',

  // Card and reader status (start screen, PIN screens)
  'card.offline': 'カードリーダーが見つかりません',
  'card.offline.hint': 'カードリーダーの電源と接続を確かめてください。',
  'card.noReader': 'カードリーダーが見つかりません',
  'card.present': 'カードを確認しました',
  'card.present.hint': '「ログイン」か「はじめて登録」を えらんでください。',
  'card.reconnecting': 'カードリーダーに つなぎなおしています…',

  // Flow: loading and waiting
  'flow.title.login': 'ログイン',
  'flow.title.register': 'はじめて登録',
  'flow.loading.household': 'ご家庭の情報を 読みこんでいます…',
  'flow.loading.card': 'カードを確認しています…',
  'flow.loading.hint': 'カードは リーダーに おいたままに してください。',
  'flow.wait.absent': 'カードをリーダーにおいてください',
  'flow.wait.removed': 'カードが離れました',
  'flow.wait.noReader': 'カードリーダーが見つかりません',
  'flow.wait.hint': 'カードをおくと、自動で つづきから はじまります。入力した暗証番号は そのまま使います。',
  'flow.wait.hint.noReader': 'カードリーダーの接続を確かめてから、カードをおいてください。',
  'flow.continue': 'つづける',
  'flow.quit': 'やめる',
  'flow.toStart': 'はじめにもどる',
  'flow.retry': 'もう一度',
  'flow.backHint': '「戻る」ボタンで 前の画面に もどります。',

  // Flow: registration choices
  'flow.district.title': 'お住まいの地域を えらんでください',
  'flow.consent.title': '登録の前に お読みください',
  'flow.consent.agree': '同意して すすむ',
  'flow.consent.decline': '同意しない',

  // Flow: PIN entry
  'pin.auth.title': '利用者証明用 暗証番号（数字4けた）',
  'pin.sign.title': '署名用 暗証番号（英数字 6〜16文字）',
  'pin.auth.lead': 'リモコンの数字ボタンか、画面の数字で 入力してください。',
  'pin.sign.lead': '画面の文字を 矢印ボタンでえらび、「決定」で 入力します。数字は リモコンの数字ボタンでも 入力できます。',
  'pin.forName': 'さんの カード',
  'pin.backHint': '「戻る」ボタンで 1文字けします。何も入っていないときは 前の画面に もどります。',
  'pin.triesLeft': 'まちがえられるのは あと',
  'pin.triesUnit': '回',
  'pin.triesUnknown': 'のこり回数を 確認しています…',
  'pin.lastTry': 'あと1回 まちがえると、暗証番号がロックされます。よく確かめてから 送ってください。',
  'pin.notice.incomplete.auth': '数字を 4けた 入力してください。',
  'pin.notice.incomplete.sign': '6文字から16文字で 入力してください。',
  'pin.notice.wrong': '暗証番号が違います。',
  'pin.notice.otherCard': 'さきほどと ちがうカードです。このカードの暗証番号を 入力してください。',
  'pin.notice.format': '暗証番号の形が正しくありません。カードは使われていません。',
  'pin.count': '文字',
  'pin.key.delete': '1文字けす',
  'pin.key.submit': '決定',
  'pin.key.reveal': 'さいごの文字を見る',
  'pin.key.hide': 'さいごの文字をかくす',
  'pin.confirm.title': 'あと1回で ロックされます',
  'pin.confirm.message': 'この暗証番号を 送りますか？ まちがえると、市区町村の窓口で 解除が必要になります。',
  'pin.confirm.yes': 'はい、送ります',
  'pin.confirm.no': 'いいえ、見なおします',
  'pin.blocked.title.auth': '利用者証明用 暗証番号が ロックされています',
  'pin.blocked.title.sign': '署名用 暗証番号が ロックされています',
  'pin.blocked.bring': '窓口には マイナンバーカードを お持ちください。',

  // Flow: working
  'work.title': 'しばらく お待ちください',
  'work.hint': 'カードは リーダーに おいたままに してください。',
  'work.done': '済',
  'work.now': '実行中',
  'task.nonce': 'サーバーに ログインを 申しこんでいます',
  'task.authSign': 'カードを読み取っています…（利用者証明用の暗証番号で 本人確認）',
  'task.session': 'サーバーで 確認しています',
  'task.draft': '登録の じゅんびを しています',
  'task.signSign': 'カードを読み取っています…（署名用の暗証番号で 電子署名）',
  'task.submit': 'サーバーで 氏名などを 読み取っています',
  'task.confirm': '登録しています',

  // Flow: results
  'confirm.title': 'この内容で 正しいですか？',
  'confirm.name': '氏名',
  'confirm.birth': '生年月日',
  'confirm.gender': '性別',
  'confirm.address': '住所',
  'confirm.district': '地域',
  'confirm.yes': 'はい、正しいです',
  'confirm.no': 'いいえ、ちがいます',
  'gender.1': '男性',
  'gender.2': '女性',
  'gender.other': '—',
  'registered.title': '登録が おわりました',
  'registered.message': 'さん、登録ありがとうございました。つぎからは カードと 4けたの暗証番号で ログインできます。',
  'registered.login': 'ログインする',
  'pendingLinkage.title': '登録の 確認を しています',
  'pendingLinkage.message': 'カードの確認に 時間がかかっています。確認が できしだい、登録が おわります。それまでは ログインできません。',
  'rejected.title': '登録を とりやめました',
  'rejected.message': '内容がちがう場合は、お住まいの市区町村窓口に ご相談ください。',
  'notRegistered.title': 'このカードは まだ登録されていません',
  'notRegistered.message': 'はじめに このテレビで 登録してください。',
  'failed.title': 'うまく いきませんでした',
  'error.network': 'サーバーに つながりません。しばらく待ってから、もう一度 お試しください。',
  'error.unknown': 'システムで問題が起きました。しばらく待ってから、もう一度お試しください。',

  // Home
  'home.greeting': 'さん、こんにちは',
  /** A household member whose name the platform does not have (not confirmed yet). */
  'home.unnamed': 'ご家族の方',
  'home.watching': 'どなたが 見ていますか？',
  'home.watching.hint': 'ほかの方に 交代するときは、その方の お名前を えらんでください。',
  'home.you': 'ログイン中',
  'home.switch.title': 'に 交代しますか？',
  'home.switch.message': 'いまの方は ログアウトします。交代する方の カードを リーダーに おいてください。',
  'home.switch.yes': 'はい、交代します',
  'home.switch.no': 'いいえ',
  'home.logout': 'ログアウト',
  'home.settings': '設定',
  'home.honorific': 'さん',
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
