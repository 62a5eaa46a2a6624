/**
 * The project's one error catalogue: every failure the platform, the reader driver or a UI can
 * report has a stable code here, an HTTP status, a developer message and the plain-Japanese text a
 * resident or staff member sees. The same wire body goes over HTTP and WebSocket (see `toWire`).
 *
 * Rules (fastify's): a code never changes meaning; a retired code is never reused. This file is
 * pure data plus one class, with no imports, so reader-driver and stb-ui can import it too.
 */
export const ERRORS = {
  // Requests and configuration
  REQ_INVALID: { status: 400, message: 'Request is invalid', ja: '入力内容に誤りがあります。' },
  REQ_NOT_FOUND: { status: 404, message: 'No such resource', ja: 'お探しの情報が見つかりません。' },
  REQ_UNSUPPORTED_MEDIA: { status: 415, message: 'Unsupported content type', ja: '送信形式に誤りがあります。' },
  REQ_TOO_LARGE: { status: 413, message: 'Request body is too large', ja: '送信内容が大きすぎます。' },
  REQ_RATE_LIMITED: { status: 429, message: 'Too many requests', ja: 'しばらく待ってから、もう一度お試しください。' },
  CONFIG_INVALID: { status: 500, message: 'Configuration is invalid', ja: 'システムの設定に誤りがあります。' },
  DB_UNAVAILABLE: { status: 503, message: 'Database is unavailable', ja: 'ただいま混み合っています。しばらく待ってから、もう一度お試しください。' },
  /** Made by a UI's client, never sent by the platform: the request got no answer in time (a hung server or link). */
  CLIENT_TIMEOUT: { status: 504, message: 'The server did not answer in time', ja: 'サーバーから 返事が ありません。しばらく待ってから、もう一度 お試しください。' },
  DB_IN_USE: { status: 409, message: 'The embedded database is open in another process', ja: 'データベースはほかの処理で使われています。その処理が終わってから、もう一度お試しください。' },
  INTERNAL: { status: 500, message: 'Internal error', ja: 'システムで問題が起きました。しばらく待ってから、もう一度お試しください。' },

  // Card and reader (reader driver); `details.triesLeft` accompanies the PIN codes
  READER_NOT_FOUND: { status: 409, message: 'No card reader is connected', ja: 'カードリーダーが見つかりません。接続を確かめてください。' },
  READER_UNAVAILABLE: { status: 503, message: 'The PC/SC service is unavailable', ja: 'カードリーダーを使う準備ができていません。' },
  /** Made by a page's reader client, never sent by the driver: after a short drop the resumed driver no longer held the request (never received, or its answer lost with the link). */
  READER_REQUEST_LOST: { status: 503, message: 'The request was lost with the link to the reader driver', ja: 'カードリーダーとの 接続が 一時 切れました。もう一度 お試しください。' },
  CARD_ABSENT: { status: 409, message: 'No card is in the reader', ja: 'カードをリーダーにおいてください。' },
  CARD_REMOVED: { status: 409, message: 'The card was removed during the operation', ja: 'カードが離れました。もう一度カードをおいてください。' },
  CARD_NOT_JPKI: { status: 422, message: 'The card has no JPKI application', ja: 'マイナンバーカードではないようです。カードを確かめてください。' },
  CARD_SECURITY_STATUS: { status: 409, message: 'The card requires a verified PIN first', ja: '暗証番号の確認が必要です。' },
  CARD_PIN_FORMAT: { status: 400, message: 'The PIN is not in the required format', ja: '暗証番号の形が正しくありません。カードは使われていません。' },
  CARD_PIN_WRONG: { status: 401, message: 'The PIN is wrong', ja: '暗証番号が違います。' },
  CARD_PIN_BLOCKED: { status: 423, message: 'The PIN is blocked', ja: '暗証番号がロックされています。お住まいの市区町村窓口で解除してください。' },
  CARD_IN_USE: { status: 409, message: 'Another application is using the card', ja: 'カードがほかのソフトで使われています。そのソフトを終えてから、もう一度お試しください。' },
  CARD_COMMAND_FAILED: { status: 502, message: 'The card refused the command', ja: 'カードを読み取れませんでした。もう一度お試しください。' },
  APDU_MALFORMED: { status: 400, message: 'Malformed APDU', ja: 'カードとの通信に誤りがありました。' },
  APDU_SELECT_REFUSED: { status: 403, message: 'Only the JPKI application may be selected', ja: 'この操作は許可されていません。' },

  // Reader-driver WebSocket protocol
  WS_ORIGIN_REFUSED: { status: 403, message: 'This page origin is not allowed', ja: 'この画面からはカードリーダーを使えません。' },
  WS_INVALID: { status: 400, message: 'Message is invalid', ja: '通信内容に誤りがあります。' },
  WS_UNKNOWN_COMMAND: { status: 400, message: 'Unknown command', ja: '通信内容に誤りがあります。' },
  WS_BAD_STATE: { status: 409, message: 'The command is not allowed in the current state', ja: '前の操作が終わるまでお待ちください。' },
  WS_CANCELLED: { status: 409, message: 'The operation was cancelled', ja: '操作を取り消しました。' },
  WS_CONTROL_ONLY: { status: 403, message: 'Only the local control client may use this command', ja: 'この操作は許可されていません。' },
  DEVICE_NOT_PROVISIONED: {
    status: 409, message: 'This set-top box holds no device credential (not provisioned)',
    ja: 'この機器は まだ使えるように設定されていません。ご契約のケーブルテレビ会社にお問い合わせください。',
  },

  // JPKI verification (platform/src/jpki)
  PKI_MALFORMED: { status: 422, message: 'Certificate or signature cannot be parsed', ja: '証明書を読み取れませんでした。' },
  PKI_UNTRUSTED_ISSUER: { status: 422, message: 'Certificate issuer is not trusted', ja: '証明書を確認できませんでした。' },
  PKI_SIGNATURE_INVALID: { status: 422, message: 'Signature does not verify', ja: '電子署名を確認できませんでした。' },
  PKI_EXPIRED: { status: 422, message: 'Certificate is outside its validity period', ja: '電子証明書の有効期限が切れています。市区町村窓口で更新してください。' },
  PKI_WRONG_PURPOSE: { status: 422, message: 'Certificate is not for this purpose', ja: 'この操作には使えない証明書です。' },
  PKI_TEST_HIERARCHY: { status: 422, message: 'Test certificates are refused in production', ja: '試験用の証明書は使えません。' },
  PKI_WEAK_ALGORITHM: { status: 422, message: 'Key or signature algorithm is too weak', ja: '証明書を確認できませんでした。' },
  PKI_REVOKED: { status: 422, message: 'Certificate has been revoked', ja: 'この電子証明書は失効しています。市区町村窓口でご確認ください。' },
  PKI_REVOCATION_UNKNOWN: { status: 503, message: 'Revocation status is unknown', ja: '証明書の状態を確認できませんでした。しばらく待ってから、もう一度お試しください。' },
  PKI_CRL_OUTDATED: { status: 409, message: 'CRL is not newer than the one in use', ja: '失効情報が、使用中のものより新しくないため取り込みませんでした。' },
  PKI_CRL_UNSUPPORTED: { status: 422, message: 'CRL uses an unsupported feature (delta, reason-scoped or indirect CRL, unknown critical extension)', ja: '対応していない形式の失効情報です。' },
  PKI_CRL_PARTITION_MISMATCH: { status: 422, message: 'CRL covers another distribution point than the one it was filed under', ja: '失効情報の対象地域が、指定された地域と一致しないため取り込みませんでした。' },
  // OCSP (platform/src/jpki/ocsp): each way a response can fail has its own code; all fail closed
  PKI_OCSP_UNAVAILABLE: { status: 503, message: 'The OCSP responder cannot be reached, timed out or asked to try later', ja: '証明書の状態を確認できませんでした。しばらく待ってから、もう一度お試しください。' },
  PKI_OCSP_REFUSED: { status: 502, message: 'The OCSP responder refused the request (malformed, unauthorized or signature required)', ja: '証明書の状態を確認できませんでした。しばらく待ってから、もう一度お試しください。' },
  PKI_OCSP_MALFORMED: { status: 502, message: 'The OCSP response cannot be read or does not answer for the certificate asked about', ja: '証明書の状態を確認できませんでした。しばらく待ってから、もう一度お試しください。' },
  PKI_OCSP_SIGNATURE_INVALID: { status: 502, message: 'The OCSP response signature does not verify', ja: '証明書の状態を確認できませんでした。しばらく待ってから、もう一度お試しください。' },
  PKI_OCSP_RESPONDER_UNAUTHORISED: { status: 502, message: 'The OCSP responder is neither the CA nor a responder the CA delegated with id-kp-OCSPSigning', ja: '証明書の状態を確認できませんでした。しばらく待ってから、もう一度お試しください。' },
  PKI_OCSP_NONCE_MISMATCH: { status: 502, message: 'The OCSP response does not carry the nonce of the request', ja: '証明書の状態を確認できませんでした。しばらく待ってから、もう一度お試しください。' },
  PKI_OCSP_STALE: { status: 502, message: 'The OCSP response is outside its thisUpdate–nextUpdate window', ja: '証明書の状態を確認できませんでした。しばらく待ってから、もう一度お試しください。' },
  PKI_NOT_YET_VALID: { status: 422, message: 'Certificate is not yet valid', ja: 'この電子証明書はまだ使えません。' },
  PKI_LEAF_IS_CA: { status: 422, message: 'A CA certificate was presented as an end-entity certificate', ja: 'この操作には使えない証明書です。' },
  PKI_UNSUPPORTED_CRITICAL_EXTENSION: { status: 422, message: 'Certificate has a critical extension that is not understood', ja: '証明書を確認できませんでした。' },
  PKI_PERSONAL_DATA_INVALID: { status: 422, message: 'Personal data in the signature certificate is missing or malformed', ja: '証明書から氏名などを読み取れませんでした。' },
  PKI_CMS_SIGNER_NOT_FOUND: { status: 422, message: 'The signer certificate of the signed document was not found', ja: '署名した人の証明書が見つかりません。' },
  PKI_CMS_ATTRIBUTES_INVALID: { status: 422, message: 'Signed attributes are missing or invalid', ja: '電子署名の形式が正しくありません。' },
  PKI_CMS_CONTENT_TYPE_MISMATCH: { status: 422, message: 'Signed content type is not id-data or does not match its attribute', ja: '電子署名の形式が正しくありません。' },
  PKI_CMS_DIGEST_MISMATCH: { status: 422, message: 'The document does not match its signature (message digest differs)', ja: '署名された内容が書きかえられています。' },

  // Sessions and authentication
  AUTH_REQUIRED: { status: 401, message: 'Authentication is required', ja: 'カードでログインしてください。' },
  AUTH_FORBIDDEN: { status: 403, message: 'Not allowed for this account', ja: 'この操作は許可されていません。' },
  AUTH_DEVICE_UNKNOWN: { status: 401, message: 'Device credential is not recognised', ja: 'この機器は登録されていません。' },
  AUTH_DEVICE_WITHDRAWN: {
    status: 403, message: 'This device was withdrawn by its operator',
    ja: 'この機器は使用停止になっています。ご契約のケーブルテレビ会社（施設の機器は市町村の担当窓口）にお問い合わせください。',
  },
  AUTH_NONCE_INVALID: { status: 401, message: 'Nonce is unknown', ja: '時間がたちました。もう一度カードをおいてください。' },
  AUTH_NONCE_EXPIRED: { status: 401, message: 'Nonce has expired', ja: '時間がたちました。もう一度カードをおいてください。' },
  AUTH_NONCE_REPLAYED: { status: 401, message: 'Nonce was already used', ja: 'この手続きはすでに使われました。もう一度はじめからお試しください。' },
  AUTH_NONCE_WRONG_DEVICE: { status: 401, message: 'Nonce was issued to another device', ja: 'この機器からは手続きできません。もう一度はじめからお試しください。' },
  AUTH_NONCE_WRONG_PURPOSE: { status: 401, message: 'Nonce was issued for another operation', ja: 'もう一度はじめからお試しください。' },
  AUTH_SESSION_EXPIRED: { status: 401, message: 'Session has ended or expired', ja: 'もう一度カードでログインしてください。' },
  AUTH_NOT_HOUSEHOLD_MEMBER: { status: 403, message: 'Person is not a member of this device\'s household', ja: 'このテレビの世帯に登録されていません。' },
  AUTH_REGISTRATION_MISMATCH: { status: 422, message: 'Registration document does not match this request', ja: '登録内容が一致しません。もう一度はじめからお試しください。' },
  AUTH_REGISTRATION_EXPIRED: { status: 410, message: 'Pending registration is unknown or expired', ja: '時間がたちました。もう一度はじめから登録してください。' },
  AUTH_CARD_PAIR_MISMATCH: {
    status: 422,
    message: 'The sign and auth certificates are not from one card',
    ja: '2つの暗証番号を、別々のカードで入力したようです。同じ1枚のマイナンバーカードで、もう一度はじめから登録してください。',
  },
  AUTH_NOT_REGISTERED: { status: 404, message: 'No person is registered with this card', ja: 'このカードはまだ登録されていません。' },

  // Operator console: staff, roles and scope (platform/src/staff)
  STAFF_NOT_ENROLLED: { status: 403, message: 'This card belongs to no staff member', ja: 'このカードは職員として登録されていません。管理者から招待コードを受け取ってください。' },
  STAFF_INVITE_INVALID: { status: 410, message: 'Invitation code is unknown, used or expired', ja: '招待コードが正しくないか、期限が切れています。管理者に新しいコードを依頼してください。' },
  STAFF_ALREADY_ENROLLED: { status: 409, message: 'This staff member has already enrolled a card', ja: 'この職員はすでにカードを登録しています。' },
  STAFF_CARD_IN_USE: { status: 409, message: 'This card is already enrolled for another staff member', ja: 'このカードはほかの職員として登録されています。' },
  STAFF_ROLE_INVALID: { status: 422, message: 'Role is unknown or not for this kind of organisation', ja: 'この組織では選べない役割です。' },
  STAFF_LAST_ADMIN: { status: 409, message: 'The organisation would be left without an administrator', ja: '管理者がいなくなるため、この変更はできません。' },
  STAFF_OWN_ROLES: { status: 403, message: 'Staff cannot change their own roles', ja: '自分の役割は変更できません。ほかの管理者に依頼してください。' },
  STAFF_PERMISSION_DENIED: { status: 403, message: 'Your roles do not allow this', ja: 'この操作を行う権限がありません。' },
  STAFF_OUT_OF_SCOPE: { status: 403, message: "That belongs to another organisation", ja: 'ほかの組織の情報は扱えません。' },
  // Pension status confirmation and its evidence (platform/src/pension, platform/src/jpki/evidence)
  PKI_TIMESTAMP_INVALID: { status: 422, message: 'Timestamp token does not verify', ja: '時刻の証明を確認できませんでした。' },
  TSA_UNAVAILABLE: { status: 503, message: 'The timestamp authority cannot be reached', ja: '時刻の証明を受けられませんでした。しばらくしてから、もう一度お試しください。' },
  TSA_REJECTED: { status: 502, message: 'The timestamp authority refused the request', ja: '時刻の証明を受けられませんでした。しばらくしてから、もう一度お試しください。' },
  EVIDENCE_MALFORMED: { status: 400, message: 'Evidence bundle cannot be read', ja: '証拠ファイルを読み取れません。' },
  EVIDENCE_DOCUMENT_ALTERED: { status: 422, message: 'The document in the evidence differs from the one signed', ja: '署名された届出の内容が書きかえられています。' },
  EVIDENCE_SIGNATURE_INVALID: { status: 422, message: 'The signature in the evidence does not verify', ja: '届出の電子署名を確認できませんでした。' },
  EVIDENCE_CHAIN_INVALID: { status: 422, message: "The signer's certificate does not chain to a trusted root for signing", ja: '署名に使われた電子証明書を確認できませんでした。' },
  EVIDENCE_TIMESTAMP_INVALID: { status: 422, message: 'The signature timestamp in the evidence does not verify', ja: '署名の時刻の証明を確認できませんでした。' },
  EVIDENCE_REVOCATION_INVALID: { status: 422, message: 'The revocation statement in the evidence does not verify or does not cover the signature', ja: '電子証明書の有効性の記録を確認できませんでした。' },
  EVIDENCE_REPORT_MISMATCH: { status: 422, message: 'The report in the evidence does not match what the evidence shows', ja: '証拠ファイルの記載内容が一致しません。' },
  // Shelter check-in (platform/src/shelter)
  SHELTER_EVENT_ID_TAKEN: { status: 409, message: 'This event id was already used by another tablet', ja: 'この受付記録は、ほかのタブレットの記録と重なっています。担当者に連絡してください。' },
  SHELTER_SEQUENCE_REUSED: { status: 409, message: "This tablet already sent another event with this sequence number", ja: 'このタブレットの受付番号が重なっています。担当者に連絡してください。' },
  SHELTER_PERSON_UNKNOWN: { status: 404, message: 'No such registered person', ja: 'この方の登録が見つかりません。お名前と生年月日で受付してください。' },
  SHELTER_PIN_REQUIRED: { status: 403, message: 'This shelter requires the card PIN: the check-in must carry the auth signature over the event', ja: 'この避難所では、カードの暗証番号（4けた）で受付します。' },
  SHELTER_MOVE_TARGET_INVALID: { status: 422, message: 'The target shelter is unknown, this shelter, or another municipality\'s', ja: '移動先の避難所を選び直してください。' },
  AUTH_CARD_NOT_YOURS: {
    status: 403, message: 'The card is not the logged-in person\'s card',
    ja: 'ログインしている方の カードでは ありません。ご本人の カードを おいてください。',
  },
  // Evacuation alerts in (platform/src/alerts): CAP 1.2 and L-Alert documents refused by the strict parser
  ALERT_TOO_LARGE: { status: 413, message: 'Alert document is larger than the limit', ja: '警報の文書が大きすぎます。' },
  ALERT_DTD_REFUSED: { status: 422, message: 'Alert document contains a DTD or entity declaration (refused, never resolved)', ja: '警報の文書に 使用できない宣言（DTD）が含まれています。' },
  ALERT_ENCODING_UNSUPPORTED: { status: 415, message: 'Alert document encoding is unsupported or its bytes do not match it', ja: '警報の文書の文字コードに対応していません。' },
  ALERT_MALFORMED: { status: 400, message: 'Alert document is not well-formed XML', ja: '警報の文書の形式が正しくありません。' },
  ALERT_FORMAT_UNKNOWN: { status: 422, message: 'Document is neither CAP 1.2 nor an L-Alert EvacuationOrder', ja: '対応していない種類の文書です（CAP 1.2 または Lアラートの避難情報のみ）。' },
  ALERT_UNSUPPORTED_VERSION: { status: 422, message: 'CAP version is not supported (only 1.2)', ja: 'この版のCAPには対応していません（CAP 1.2 のみ）。' },
  ALERT_MISSING_ELEMENT: { status: 422, message: 'A required alert element is missing or empty', ja: '警報の文書に 必要な項目がありません。' },
  ALERT_VALUE_INVALID: { status: 422, message: 'An alert value is malformed', ja: '警報の文書に 正しくない値があります。' },
  ALERT_ENUM_INVALID: { status: 422, message: 'An alert value is not one of the allowed values', ja: '警報の文書に 決められていない値があります。' },
  ALERT_REFERENCES_INVALID: { status: 422, message: 'Update or Cancel has empty or malformed references', ja: '更新・取消の対象となる警報の指定が正しくありません。' },
  ALERT_POLYGON_INVALID: { status: 422, message: 'Alert polygon is malformed or not closed', ja: '警報の区域（多角形）が正しくありません。' },
  ALERT_CIRCLE_INVALID: { status: 422, message: 'Alert circle is malformed', ja: '警報の区域（円）が正しくありません。' },
  ALERT_DATE_INVALID: { status: 422, message: 'Alert date-time is malformed', ja: '警報の日時が正しくありません。' },
  ALERT_DATE_NO_TIMEZONE: { status: 422, message: 'Alert date-time has no time zone', ja: '警報の日時に 時差（タイムゾーン）がありません。' },
  ALERT_CONFLICT: { status: 409, message: 'An alert with this sender and identifier was already received with a different body', ja: '同じ番号で内容の違う警報をすでに受け取っています。発信元に確認してください。' },
  ALERT_WRONG_MUNICIPALITY: { status: 403, message: 'The alert names another municipality than the feed is for', ja: 'ほかの市区町村あての警報は受け付けられません。' },
  ALERT_FEED_UNAUTHORIZED: { status: 401, message: 'Feed credential is missing, unknown or revoked', ja: '配信元の認証情報が正しくありません。' },
  ALERT_SENDER_NOT_ALLOWED: { status: 403, message: 'The feed credential may not send as this sender', ja: 'この配信元は、この発信者名で 警報を送れません。' },
  ALERT_LALERT_INCOMPLETE: { status: 422, message: 'L-Alert message has empty required fields', ja: 'Lアラートの文書に 必要な項目がありません。' },
  // Composing alerts in the operator console (platform/src/alerts/drafts.ts)
  ALERT_DRAFT_STALE: { status: 409, message: 'The draft or the alert it changes has changed since you read it', ja: 'この下書きは ほかの職員が変更したか、対象の避難情報が 更新されています。画面を読み込み直してください。' },
  ALERT_DRAFT_STATE: { status: 409, message: 'The draft is not in a state that allows this', ja: 'この下書きは 今の状態では その操作ができません。' },
  ALERT_DRAFT_NOT_YOURS: { status: 403, message: 'Only the officer who composed the draft may change or submit it', ja: '下書きを変更・申請できるのは 作成した職員だけです。' },
  ALERT_OWN_APPROVAL: { status: 403, message: 'The officer who composed an alert cannot approve it: a second officer must', ja: '自分で作成した避難情報は 承認できません。別の担当者が承認してください。' },
  ALERT_NOT_UPDATABLE: { status: 409, message: 'Only an active alert composed in this console can be updated, extended, lifted or cancelled', ja: 'この避難情報は 更新・延長・解除・取消ができません（発令中で、この画面で作成したものに限ります）。' },
  ALERT_DRAFT_INVALID: { status: 422, message: 'The alert draft is incomplete or inconsistent', ja: '避難情報の内容に 足りない項目か 誤りがあります。' },
  // Facility booking (platform/src/booking)
  BOOKING_SLOT_TAKEN: { status: 409, message: 'Someone else has just booked or is holding this slot', ja: 'この枠は、ほかの方が先に予約しました。別の枠をお選びください。' },
  BOOKING_SLOT_FREE: { status: 409, message: 'The slot is free: book it instead of waiting for it', ja: 'この枠は空いています。待たずに、このまま予約できます。' },
  BOOKING_SLOT_CLOSED: { status: 409, message: 'The facility is closed at that time', ja: 'この日・この時間は休館のため予約できません。' },
  BOOKING_OUT_OF_HORIZON: { status: 422, message: 'The day is in the past or beyond how far ahead you may book', ja: 'この日はまだ予約を受け付けていないか、すでに過ぎています。' },
  BOOKING_KEY_REUSED: { status: 422, message: 'The idempotency key was already used for another slot', ja: 'この操作は、別の枠の予約としてすでに受け付けています。もう一度、枠を選んでください。' },
  BOOKING_QUOTA_REACHED: { status: 409, message: 'Monthly booking quota reached', ja: 'この施設で今月予約できる回数の上限に達しています。' },
  BOOKING_HOLD_EXPIRED: { status: 410, message: 'The hold has expired', ja: '仮予約の時間が過ぎました。もう一度、枠を選んでください。' },
  BOOKING_NOT_ACTIVE: { status: 409, message: 'The booking is already cancelled or ended', ja: 'この予約は、すでに取り消されています。' },
  BOOKING_CANCEL_TOO_LATE: { status: 409, message: 'The cancellation deadline has passed', ja: '取り消しの期限を過ぎています。施設にお電話ください。' },
  BOOKING_LOTTERY_CLOSED: { status: 409, message: 'The lottery is not accepting applications', ja: '抽選の申し込み期間ではありません。' },
  BOOKING_LOTTERY_DRAWN: { status: 409, message: 'The lottery has already been drawn', ja: 'この抽選は、すでに行われました。' },
  BOOKING_LOTTERY_STILL_OPEN: { status: 409, message: 'The lottery still takes applications: close it before the draw', ja: 'この抽選は、まだ申し込みを受け付けています。締め切ってから抽選してください。' },
  // Pension status confirmation (platform/src/pension)
  PENSION_LINK_CODE_INVALID: { status: 404, message: 'No unused, unexpired link code matches', ja: 'この番号は使えません。お手紙の番号を確かめてください。' },
  PENSION_LINK_TRIES_EXCEEDED: { status: 429, message: 'Too many wrong link codes from this TV; wait and try again', ja: '番号の入力を何度か間違えたため、しばらく入力できません。時間をおいてお試しください。' },
  PENSION_CONSENT_STALE: { status: 403, message: 'Consent needs a card login made just now', ja: '同意の確認のため、もう一度カードでログインしてください。' },
  PENSION_CAMPAIGN_CLOSED: { status: 409, message: 'The campaign is past its deadline or the policy is not in it', ja: 'この届出の受付は終わっています。保険会社にお問い合わせください。' },
  PENSION_ALREADY_SUBMITTED: { status: 409, message: 'This policy was already confirmed in this campaign', ja: 'この届出は、すでに提出されています。' },
  PENSION_POLICY_NOT_LINKED: { status: 409, message: 'The policy is no longer linked to you under the ID this document names', ja: 'この保険は、いまは あなたと つながっていません。保険会社に お問い合わせください。' },
  PENSION_DRAFT_EXPIRED: { status: 410, message: 'The document to sign has expired or was already used', ja: '時間が過ぎました。はじめからやり直してください。' },
  PENSION_API_UNAUTHORIZED: { status: 401, message: 'Insurer API credential is missing or unknown', ja: '保険会社の認証情報が正しくありません。' },
  PENSION_API_CREDENTIAL_REVOKED: { status: 401, message: 'Insurer API credential was revoked in the console; ask the insurer admin for a new one', ja: 'この認証情報は失効しています。管理者に新しい認証情報の発行を依頼してください。' },
} as const satisfies Record<string, { status: number; message: string; ja: string }>;

/** A stable error code from the catalogue. */
export type ErrorCode = keyof typeof ERRORS;

/** Structured values a UI may need to explain an error (never personal data). */
export type ErrorDetails = { triesLeft?: number; [key: string]: unknown };

/** The one error class of the project. `detail` is logged, never sent. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, opts: { detail?: string; details?: ErrorDetails; cause?: unknown } = {}) {
    super(ERRORS[code].message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = opts.detail;
    this.details = opts.details;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** The error body on every transport: HTTP `{ error }`, WebSocket `{ re, ok: false, error }`. */
export interface WireError {
  code: ErrorCode;
  message: string;
  ja: string;
  details?: ErrorDetails;
}

export function toWire(e: AppError): WireError {
  const wire: WireError = { code: e.code, message: ERRORS[e.code].message, ja: ERRORS[e.code].ja };
  if (e.details) wire.details = e.details;
  return wire;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/** How an entry point says why it could not start: a catalogued error in one line, anything else in full. */
export function describeStartError(err: unknown): unknown {
  return err instanceof AppError ? `${err.code}: ${err.message}${err.detail ? ` (${err.detail})` : ''}` : err;
}
