/**
 * The consent a person gives at registration (初回紐付け). The version goes into the signed
 * registration document, so what was agreed to is provable later; change the version whenever
 * the text changes.
 */
export const CONSENT = {
  version: '2026-11-30',
  text:
    'マイナンバーカードの電子証明書を使って、このテレビでご本人であることを確かめます。' +
    '登録すると、名前・住所・生年月日・性別をこのサービスに記録し、' +
    '避難情報のお知らせ、施設の予約、年金の現況確認に使います。' +
    'マイナンバー（個人番号）は読み取りません。サービスごとに別の番号を使い、' +
    'ほかの会社があなたを名寄せすることはできません。登録はいつでも取り消せます。',
} as const;
