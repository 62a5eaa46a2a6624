/**
 * The console's roles and what each may do: the one place this is written down. A staff member
 * belongs to one organisation and holds roles of that organisation's kind only. Routes declare a
 * permission (never a role), so a new role is a new row here and nothing else.
 */
export type OrganisationKind = 'cable_operator' | 'municipality' | 'insurer';

/** What a console route may require. Every query is also filtered by the caller's organisation. */
export const PERMISSIONS = {
  'dashboard.read': '自組織の状況（件数・グラフ）を見る',
  'devices.read': 'テレビ・タブレットの一覧を見る',
  'devices.manage': 'テレビ・タブレットを登録する・停止する',
  'audit.read': '自組織の操作記録を見る',
  'audit.read_all': 'すべての組織の操作記録を見る',
  'audit.verify': '操作記録の改ざんを確かめる',
  'staff.manage': '職員を招待する・役割を変える・削除する',
  'alerts.compose': '避難情報を作成する',
  'alerts.approve': '避難情報の発信を承認する',
  'alerts.settings': '避難情報の発信に 2人目の承認を求めるかを決める',
  'shelters.read': '避難所の状況を見る',
  'shelters.checkin': '避難所で受付をする',
  'shelters.manage': '避難所の設定を変える（受付に暗証番号を求めるか）',
  'evacuees.read': '避難者・安否未確認の名前を見る',
  'facilities.manage': '施設・予約を管理する',
  'pension.manage': '年金現況確認のキャンペーン・提出を扱う',
  'pension.api_credentials': '保険会社システム用の API 認証情報を発行・失効する',
} as const;

export type Permission = keyof typeof PERMISSIONS;

interface RoleDefinition {
  kind: OrganisationKind;
  ja: string;
  permissions: readonly Permission[];
}

export const ROLES = {
  'operator.admin': {
    kind: 'cable_operator', ja: 'ケーブル事業者 管理者',
    permissions: ['dashboard.read', 'devices.read', 'devices.manage', 'audit.read', 'audit.read_all', 'audit.verify', 'staff.manage'],
  },
  'operator.support': {
    kind: 'cable_operator', ja: 'ケーブル事業者 サポート',
    permissions: ['dashboard.read', 'devices.read', 'audit.read'],
  },
  'municipality.admin': {
    kind: 'municipality', ja: '市区町村 管理者',
    permissions: ['dashboard.read', 'audit.read', 'audit.verify', 'staff.manage', 'shelters.read', 'shelters.manage', 'alerts.settings'],
  },
  'municipality.disaster': {
    kind: 'municipality', ja: '市区町村 防災担当',
    permissions: ['dashboard.read', 'alerts.compose', 'alerts.approve', 'shelters.read', 'shelters.manage', 'evacuees.read'],
  },
  'municipality.facilities': {
    kind: 'municipality', ja: '市区町村 施設担当',
    permissions: ['dashboard.read', 'facilities.manage'],
  },
  'municipality.shelter_staff': {
    kind: 'municipality', ja: '避難所 受付担当',
    permissions: ['shelters.read', 'shelters.checkin'],
  },
  'insurer.admin': {
    kind: 'insurer', ja: '保険会社 管理者',
    permissions: ['dashboard.read', 'audit.read', 'audit.verify', 'staff.manage', 'pension.manage', 'pension.api_credentials'],
  },
  'insurer.clerk': {
    kind: 'insurer', ja: '保険会社 事務担当',
    permissions: ['dashboard.read', 'pension.manage'],
  },
} as const satisfies Record<string, RoleDefinition>;

export type Role = keyof typeof ROLES;

export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLES, value);
}

/** The permissions a set of roles grants. */
export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((role) => ROLES[role].permissions));
}

/** Roles that do not belong to an organisation of this kind (an empty list is a valid set). */
export function rolesForeignTo(kind: OrganisationKind, roles: readonly Role[]): Role[] {
  return roles.filter((role) => ROLES[role].kind !== kind);
}
