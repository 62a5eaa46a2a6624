/**
 * The consent a person gives at registration (初回紐付け). The version goes into the signed
 * registration document, so what was agreed to is provable later; change the version whenever
 * the text changes.
 */
export const CONSENT = {
  version: '2026-11-30',
  // Written in phrases with spaces between them (house style): the TV wraps lines only there.
  text:
    'マイナンバーカードの 電子証明書を 使って、この テレビで ご本人で あることを 確かめます。' +
    '登録すると、名前・住所・生年月日・性別を この サービスに 記録し、' +
    '避難情報の お知らせ、施設の 予約、年金の 現況確認に 使います。' +
    'マイナンバー（個人番号）は 読み取りません。サービスごとに 別の 番号を 使うので、' +
    'ほかの 会社どうしで あなたの 情報を つなぎあわせる ことは できません。' +
    '登録は いつでも やめられます（ホーム画面の「登録をやめる」）。',
} as const;
